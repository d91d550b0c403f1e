// The daemon when Trakt refuses the app (deleted: free accounts' apps, 31 July 2026) or wants VIP (426): the log and
// /readyz say so in plain words, the watch is kept in the outbox (not a dead letter), and all clears once Trakt
// accepts the app again. Through the real HTTP server, Plex webhook, engine, outbox and TraktClient, to the emulator.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Daemon } from "../../src/daemon/daemon.js";
import { startTraktEmulator, type Emulator, type Fault } from "../../src/emulator/index.js";
import { captureLog } from "../players/kodi/support.js";
import { fixture, multipart, SECRET } from "../players/plex/support.js";
import { emulatorSections, seedLogin, writeConfig } from "../support/daemon.js";

let emulator: Emulator;
let daemon: Daemon | undefined;
let root: string;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  root = await mkdtemp(join(tmpdir(), "trakt-app-"));
});

afterEach(async () => {
  await daemon?.stop(300);
  daemon = undefined;
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

async function start(): Promise<{ base: string; log: ReturnType<typeof captureLog> }> {
  const stateDir = join(root, "state");
  await seedLogin(emulator, stateDir);
  const configFile = join(root, "config.yaml");
  await writeConfig(configFile, {
    ...emulatorSections(emulator),
    kodi: { enabled: false },
    mpv: { enabled: false },
    scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0 },
    // The held queue is tried again after 0.3 s instead of 10 min.
    outbox: { accountHoldMinutes: 0.005 },
    plex: { enabled: true, webhookSecret: SECRET, defaultAccount: "default" },
  });
  const log = captureLog("info");
  daemon = await Daemon.start({ configFile, stateDir, logger: log.logger, watchConfig: false });
  return { base: `http://127.0.0.1:${daemon.httpPort}`, log };
}

async function play(base: string): Promise<void> {
  const payload = fixture("movie.media.scrobble.plexagent-guidarray.json");
  payload.event = "media.play";
  const res = await fetch(`${base}/plex/${SECRET}`, { method: "POST", body: multipart(payload) });
  expect(res.status).toBe(200);
  await daemon!.idleForTests();
}

async function readiness(base: string): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
}

describe.each<[string, Fault, string]>([
  ["an app Trakt deleted (403)", { type: "app_deleted" }, "Since 31 July 2026 creating a Trakt API app needs VIP"],
  ["VIP required (426)", { type: "vip_required" }, 'Trakt answered 426 "VIP required"'],
])("the daemon when Trakt answers %s", (_name, fault, words) => {
  it("logs it in plain words, shows it on /readyz, keeps the watch, and recovers", async () => {
    const { base, log } = await start();
    expect((await readiness(base)).status).toBe(200);
    emulator.injectFault(fault, { times: 100, path: /^\/scrobble\// });
    await play(base);

    const ready = await readiness(base);
    expect(ready.status).toBe(503);
    expect(ready.reasons.join("\n")).toContain(words);
    expect(log.lines().filter((l) => l.level >= 50).map((l) => l.msg).join("\n")).toContain(words);
    const status = (await (await fetch(`${base}/api/status`)).json()) as { outbox: { pending: number; deadLetters: number } };
    expect(status.outbox).toMatchObject({ pending: 1, deadLetters: 0 });

    // When the held queue is tried again and Trakt accepts it, the problem is gone.
    emulator.clearFaults();
    await emulator.waitForRequest((r) => r.path.startsWith("/scrobble/") && r.status === 201);
    await daemon!.idleForTests(); // the client has read that answer
    expect(await readiness(base)).toEqual({ status: 200, reasons: [] });
  });
});
