// One test per error class and the retry policy, through real HTTP with the emulator's fault injection.
// Waiting is observed through an injected sleep that records and returns at once (no real delays).
import { afterEach, describe, expect, it } from "vitest";
import { TraktError } from "../../src/trakt/errors.js";
import { DEFAULT_RETRY_AFTER_MS } from "../../src/trakt/http-errors.js";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

async function rejection(promise: Promise<unknown>): Promise<TraktError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TraktError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

let h: Harness;
let sleeps: number[];
/** Virtual time: the client's clock; every client sleep advances it and the emulator's clock. */
let clock = 0;
afterEach(async () => {
  await h?.close();
});

async function harness(client: Parameters<typeof startEmulatorHarness>[0] = {}, startClock = Date.now()): Promise<Harness> {
  sleeps = [];
  clock = startClock;
  h = await startEmulatorHarness({
    ...client,
    client: {
      now: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        h.emulator.advanceTime(ms);
        return Promise.resolve();
      },
      random: () => 1,
      ...client.client,
    },
  });
  return h;
}

const movie = { progress: 10, movie: { ids: { trakt: 28 } } };

describe("status → error kind", () => {
  it.each([
    [401, "auth_expired"],
    [403, "config"],
    [405, "config"],
    [412, "config"],
    [404, "not_found"],
    [409, "conflict"],
    [420, "account_limit"],
    [426, "vip_required"],
    [400, "invalid"],
    [422, "invalid"],
    [423, "locked"],
  ] as const)("HTTP %i → %s, not retried", async (status, kind) => {
    await harness({ login: false });
    h.emulator.injectFault({ type: "status", status, body: { error: "x" } }, { times: 5 });
    const error = await rejection(h.client.searchById("imdb", "tt2015381", "movie"));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
    expect(h.emulator.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("a 2xx with an unexpected body is bad_response", async () => {
    await harness();
    h.emulator.injectFault({ type: "status", status: 200, body: { not: "an array" } });
    const error = await rejection(h.client.searchById("imdb", "tt2015381", "movie"));
    expect(error.kind).toBe("bad_response");
    expect(error.message).toContain("GET /search/imdb");
  });
});

describe("Trakt in 2026: an app Trakt deleted, VIP required", () => {
  it("an app Trakt deleted (403) names the cause and the fix, and stays a problem until the next 2xx", async () => {
    await harness({ login: false });
    h.emulator.injectFault({ type: "app_deleted" });
    const error = await rejection(h.client.searchById("imdb", "tt2015381", "movie"));
    expect(error).toMatchObject({ kind: "config", status: 403, retryable: false });
    expect(error.message).toContain("the app was deleted or the id is wrong");
    expect(error.message).toContain("Since 31 July 2026 creating a Trakt API app needs VIP, and Trakt deleted the API apps of accounts without VIP");
    expect(error.message).toContain("https://app.trakt.tv/settings/apps/api");
    expect(h.client.appProblem).toMatch(/^Trakt refused the app \(HTTP 403\): /);
    await h.client.searchById("imdb", "tt2015381", "movie");
    expect(h.client.appProblem).toBeUndefined();
  });

  it("OAuth with a deleted app (invalid_client) says the same", async () => {
    await harness({ login: false });
    h.emulator.injectFault({ type: "app_deleted" }, { path: "/oauth/device/code" });
    const error = await rejection(h.client.deviceCode());
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).toContain("Since 31 July 2026 creating a Trakt API app needs VIP");
    expect(h.client.appProblem).toContain("the app was deleted");
  });

  it("426 is 'VIP required', with Trakt's headers, said in plain words, not retried", async () => {
    await harness();
    h.emulator.injectFault({ type: "vip_required" });
    const error = await rejection(h.client.scrobble(h.account, "start", movie));
    expect(error).toMatchObject({ kind: "vip_required", status: 426, retryable: false });
    expect(error.message).toContain('Trakt answered 426 "VIP required": this needs a Trakt VIP account');
    expect(h.client.appProblem).toContain("VIP required");
    expect(h.emulator.requests).toHaveLength(1);
  });
});

describe("retryable failures", () => {
  it.each([500, 502, 503, 504])("HTTP %i is retried with growing backoff, then succeeds", async (status) => {
    await harness();
    h.emulator.injectFault({ type: "status", status, body: "oops" }, { times: 2 });
    const res = await h.client.scrobble(h.account, "start", movie);
    expect(res.action).toBe("start");
    expect(h.emulator.requests.map((r) => r.status)).toEqual([status, status, 201]);
    expect(sleeps).toEqual([5, 10]); // baseDelay 5 ms, doubled; random() = 1 → the full step
  });

  it("a Cloudflare 520 HTML page is retryable and never parsed as JSON", async () => {
    await harness();
    h.emulator.injectFault({ type: "cloudflare", status: 520 });
    const res = await h.client.userSettings(h.account);
    expect(res.user.username).toBe("alice");
    expect(h.emulator.requests[0]!.status).toBe(520);
  });

  it("gives up after the retry cap with a retryable error", async () => {
    await harness({ client: { retry: { retries: 2, baseDelayMs: 5 } } });
    h.emulator.injectFault({ type: "cloudflare", status: 522 }, { times: 10 });
    const error = await rejection(h.client.userSettings(h.account));
    expect(error.kind).toBe("retryable");
    expect(error.status).toBe(522);
    expect(error.message).toContain("non-JSON body");
    expect(h.emulator.requests).toHaveLength(3);
  });

  it("retries are a per-call option: one client, a call with retries 0 is sent once, the next call gets the default", async () => {
    await harness({ client: { retry: { retries: 2, baseDelayMs: 5 } } });
    h.emulator.injectFault({ type: "status", status: 503 }, { times: 2 });
    const error = await rejection(h.client.scrobble(h.account, "start", { movie: { ids: { trakt: 28 } }, progress: 1 }, { retries: 0 }));
    expect(error.kind).toBe("retryable");
    expect(h.emulator.requests.map((r) => r.status)).toEqual([503]);
    const search = await h.client.searchById("trakt", "28", "movie");
    expect(search.length).toBeGreaterThan(0);
    expect(h.emulator.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("a dropped connection is retried (network error found along the cause chain)", async () => {
    await harness();
    h.emulator.injectFault({ type: "drop" });
    expect((await h.client.userSettings(h.account)).user.username).toBe("alice");
    expect(h.emulator.requests.map((r) => r.fault ?? r.status)).toEqual(["drop", 200]);
  });

  it("a timeout is retryable", async () => {
    await harness({ client: { timeoutMs: 100, retry: { retries: 0 } } });
    h.emulator.injectFault({ type: "latency", ms: 2_000 });
    const error = await rejection(h.client.userSettings(h.account));
    expect(error.kind).toBe("retryable");
    expect(error.message).toContain("timed out after 100 ms");
  });

  it("a full outage gives ECONNREFUSED; after recovery on the same port calls work again", async () => {
    await harness({ client: { retry: { retries: 1 } } });
    const port = h.emulator.port;
    await h.emulator.outage();
    const error = await rejection(h.client.userSettings(h.account));
    expect(error.kind).toBe("retryable");
    expect(error.message).toContain("ECONNREFUSED");
    await h.emulator.recover();
    expect(h.emulator.port).toBe(port);
    expect((await h.client.userSettings(h.account)).user.username).toBe("alice");
  });
});

describe("429 rate limits", () => {
  it("honours Retry-After in seconds", async () => {
    await harness();
    h.emulator.injectFault({ type: "rate_limit", retryAfterSec: 7 });
    expect((await h.client.scrobble(h.account, "start", movie)).action).toBe("start");
    expect(sleeps).toEqual([7_000]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const fixedNow = Date.parse("2026-01-01T00:00:00Z");
    await harness({ client: { retry: { maxRetryAfterMs: 60_000 } } }, fixedNow);
    h.emulator.injectFault({ type: "status", status: 429, headers: { "retry-after": new Date(fixedNow + 12_000).toUTCString() } });
    await h.client.userSettings(h.account);
    expect(sleeps).toEqual([12_000]);
  });

  it("a 429 without Retry-After uses the safe default, which is longer than we wait inline", async () => {
    await harness();
    h.emulator.injectFault({ type: "rate_limit", retryAfterSec: null });
    const error = await rejection(h.client.scrobble(h.account, "start", movie));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(error.retryable).toBe(true);
    expect(sleeps).toEqual([]);
    expect(h.emulator.requests).toHaveLength(1);
  });

  it("after a 429 the account's calls fail fast until Retry-After has passed, without hitting Trakt", async () => {
    await harness();
    h.tokens.set("bob", h.emulator.issueTokens("bob"));
    h.emulator.injectFault({ type: "rate_limit", retryAfterSec: null });
    expect((await rejection(h.client.userSettings(h.account))).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    clock += 30_000;
    const blocked = await rejection(h.client.scrobble(h.account, "start", movie));
    expect(blocked).toMatchObject({ kind: "rate_limited", retryAfterMs: 30_000 });
    expect(blocked.message).toContain("not sent");
    expect(blocked.cause).toBeInstanceOf(TraktError);
    expect((await h.client.userSettings("bob")).user.username).toBe("bob"); // other accounts are not blocked
    expect(h.emulator.requests).toHaveLength(2);
    clock += 30_000;
    expect((await h.client.scrobble(h.account, "start", movie)).action).toBe("start");
  });

  it("once the remaining block is short, the next call waits it out inline", async () => {
    await harness(); // maxRetryAfterMs 15 s by default
    h.emulator.injectFault({ type: "rate_limit", retryAfterSec: 20 });
    expect((await rejection(h.client.userSettings(h.account))).retryAfterMs).toBe(20_000);
    expect(sleeps).toEqual([]);
    clock += 10_000;
    expect((await h.client.userSettings(h.account)).user.username).toBe("alice");
    expect(sleeps).toEqual([10_000]);
    expect(h.emulator.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("the emulator's own per-user write limit answers 429 + Retry-After; the client waits it out", async () => {
    await harness({ emulator: { writeLimitMs: 1_000 } });
    await h.client.scrobble(h.account, "start", movie);
    await h.client.scrobble(h.account, "pause", { ...movie, progress: 20 });
    expect(h.emulator.requests.map((r) => r.status)).toEqual([201, 429, 201]);
    const limited = await h.emulator.waitForRequest((r) => r.status === 429);
    expect(limited.path).toBe("/scrobble/pause");
    expect(sleeps).toEqual([1_000]);
  });
});
