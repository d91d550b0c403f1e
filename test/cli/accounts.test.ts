// The login / accounts / logout commands end to end through commander, with debug logging captured: the log
// must never contain an access or refresh token, the client secret or the device code.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccountsDeps } from "../../src/accounts/context.js";
import { registerAccountsCommand } from "../../src/cli/commands/accounts.js";
import { registerLoginCommand } from "../../src/cli/commands/login.js";
import { registerLogoutCommand } from "../../src/cli/commands/logout.js";
import { defaultConfig } from "../../src/config/schema.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { FakeTraktAuth } from "../accounts/fake-trakt.js";

const CLIENT_SECRET = "client-secret-zyxwvutsrq";

let stateDir: string;
let trakt: FakeTraktAuth;
let logText: string;
let outText: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "tsd-cli-"));
  trakt = new FakeTraktAuth();
  logText = "";
  outText = "";
  process.exitCode = undefined;
});
afterEach(async () => {
  process.exitCode = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

function deps(): Partial<AccountsDeps> {
  return {
    loadConfig: () => {
      const config = defaultConfig();
      config.trakt.clientId = "client-id-public";
      config.trakt.clientSecret = CLIENT_SECRET;
      config.secrets.store = "file";
      config.log.level = "debug";
      return Promise.resolve(config);
    },
    createApi: (_config, tokens, logger) => ({
      deviceCode: async () => ({ ...(await trakt.deviceCode()), interval: 1 }),
      pollDeviceToken: (code) => trakt.pollDeviceToken(code),
      refreshToken: (rt) => trakt.refreshToken(rt),
      revokeToken: (at) => trakt.revokeToken(at),
      userSettings: async (account) => {
        const token = await tokens.getAccessToken(account);
        logger.debug({ account, headers: { authorization: `Bearer ${token}` }, body: { client_secret: CLIENT_SECRET } }, "GET /users/settings");
        return trakt.userSettings();
      },
    }),
    logDestination: new Writable({
      write(chunk: Buffer, _e, cb) {
        logText += chunk.toString();
        cb();
      },
    }),
    out: { write: (t: string) => (outText += t) },
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
    trakt.pollScript = ["pending", "approved"];
    await cli("login", "--account", "alice", "--no-qr");
    expect(process.exitCode).toBeUndefined();
    expect(outText).toContain("ABCD1234");
    expect(outText).toContain('Logged in to Trakt as sean (Sean Rudford) — account "alice"');
    trakt.pollCalls = 0;
    await cli("login", "--account", "bob", "--no-qr");

    const store = new FileSecretStore(stateDir);
    const alice = (await store.get("alice"))!;
    const bob = (await store.get("bob"))!;
    expect(alice.tokens.access_token).not.toBe(bob.tokens.access_token);

    outText = "";
    await cli("accounts");
    expect(outText).toMatch(/alice\s+sean\s+ok\s+\S+ \(in 24h\)\s+file/);
    expect(outText).toMatch(/bob\s+sean\s+ok/);
    expect(outText).toMatch(/default\s+-\s+needs login/);

    // A refresh (as after a 401) through the same wiring the daemon uses.
    const { createAccountsContext, defaultAccountsDeps } = await import("../../src/accounts/context.js");
    const ctx = await createAccountsContext({ stateDir }, defaultAccountsDeps(deps()));
    const fresh = await ctx.tokens.refreshAfterUnauthorized("alice", alice.tokens.access_token);
    const rotated = (await store.get("alice"))!;
    expect(rotated.tokens.access_token).toBe(fresh);

    await cli("logout", "--account", "alice");
    expect(outText).toContain('Logged out account "alice" (Trakt user sean); the token was revoked on Trakt');
    expect(await store.list()).toEqual(["bob"]);

    outText = "";
    await cli("accounts", "--json");
    expect(JSON.parse(outText)).toMatchObject([{ account: "bob", state: "ok", username: "sean", backend: "file" }, { account: "default", state: "needs_login" }]);

    expect(logText).toContain('"level":20'); // debug lines were written
    expect(logText).toContain("GET /users/settings");
    const secrets = [alice.tokens.access_token, alice.tokens.refresh_token, bob.tokens.access_token, bob.tokens.refresh_token, rotated.tokens.access_token, rotated.tokens.refresh_token, CLIENT_SECRET, trakt.deviceCodeValue];
    for (const secret of secrets) {
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
    trakt.pollScript = ["denied"];
    await cli("login", "--no-qr");
    expect(process.exitCode).toBe(1);
    expect(logText).toMatch(/error: login denied on Trakt/);
    expect(await new FileSecretStore(stateDir).list()).toEqual([]);
  });
});
