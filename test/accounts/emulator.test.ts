// The accounts module against the Trakt emulator and the real TraktClient: device flow, proactive refresh,
// 401 → refresh → retry, rotation, single-flight, invalid_grant → needs login.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeviceLoginError, runDeviceFlow } from "../../src/accounts/device.js";
import { NeedsLoginError } from "../../src/accounts/errors.js";
import { loginAccount, logoutAccount } from "../../src/accounts/session.js";
import { TokenManager } from "../../src/accounts/tokens.js";
import { startTraktEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { TraktClient } from "../../src/trakt/client.js";

const HOUR = 3_600_000;

let dir: string;
let emu: Emulator;
let store: FileSecretStore;
let tokens: TokenManager;
let client: TraktClient;
let out: string;
let sleeps: number[];

async function setup(options: EmulatorOptions = {}): Promise<void> {
  emu = await startTraktEmulator({ accessTokenLifetimeSec: 86_400, writeLimitMs: 0, ...options });
  store = new FileSecretStore(dir);
  const late: { client?: TraktClient } = {};
  tokens = new TokenManager({ store, api: { refreshToken: (rt, s) => late.client!.refreshToken(rt, s) }, now: () => emu.now() });
  client = new TraktClient({ apiUrl: emu.url, clientId: emu.clientId, clientSecret: emu.clientSecret, tokens, retries: 0, now: () => emu.now() });
  late.client = client;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tsd-emu-"));
  out = "";
  sleeps = [];
});
afterEach(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Device-flow IO on the emulator's clock; `onSleep` runs before each poll (approve, deny, abort…). */
function io(onSleep: (n: number, ms: number) => number | void = () => undefined, signal?: AbortSignal) {
  return {
    out: { write: (t: string) => (out += t) },
    now: () => emu.now(),
    qr: false as const,
    sleep: (ms: number, s?: AbortSignal) => {
      s?.throwIfAborted();
      sleeps.push(ms);
      const advance = onSleep(sleeps.length, ms);
      emu.advanceTime(typeof advance === "number" ? advance : ms);
      s?.throwIfAborted();
      return Promise.resolve();
    },
    ...(signal ? { signal } : {}),
  };
}

const polls = () => emu.requests.filter((r) => r.path === "/oauth/device/token").map((r) => r.status);
const refreshes = () => emu.requests.filter((r) => r.path === "/oauth/token").map((r) => r.status);

describe("device login against the emulator", () => {
  it("login: code shown, pending polls, approval, tokens stored, Trakt user shown", async () => {
    await setup();
    emu.addUser("sean", { name: "Sean Rudford" });
    const loginBegan = Math.floor(emu.now() / 1000);
    const result = await loginAccount({
      ...io((n) => {
        if (n === 3) emu.approveDevice(emu.lastUserCode()!, "sean");
      }),
      account: "living-room",
      api: client,
      store,
      tokens,
    });
    expect(result.username).toBe("sean");
    expect(out).toContain(emu.lastUserCode()!);
    expect(out).toContain('Logged in to Trakt as sean (Sean Rudford) — account "living-room"');
    expect(polls()).toEqual([400, 400, 200]);
    const stored = (await store.get("living-room"))!;
    expect(stored.username).toBe("sean");
    // The emulator's issue time, in seconds: somewhere between the start of the login and now (a second may tick over).
    expect(stored.tokens.created_at).toBeGreaterThanOrEqual(loginBegan);
    expect(stored.tokens.created_at).toBeLessThanOrEqual(Math.floor(emu.now() / 1000));
  });

  it("login with an app Trakt deleted says why and what to do, and stores nothing", async () => {
    await setup();
    emu.injectFault({ type: "app_deleted" }, { times: 10 });
    const error = await loginAccount({ ...io(), account: "default", api: client, store, tokens }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("Trakt does not accept this app's client id: the app was deleted or the id is wrong");
    expect((error as Error).message).toContain("with a VIP account, create an app at https://app.trakt.tv/settings/apps/api");
    expect(await store.get("default")).toBeNull();
  });

  it("a 426 while polling (VIP required) ends the login with that reason", async () => {
    await setup();
    emu.injectFault({ type: "vip_required" }, { path: "/oauth/device/token" });
    const error = await runDeviceFlow(client, io()).catch((e: unknown) => e);
    expect((error as Error).message).toContain('426 "VIP required"');
  });

  it("slows down after a 429 (polled too fast) and still logs in", async () => {
    await setup();
    await runDeviceFlow(client, io((n, ms) => {
      if (n === 4) emu.approveDevice(emu.lastUserCode()!);
      if (n === 2) return ms / 2; // the poll after this comes too early for the emulator
    }));
    expect(polls()).toEqual([400, 429, 400, 200]);
    expect(sleeps).toEqual([5000, 5000, 10000, 10000]);
  });

  it("stops at expires_in: 'code expired, run login again'", async () => {
    await setup({ deviceCodeExpiresInSec: 60 });
    const error = await runDeviceFlow(client, io()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLoginError);
    expect((error as DeviceLoginError).reason).toBe("expired");
    expect((error as Error).message).toMatch(/code expired.*run `trakt-scrobblerd login` again/);
    expect(polls().length).toBeLessThanOrEqual(12);
  });

  it("denied (418) is reported clearly", async () => {
    await setup();
    const error = await runDeviceFlow(client, io((n) => {
      if (n === 2) emu.denyDevice(emu.lastUserCode()!);
    })).catch((e: unknown) => e);
    expect((error as DeviceLoginError).reason).toBe("denied");
    expect((error as Error).message).toContain("A free Trakt account may connect only one community app at a time");
    expect(polls()).toEqual([400, 418]);
  });

  it("invalid (404) and already used (409) device codes", async () => {
    await setup();
    expect(await client.pollDeviceToken("not-a-real-device-code")).toEqual({ status: "invalid" });
    const code = await client.deviceCode();
    emu.approveDevice(code.user_code);
    emu.advanceTime(code.interval * 1000);
    expect((await client.pollDeviceToken(code.device_code)).status).toBe("approved");
    emu.advanceTime(code.interval * 1000);
    expect(await client.pollDeviceToken(code.device_code)).toEqual({ status: "already_used" });
  });

  it("Ctrl-C while waiting stops polling and stores nothing", async () => {
    await setup();
    const ac = new AbortController();
    await expect(
      loginAccount({ ...io((n) => {
        if (n === 3) ac.abort(new Error("SIGINT"));
      }, ac.signal), account: "default", api: client, store, tokens }),
    ).rejects.toThrow("SIGINT");
    expect(polls()).toEqual([400, 400]);
    expect(await store.list()).toEqual([]);
  });
});

describe("token lifecycle against the emulator", () => {
  async function loggedIn(account = "default", user = "alice") {
    const set = emu.issueTokens(user);
    await store.set(account, { tokens: set, username: user, updatedAt: new Date(emu.now()).toISOString() });
    return set;
  }

  it("expiry → proactive refresh, rotated pair stored; the old refresh token is rejected after use", async () => {
    await setup();
    const first = await loggedIn();
    emu.advanceTime(20 * HOUR);
    expect(await tokens.state("default")).toBe("refresh_due");
    expect((await client.userSettings("default")).user.username).toBe("alice");
    expect(refreshes()).toEqual([200]);
    const stored = (await store.get("default"))!;
    expect(stored.tokens.refresh_token).not.toBe(first.refresh_token);
    expect(emu.isRefreshTokenValid(first.refresh_token)).toBe(false);
    expect(emu.isRefreshTokenValid(stored.tokens.refresh_token)).toBe(true);
    await expect(client.refreshToken(first.refresh_token)).rejects.toMatchObject({ oauthError: "invalid_grant" });
    expect(await tokens.state("default")).toBe("ok");
  });

  it("the cron check refreshes tokens nearing expiry", async () => {
    await setup();
    await loggedIn("alice", "alice");
    await loggedIn("bob", "bob");
    emu.advanceTime(19 * HOUR);
    await tokens.refreshDue();
    expect(refreshes()).toEqual([200, 200]);
    expect(await tokens.statuses()).toMatchObject([{ state: "ok" }, { state: "ok" }]);
  });

  it("401 → one refresh → the request is retried once and succeeds", async () => {
    await setup();
    const first = await loggedIn();
    emu.expireAccessToken(first.access_token);
    expect((await client.userSettings("default")).user.username).toBe("alice");
    const settingsCalls = emu.requests.filter((r) => r.path === "/users/settings").map((r) => r.status);
    expect(settingsCalls).toEqual([401, 200]);
    expect(refreshes()).toEqual([200]);
  });

  it("concurrent callers cause exactly one refresh", async () => {
    await setup();
    const first = await loggedIn();
    emu.expireAccessToken(first.access_token);
    const results = await Promise.all(Array.from({ length: 6 }, () => client.userSettings("default")));
    expect(results.every((r) => r.user.username === "alice")).toBe(true);
    expect(refreshes()).toEqual([200]);
  });

  for (const status of [400, 401] as const) {
    it(`invalid_grant (${status}) → needs login, and no further refresh calls`, async () => {
      await setup({ refreshErrorStatus: status });
      const first = await loggedIn();
      await client.refreshToken(first.refresh_token); // spent elsewhere: the stored one is now dead
      emu.clearRequests();
      emu.advanceTime(23 * HOUR);
      await expect(client.userSettings("default")).rejects.toBeInstanceOf(NeedsLoginError);
      expect(refreshes()).toEqual([status]);
      for (let i = 0; i < 3; i++) await expect(client.userSettings("default")).rejects.toThrow(/trakt-scrobblerd login --account default/);
      await tokens.refreshDue();
      expect(refreshes()).toEqual([status]);
      expect(await tokens.state("default")).toBe("needs_login");
    });
  }

  it("logout revokes on Trakt and deletes locally", async () => {
    await setup();
    const set = await loggedIn();
    await logoutAccount({ account: "default", api: client, store, tokens, out: { write: (t: string) => (out += t) } });
    expect(emu.requests.filter((r) => r.path === "/oauth/revoke").map((r) => r.status)).toEqual([200]);
    expect(emu.isRefreshTokenValid(set.refresh_token)).toBe(false);
    expect(await store.get("default")).toBeNull();
  });
});
