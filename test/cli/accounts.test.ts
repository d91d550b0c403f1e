// The login / accounts / logout commands end to end through commander, with debug logging captured: the log
// must never contain an access or refresh token, the client secret or the device code.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccountsContext, defaultAccountsDeps, type AccountsDeps } from "../../src/cli/actions/accounts-context.js";
import { registerAccountsCommand, registerLoginCommand, registerLogoutCommand } from "../../src/cli/commands.js";
import { defaultConfig } from "../../src/config/schema.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";

const CLIENT_SECRET = "client-secret-zyxwvutsrq-0123";

let stateDir: string;
let emu: Emulator;
let logText: string;
let outText: string;
/** What the user does when the code appears: approve as this Trakt user, or deny. */
let onCode: (userCode: string) => void;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "tsd-cli-"));
  emu = await startTraktEmulator({ clientSecret: CLIENT_SECRET, deviceIntervalSec: 1, accessTokenLifetimeSec: 86_400, writeLimitMs: 0 });
  emu.addUser("sean", { name: "Sean Rudford" });
  emu.addUser("maria");
  onCode = (code) => emu.approveDevice(code, "sean");
  logText = "";
  outText = "";
  process.exitCode = undefined;
});
afterEach(async () => {
  process.exitCode = undefined;
  await emu.close();
  await rm(stateDir, { recursive: true, force: true });
});

function deps(): Partial<AccountsDeps> {
  return {
    loadConfig: () => {
      const config = defaultConfig();
      config.trakt.clientId = emu.clientId;
      config.trakt.apiUrl = emu.url;
      config.trakt.clientSecret = CLIENT_SECRET;
      config.secrets.store = "file";
      config.log.level = "debug";
      return Promise.resolve(config);
    },
    logDestination: new Writable({
      write(chunk: Buffer, _e, cb) {
        logText += chunk.toString();
        cb();
      },
    }),
    out: {
      write: (t: string) => {
        outText += t;
        const code = emu.lastUserCode();
        if (code && t.includes(code)) onCode(code);
      },
    },
  };
}

async function cli(...args: string[]): Promise<void> {
  const program = new Command().exitOverride().option("--state-dir <dir>").option("-c, --config <file>");
  const d = deps();
  registerLoginCommand(program, d);
  registerLogoutCommand(program, d);
  registerAccountsCommand(program, d);
  await program.parseAsync(["node", "trakt-scrobblerd", "--state-dir", stateDir, ...args]);
}

describe("accounts CLI", () => {
  it("login, accounts, refresh and logout for two accounts; no secret in the debug log", async () => {
    await cli("login", "--account", "alice", "--no-qr");
    expect(process.exitCode).toBeUndefined();
    expect(outText).toContain("/activate");
    expect(outText).toContain('Logged in to Trakt as sean (Sean Rudford) — account "alice"');
    onCode = (code) => emu.approveDevice(code, "maria");
    await cli("login", "--account", "bob", "--no-qr");
    expect(outText).toContain('Logged in to Trakt as maria (Maria) — account "bob"');

    const store = new FileSecretStore(stateDir);
    const alice = (await store.get("alice"))!;
    const bob = (await store.get("bob"))!;
    expect(alice.tokens.access_token).not.toBe(bob.tokens.access_token);

    outText = "";
    await cli("accounts");
    expect(outText).toMatch(/alice\s+sean\s+ok\s+\S+ \(in 24h\)\s+file/);
    expect(outText).toMatch(/bob\s+maria\s+ok/);
    expect(outText).toMatch(/default\s+-\s+needs login/);

    // A 401 → refresh → retry through the same wiring the commands use (the real TraktClient).
    const ctx = await createAccountsContext({ stateDir }, defaultAccountsDeps(deps()));
    emu.expireAccessToken(alice.tokens.access_token);
    expect((await ctx.api.userSettings("alice")).user.username).toBe("sean");
    const rotated = (await store.get("alice"))!;
    expect(rotated.tokens.refresh_token).not.toBe(alice.tokens.refresh_token);

    await cli("logout", "--account", "alice");
    expect(outText).toContain('Logged out account "alice" (Trakt user sean); the token was revoked on Trakt');
    expect(await store.list()).toEqual(["bob"]);

    outText = "";
    await cli("accounts", "--json");
    expect(JSON.parse(outText)).toMatchObject([{ account: "bob", state: "ok", username: "maria", backend: "file" }, { account: "default", state: "needs_login" }]);

    const paths = new Set(emu.requests.map((r) => r.path));
    for (const p of ["/oauth/device/code", "/oauth/device/token", "/users/settings", "/oauth/token", "/oauth/revoke"]) expect(paths).toContain(p);
    expect(logText).toContain('"level":20'); // debug lines were written
    expect(logText).toContain("/oauth/token");
    const deviceCodes = emu.requests.filter((r) => r.path === "/oauth/device/token").map((r) => (r.body as { code: string }).code);
    expect(deviceCodes.length).toBeGreaterThan(1);
    const secrets = [alice.tokens.access_token, alice.tokens.refresh_token, bob.tokens.access_token, bob.tokens.refresh_token, rotated.tokens.access_token, rotated.tokens.refresh_token, CLIENT_SECRET, ...deviceCodes];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logText).not.toContain(secret);
      expect(outText).not.toContain(secret);
    }
  });

  it("login without a client id says what to set", async () => {
    const d = deps();
    const program = new Command().exitOverride().option("--state-dir <dir>");
    registerLoginCommand(program, { ...d, loadConfig: () => Promise.resolve(defaultConfig()) });
    await program.parseAsync(["node", "x", "--state-dir", stateDir, "login"]);
    expect(process.exitCode).toBe(1);
    expect(logText).toMatch(/trakt.clientId is not set/);
  });

  it("a denied login exits 1 with a clear message and stores nothing", async () => {
    onCode = (code) => emu.denyDevice(code);
    await cli("login", "--no-qr");
    expect(process.exitCode).toBe(1);
    expect(logText).toMatch(/error: login denied on Trakt/);
    expect(await new FileSecretStore(stateDir).list()).toEqual([]);
  });
});

describe("Ctrl-C during login", () => {
  it("a real SIGINT while waiting for approval exits 130, says so, and stores nothing", async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "../accounts/fixtures/login-child.ts"), emu.url, emu.clientId, CLIENT_SECRET, stateDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes("Waiting for approval")) resolve();
      });
    });
    await emu.waitForRequest((r) => r.path === "/oauth/device/code");
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stdout).toContain("Login cancelled; nothing was stored.");
    expect(await readdir(path.join(stateDir, "secrets")).catch(() => [])).toEqual([]);
  });
});
