import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NeedsLoginError } from "../../src/accounts/errors.js";
import { TokenManager } from "../../src/accounts/tokens.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { SecretStoreError, type SecretStore, type StoredAccount } from "../../src/secrets/store.js";
import { TraktError } from "../../src/trakt/errors.js";
import type { TokenSet } from "../../src/core/tokens.js";
import { createLogger } from "../../src/util/log.js";
import { FakeTraktAuth } from "./fake-trakt.js";

const HOUR = 3_600_000;

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ destination: stream, level: "debug" }) };
}

let dir: string;
let clock: number;
let trakt: FakeTraktAuth;
let store: FileSecretStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tsd-tokens-"));
  clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  trakt = new FakeTraktAuth(() => clock);
  store = new FileSecretStore(dir);
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

async function loggedIn(account = "default", lifetimeS = 86_400): Promise<TokenSet> {
  trakt.lifetimeS = lifetimeS;
  const tokens = trakt.issue();
  await store.set(account, { tokens, username: `${account}-user`, updatedAt: new Date(clock).toISOString() });
  return tokens;
}

function manager(extra: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}) {
  return new TokenManager({ store, api: trakt, now: () => clock, refreshMarginMs: 6 * HOUR, ...extra });
}

describe("TokenManager", () => {
  it("computes expiry from created_at + expires_in: a 7-day token is not due after a day, a 24 h token is", async () => {
    const week = await loggedIn("week", 7 * 86_400);
    const day = await loggedIn("day", 86_400);
    const tm = manager();
    clock += 19 * HOUR; // 24 h token: 5 h left < 6 h margin
    expect(await tm.state("week")).toBe("ok");
    expect(await tm.state("day")).toBe("refresh_due");
    expect(await tm.getAccessToken("week")).toBe(week.access_token);
    expect(trakt.refreshCalls).toBe(0);
    const fresh = await tm.getAccessToken("day");
    expect(fresh).not.toBe(day.access_token);
    expect(trakt.refreshCalls).toBe(1);
    expect((await tm.status("day")).expiresAt?.getTime()).toBe(clock + 86_400_000 - (clock % 1000));
  });

  it("caps the margin at half the lifetime, so short tokens do not refresh on every call", async () => {
    await loggedIn("short", 7200); // the OAS example lifetime
    const tm = manager();
    await tm.getAccessToken("short");
    clock += 30 * 60_000;
    await tm.getAccessToken("short");
    expect(trakt.refreshCalls).toBe(0);
    clock += 31 * 60_000;
    await tm.getAccessToken("short");
    expect(trakt.refreshCalls).toBe(1);
  });

  it("expiry → proactive refresh; the rotated pair is persisted before the new token is returned; the old refresh token is dead", async () => {
    const first = await loggedIn();
    const setOrder: string[] = [];
    let release!: () => void;
    const slowStore: SecretStore = {
      kind: "file",
      get: (a) => store.get(a),
      list: () => store.list(),
      delete: (a) => store.delete(a),
      set: async (a, e) => {
        setOrder.push("set-start");
        await new Promise<void>((r) => (release = r));
        await store.set(a, e);
        setOrder.push("set-done");
      },
    };
    const tm = new TokenManager({ store: slowStore, api: trakt, now: () => clock });
    clock += 23 * HOUR;
    const pending = tm.getAccessToken("default").then((t) => {
      setOrder.push("returned");
      return t;
    });
    await expect.poll(() => setOrder).toEqual(["set-start"]);
    release();
    const token = await pending;
    expect(setOrder).toEqual(["set-start", "set-done", "returned"]);
    const stored = (await store.get("default"))!;
    expect(stored.tokens.access_token).toBe(token);
    expect(stored.tokens.refresh_token).not.toBe(first.refresh_token);
    expect(stored.username).toBe("default-user");
    await expect(trakt.refreshToken(first.refresh_token)).rejects.toMatchObject({ oauthError: "invalid_grant" });
  });

  it("401 → one refresh; a stale rejected token (already replaced) causes none", async () => {
    const first = await loggedIn();
    const tm = manager();
    const retried = await tm.refreshAfterUnauthorized("default", first.access_token);
    expect(retried).not.toBe(first.access_token);
    expect(trakt.refreshCalls).toBe(1);
    expect(await tm.refreshAfterUnauthorized("default", first.access_token)).toBe(retried);
    expect(trakt.refreshCalls).toBe(1);
  });

  it("concurrent callers cause exactly one refresh", async () => {
    const first = await loggedIn();
    const tm = manager();
    clock += 23 * HOUR;
    let open!: () => void;
    trakt.gate = new Promise<void>((r) => (open = r));
    const callers = [
      ...Array.from({ length: 8 }, () => tm.getAccessToken("default")),
      ...Array.from({ length: 4 }, () => tm.refreshAfterUnauthorized("default", first.access_token)),
    ];
    await expect.poll(() => trakt.refreshCalls).toBe(1);
    open();
    const tokens = await Promise.all(callers);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first.access_token);
    expect(trakt.refreshCalls).toBe(1);
  });

  for (const status of [400, 401] as const) {
    it(`invalid_grant (${status}) → needs login, logged once at error level, no further refresh calls (also after a restart)`, async () => {
      await loggedIn();
      trakt.invalidGrantStatus = status;
      trakt.revokeAll();
      const { lines, logger } = captureLogger();
      const tm = manager({ logger });
      clock += 23 * HOUR;
      await expect(tm.getAccessToken("default")).rejects.toThrow(/run `trakt-scrobblerd login --account default`/);
      expect(trakt.refreshCalls).toBe(1);
      for (let i = 0; i < 5; i++) await expect(tm.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
      await expect(tm.refreshAfterUnauthorized("default", "x")).rejects.toBeInstanceOf(NeedsLoginError);
      await tm.refreshDue();
      expect(trakt.refreshCalls).toBe(1);
      expect(await tm.state("default")).toBe("needs_login");
      const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toMatch(/needs a new login/);

      const restarted = manager();
      expect(await restarted.state("default")).toBe("needs_login");
      await expect(restarted.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
      expect(trakt.refreshCalls).toBe(1);
    });
  }

  it("a login written by another process clears 'needs login' for the running manager", async () => {
    await loggedIn();
    trakt.revokeAll();
    const tm = manager();
    clock += 23 * HOUR;
    await expect(tm.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
    expect(tm.problems()).toHaveLength(1);
    const fresh = await loggedIn();
    expect(await tm.getAccessToken("default")).toBe(fresh.access_token);
    expect(tm.problems()).toEqual([]);
    expect(await tm.state("default")).toBe("ok");
  });

  it("a transient refresh failure keeps using the still-valid token and backs off", async () => {
    const first = await loggedIn();
    const tm = manager({ retryBackoffMs: 60_000 });
    clock += 20 * HOUR;
    trakt.failNextRefresh = new TraktError("retryable", "503 from Trakt", { status: 503 });
    expect(await tm.getAccessToken("default")).toBe(first.access_token);
    expect(await tm.getAccessToken("default")).toBe(first.access_token);
    expect(trakt.refreshCalls).toBe(1);
    clock += 61_000;
    expect(await tm.getAccessToken("default")).not.toBe(first.access_token);
    expect(trakt.refreshCalls).toBe(2);
  });

  it("if saving the rotated pair fails it is kept in memory and saved before it is used", async () => {
    await loggedIn();
    let failSet = true;
    const flaky: SecretStore = {
      kind: "file",
      get: (a) => store.get(a),
      list: () => store.list(),
      delete: (a) => store.delete(a),
      set: (a, e) => (failSet ? Promise.reject(new Error("disk full")) : store.set(a, e)),
    };
    const tm = new TokenManager({ store: flaky, api: trakt, now: () => clock });
    clock += 23 * HOUR;
    await expect(tm.getAccessToken("default")).rejects.toThrow("disk full");
    failSet = false;
    const token = await tm.getAccessToken("default");
    expect((await store.get("default"))!.tokens.access_token).toBe(token);
    expect(trakt.refreshCalls).toBe(1);
    expect(trakt.isAccessValid(token)).toBe(true);
  });

  it("a locked store is reported as 'locked', not as logged out", async () => {
    const locked: SecretStore = {
      kind: "keychain",
      get: () => Promise.reject(new SecretStoreError("locked", "keyring is locked")),
      set: () => Promise.reject(new SecretStoreError("locked", "keyring is locked")),
      delete: () => Promise.resolve(false),
      list: () => Promise.resolve(["alice"]),
    };
    const tm = new TokenManager({ store: locked, api: trakt, now: () => clock });
    expect(await tm.status("alice")).toMatchObject({ state: "locked", reason: "keyring is locked" });
    await expect(tm.getAccessToken("alice")).rejects.toSatisfy((e) => e instanceof SecretStoreError && e.kind === "locked");
    expect(await tm.state("nobody-at-all")).toBe("locked");
  });

  it("an account that never logged in needs login", async () => {
    const tm = manager();
    expect(await tm.status("ghost")).toMatchObject({ state: "needs_login", reason: "not logged in" });
    await expect(tm.getAccessToken("ghost")).rejects.toBeInstanceOf(NeedsLoginError);
  });

  it("several accounts keep their own tokens; refreshDue refreshes only the due ones", async () => {
    const a = await loggedIn("alice", 86_400);
    clock += 10 * HOUR;
    const b = await loggedIn("bob", 86_400);
    const tm = manager();
    clock += 9 * HOUR; // alice: 5 h left (due), bob: 15 h left
    await tm.refreshDue();
    expect(trakt.refreshCalls).toBe(1);
    expect((await store.get("alice"))!.tokens.access_token).not.toBe(a.access_token);
    expect((await store.get("bob"))!.tokens.access_token).toBe(b.access_token);
    expect(await tm.statuses()).toMatchObject([{ account: "alice", state: "ok" }, { account: "bob", state: "ok" }]);
  });

  /** A store in memory: with fake timers, every step of a check then completes within advanceTimersByTimeAsync. */
  function memoryStore(): SecretStore & { lookups: number } {
    const entries = new Map<string, StoredAccount>();
    const memory = {
      kind: "file" as const,
      lookups: 0,
      get: (a: string) => {
        memory.lookups += 1;
        return Promise.resolve(structuredClone(entries.get(a) ?? null));
      },
      set: (a: string, e: StoredAccount) => Promise.resolve(void entries.set(a, structuredClone(e))),
      delete: (a: string) => Promise.resolve(entries.delete(a)),
      list: () => Promise.resolve([...entries.keys()].sort()),
    };
    return memory;
  }

  it("once started it sleeps until a token is due (expiry − margin), refreshes it then, and stop() ends it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: clock });
    trakt = new FakeTraktAuth(Date.now);
    const memory = memoryStore();
    await memory.set("default", { tokens: trakt.issue(), updatedAt: new Date().toISOString() }); // 24 h token
    // Due 19 h from now (5 h margin), between two of its 6-hourly looks for logins made elsewhere.
    const tm = new TokenManager({ store: memory, api: trakt, now: Date.now, refreshMarginMs: 5 * HOUR });
    tm.start(["default"]);
    try {
      await vi.advanceTimersByTimeAsync(19 * HOUR - 60_000);
      expect(trakt.refreshCalls).toBe(0);
      expect(memory.lookups).toBeLessThanOrEqual(4); // the first check and the 6-hourly ones: no schedule
      await vi.advanceTimersByTimeAsync(2 * 60_000);
      expect(trakt.refreshCalls).toBe(1);
      expect(tm.snapshot()[0]?.state).toBe("ok");
    } finally {
      await tm.stop();
    }
    await vi.advanceTimersByTimeAsync(48 * HOUR);
    expect(trakt.refreshCalls).toBe(1);
  });

  it("after a refresh failed for a transient reason it tries again when the backoff ends, by itself", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: clock });
    trakt = new FakeTraktAuth(Date.now);
    const memory = memoryStore();
    const first = trakt.issue();
    await memory.set("default", { tokens: first, updatedAt: new Date().toISOString() });
    const tm = new TokenManager({ store: memory, api: trakt, now: Date.now, refreshMarginMs: 6 * HOUR, retryBackoffMs: 60_000 });
    await vi.advanceTimersByTimeAsync(20 * HOUR);
    trakt.failNextRefresh = new TraktError("retryable", "503 from Trakt", { status: 503 });
    tm.start();
    try {
      await vi.advanceTimersByTimeAsync(0);
      expect(trakt.refreshCalls).toBe(1);
      expect(tm.snapshot()[0]?.state).toBe("refresh_due");
      await vi.advanceTimersByTimeAsync(59_000);
      expect(trakt.refreshCalls).toBe(1);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(trakt.refreshCalls).toBe(2);
      expect((await memory.get("default"))!.tokens.access_token).not.toBe(first.access_token);
    } finally {
      await tm.stop();
    }
  });

  it("snapshot() and problems() give readiness a synchronous view after a check", async () => {
    await loggedIn("alice");
    await loggedIn("bob");
    trakt.revokeAll();
    const carol = await loggedIn("carol");
    const tm = manager();
    expect(tm.snapshot()).toEqual([]);
    clock += 23 * HOUR;
    await tm.refreshDue();
    tm.start(["default"]);
    await tm.stop();
    await tm.refreshDue();
    expect(tm.snapshot().map((s) => [s.account, s.state])).toEqual([
      ["alice", "needs_login"],
      ["bob", "needs_login"],
      ["carol", "ok"],
      ["default", "needs_login"],
    ]);
    expect(tm.problems()).toEqual([
      'account "alice" needs login: Trakt refused the refresh token (invalid_grant)',
      'account "bob" needs login: Trakt refused the refresh token (invalid_grant)',
      'account "default" needs login: not logged in',
    ]);
    expect((await store.get("carol"))!.tokens.access_token).not.toBe(carol.access_token);
  });

});

