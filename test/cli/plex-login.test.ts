// `trakt-scrobblerd plex login`: the plex.tv PIN login against a fake plex.tv on 127.0.0.1 that answers with the
// captured shapes (test/support/fake-plextv.ts), the token stored with the other secrets, checked against the
// (fake) Plex server, and used by the daemon.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlexLoginError, runPlexPinLogin } from "../../src/accounts/plex-pin.js";
import { chooseServer } from "../../src/cli/actions/plex.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { FileServerTokenStore } from "../../src/secrets/server-token-stores.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, untilJson, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";
import { FakePlex } from "../support/fake-plex.js";
import { FakePlexTv } from "../support/fake-plextv.js";

let plexTv: FakePlexTv;
let plex: FakePlex;
let dirs: DaemonDirs;
let emulator: Emulator | undefined;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  plexTv = await FakePlexTv.start();
  plex = await FakePlex.start();
  dirs = await makeDaemonDirs();
});

afterEach(async () => {
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  await emulator?.close();
  emulator = undefined;
  await plexTv.close();
  await plex.close();
  await dirs.remove();
});

const text = (p: DaemonProcess): string => p.logs.map((l) => l.msg).join("\n");

describe("trakt-scrobblerd plex login", () => {
  it("shows the link and code, stores the token with the other secrets, checks it on the server, and the daemon uses it", async () => {
    emulator = await startTraktEmulator({ writeLimitMs: 0 });
    plex.tokens.set(plexTv.authToken, "owner");
    const config = emulatorConfig(emulator, dirs, { mpv: { enabled: false }, plex: { enabled: true, plexTvUrl: plexTv.url, servers: [{ name: "home", url: plex.url }] } });
    await writeConfig(dirs.configFile, config);
    const login = runCli(["plex", "login", "--no-qr", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const exit = await login.exited;
    const out = text(login);
    expect(exit.code, out).toBe(0);
    expect(out).toContain(`open ${plexTv.url}/link and enter this code:`);
    expect(out).toMatch(/^ {4}7RQZ$/m);
    expect(out).toContain('the Plex token for server "home" is stored (file store');
    expect(out).toContain('The token works on "Fake PMS" and sees every user\'s sessions there');
    expect(out).not.toContain(plexTv.authToken);

    const stored = await new FileServerTokenStore(dirs.stateDir).get({ kind: "plex", server: "home" });
    expect(stored?.token).toBe(plexTv.authToken);
    const file = join(dirs.stateDir, "secrets", "servers", "plex.home.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ token: plexTv.authToken });
    // plex.tv saw one product and one client identifier, the one stored with the token.
    expect(new Set(plexTv.requests.map((r) => `${r.product} ${r.clientIdentifier}`))).toEqual(new Set([`trakt-scrobblerd ${stored?.deviceId}`]));
    expect(plexTv.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);

    // A second login reuses the client identifier: Plex lists one device.
    const again = runCli(["plex", "login", "--no-qr", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    expect((await again.exited).code).toBe(0);
    expect(new Set(plexTv.requests.map((r) => r.clientIdentifier)).size).toBe(1);

    // The daemon follows the server with the stored token.
    await seedLogin(emulator, dirs.stateDir);
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    await untilJson<{ adapters: { name: string; state: string }[] }>(`${base}/api/status`, (s) => s.adapters.some((a) => a.name === "plex:home" && a.state === "connected"));
    expect(plex.requests.some((r) => r.token === plexTv.authToken && r.path === "/:/websockets/notifications")).toBe(true);
  });

  it("says which server to name when several are configured, and what to add when none is", () => {
    const servers = [
      { name: "home", url: "http://192.168.1.10:32400" },
      { name: "cabin", url: "http://10.0.0.5:32400" },
    ];
    expect(() => chooseServer(servers, undefined)).toThrow("several Plex servers are configured: say which one with --server (home, cabin)");
    expect(() => chooseServer([], undefined)).toThrow(/no Plex server is configured: add one under plex.servers/);
    expect(chooseServer(servers, "cabin").server?.url).toBe("http://10.0.0.5:32400");
    expect(chooseServer([], "later")).toEqual({ name: "later", server: undefined });
  });
});

describe("the plex.tv PIN flow", () => {
  const quick = { sleep: () => Promise.resolve(), qr: false as const, out: { write: () => true } };

  it("an expired code (404 from plex.tv) is a clear error", async () => {
    plexTv.approveAfterPolls = 1_000;
    const login = runPlexPinLogin({ plexTvUrl: plexTv.url, clientIdentifier: "test-client", ...quick, sleep: () => (plexTv.expireAll(), Promise.resolve()) });
    await expect(login).rejects.toThrow("the code expired before it was entered at plex.tv/link; run `trakt-scrobblerd plex login` again");
  });

  it("gives up at the PIN's expiry without plex.tv saying so", async () => {
    plexTv.approveAfterPolls = 1_000;
    let now = 0;
    const login = runPlexPinLogin({ plexTvUrl: plexTv.url, clientIdentifier: "test-client", ...quick, now: () => now, sleep: () => ((now += 300_000), Promise.resolve()) });
    await expect(login).rejects.toBeInstanceOf(PlexLoginError);
    // expiresIn 876 s: three polls of 300 s.
    expect(plexTv.requests.filter((r) => r.method === "GET").length).toBeLessThanOrEqual(3);
  });

  it("plex.tv out of reach is one clear error", async () => {
    const gone = plexTv.url;
    await plexTv.close();
    await expect(runPlexPinLogin({ plexTvUrl: gone, clientIdentifier: "test-client", ...quick })).rejects.toThrow(/cannot reach plex.tv at http:\/\/127\.0\.0\.1:\d+/);
    plexTv = await FakePlexTv.start();
  });
});
