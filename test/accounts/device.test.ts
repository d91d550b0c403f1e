import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeviceLoginError, runDeviceFlow } from "../../src/accounts/device.js";
import { formatAccounts, loginAccount, logoutAccount } from "../../src/accounts/session.js";
import { TokenManager } from "../../src/accounts/tokens.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { FakeTraktAuth } from "./fake-trakt.js";

let dir: string;
let clock: number;
let sleeps: number[];
let out: string;
let trakt: FakeTraktAuth;

const io = (signal?: AbortSignal) => ({
  out: { write: (t: string) => (out += t) },
  now: () => clock,
  sleep: (ms: number, s?: AbortSignal) => {
    s?.throwIfAborted();
    sleeps.push(ms);
    clock += ms;
    return Promise.resolve();
  },
  ...(signal ? { signal } : {}),
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tsd-device-"));
  clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  sleeps = [];
  out = "";
  trakt = new FakeTraktAuth(() => clock);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("device flow", () => {
  it("shows the code, the URL and a QR code, polls at the interval and returns the tokens", async () => {
    trakt.pollScript = ["pending", "pending", "approved"];
    const tokens = await runDeviceFlow(trakt, io());
    expect(tokens.access_token).toMatch(/^access-/);
    expect(sleeps).toEqual([5000, 5000, 5000]);
    expect(out).toContain("ABCD1234");
    expect(out).toContain("https://trakt.tv/activate");
    expect(out).toMatch(/[▀▄█]/); // the terminal QR code
    expect(out).toContain("expires in 10 minutes");
    expect(out).not.toContain(trakt.deviceCodeValue);
  });

  it("slows down on 429: each slow_down adds 5 s to the interval", async () => {
    trakt.pollScript = ["pending", "slow_down", "pending", "slow_down", "approved"];
    await runDeviceFlow(trakt, io());
    expect(sleeps).toEqual([5000, 5000, 10000, 10000, 15000]);
  });

  it("stops at expires_in with 'code expired, run login again'", async () => {
    trakt.pollScript = ["pending"];
    const error = await runDeviceFlow(trakt, io()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLoginError);
    expect((error as DeviceLoginError).reason).toBe("expired");
    expect((error as Error).message).toMatch(/code expired.*run `trakt-scrobblerd login` again/);
    expect(trakt.pollCalls).toBe(600 / 5 - 1);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(600_000);
  });

  it.each([
    ["denied", /denied/],
    ["invalid", /does not know this device code/],
    ["already_used", /already used/],
    ["expired", /code expired/],
  ] as const)("reports %s clearly", async (status, message) => {
    trakt.pollScript = ["pending", status];
    const error = await runDeviceFlow(trakt, io()).catch((e: unknown) => e);
    expect((error as DeviceLoginError).reason).toBe(status);
    expect((error as Error).message).toMatch(message);
  });

  it("Ctrl-C (abort) while waiting leaves nothing stored", async () => {
    trakt.pollScript = ["pending"];
    const store = new FileSecretStore(dir);
    const ac = new AbortController();
    const base = io(ac.signal);
    const sleep = (ms: number, s?: AbortSignal) => {
      if (sleeps.length === 3) ac.abort(new Error("SIGINT"));
      return base.sleep(ms, s);
    };
    await expect(loginAccount({ ...base, sleep, account: "default", api: trakt, store })).rejects.toThrow("SIGINT");
    expect(await store.list()).toEqual([]);
    expect(await readdir(store.dir).catch(() => [])).toEqual([]);
  });
});

describe("login, accounts, logout", () => {
  it("login stores the token set and the Trakt user, accounts lists it, logout revokes and deletes", async () => {
    const store = new FileSecretStore(dir);
    const tm = new TokenManager({ store, api: trakt, now: () => clock });
    const api = { ...bind(trakt), userSettings: async (account: string) => {
      await tm.getAccessToken(account); // as the real client does: the call needs the new token
      return trakt.userSettings();
    } };
    const result = await loginAccount({ ...io(), account: "living-room", api, store, tokens: tm });
    expect(result.username).toBe("sean");
    expect(out).toContain('Logged in to Trakt as sean (Sean Rudford) — account "living-room"');
    const stored = (await store.get("living-room"))!;
    expect(stored.username).toBe("sean");
    expect(stored.tokens.created_at).toBe(Math.floor(clock / 1000));

    const table = formatAccounts(await tm.statuses(["default"]), clock);
    expect(table).toMatch(/living-room\s+sean\s+ok\s+2026-11-28T12:00:\d\dZ \(in 24h\)\s+file/);
    expect(table).toMatch(/default\s+-\s+needs login/);
    expect(table).toContain("run `trakt-scrobblerd login --account default`");

    out = "";
    const logout = await logoutAccount({ ...io(), account: "living-room", api: trakt, store, tokens: tm });
    expect(logout).toEqual({ wasLoggedIn: true, revoked: true });
    expect(trakt.isAccessValid(stored.tokens.access_token)).toBe(false);
    expect(await store.get("living-room")).toBeNull();
    expect(await tm.state("living-room")).toBe("needs_login");
  });

  it("a failing revoke still deletes locally, with a warning", async () => {
    const store = new FileSecretStore(dir);
    await store.set("default", { tokens: trakt.issue(), updatedAt: new Date(clock).toISOString() });
    trakt.failRevoke = true;
    const result = await logoutAccount({ ...io(), account: "default", api: trakt, store });
    expect(result).toEqual({ wasLoggedIn: true, revoked: false });
    expect(out).toMatch(/Warning: Trakt did not confirm the revocation \(Trakt is down \(503\)\)/);
    expect(await store.list()).toEqual([]);
  });

  it("logout of an account that is not logged in says so and calls nothing", async () => {
    const store = new FileSecretStore(dir);
    expect(await logoutAccount({ ...io(), account: "nobody", api: trakt, store })).toEqual({ wasLoggedIn: false, revoked: false });
    expect(trakt.revokeCalls).toBe(0);
    expect(out).toContain("not logged in");
  });
});

function bind(t: FakeTraktAuth) {
  return {
    deviceCode: () => t.deviceCode(),
    pollDeviceToken: (c: string) => t.pollDeviceToken(c),
  };
}
