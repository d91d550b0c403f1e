// Retry policy and error mapping units; waiting runs on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TraktError } from "../../src/trakt/errors.js";
import { DEFAULT_RETRY_AFTER_MS, errorFromNetwork, errorFromResponse, findNetworkCode } from "../../src/trakt/http-errors.js";
import { parseRetryAfter } from "../../src/util/http-response.js";
import { DEFAULT_RETRY_POLICY, isRetryable, realSleep, retryDelayMs, withRetry } from "../../src/trakt/retry.js";

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, ignores junk", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1_500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:05:00 GMT", now)).toBe(300_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("errorFromResponse", () => {
  const failure = (status: number, headers: Record<string, string> = {}, bodyText = "") => ({
    method: "POST",
    path: "/scrobble/stop",
    status,
    statusText: "",
    headers: new Headers(headers),
    bodyText,
    nowMs: 0,
  });

  it("429 without Retry-After (e.g. a Cloudflare HTML page) gets the safe default", () => {
    const e = errorFromResponse(failure(429, { "content-type": "text/html" }, "<html>rate limited</html>"));
    expect(e).toMatchObject({ kind: "rate_limited", retryAfterMs: DEFAULT_RETRY_AFTER_MS, status: 429 });
    expect(e.message).toContain("non-JSON body");
  });

  it("409 parses watched_at/expires_at; 52x is retryable", () => {
    const e = errorFromResponse(failure(409, {}, '{"watched_at":"2014-10-15T22:21:29.000Z","expires_at":"2014-10-15T23:21:29.000Z"}'));
    expect(e.conflict?.expiresAt?.toISOString()).toBe("2014-10-15T23:21:29.000Z");
    for (const s of [500, 502, 503, 504, 520, 521, 522]) expect(errorFromResponse(failure(s)).kind).toBe("retryable");
  });

  it("never quotes the body into the message", () => {
    const e = errorFromResponse(failure(400, {}, '{"error":"invalid_grant","echo":"abcdef-secret-token"}'));
    expect(e.oauthError).toBe("invalid_grant");
    expect(e.message).not.toContain("abcdef-secret-token");
  });
});

describe("network errors", () => {
  it("finds the code along the cause chain, including inside AggregateError", () => {
    const inner = Object.assign(new Error("connect"), { code: "ECONNREFUSED" });
    const fetchError = new TypeError("fetch failed", { cause: new AggregateError([inner], "all failed") });
    expect(findNetworkCode(fetchError)).toBe("ECONNREFUSED");
    const deep = new TypeError("fetch failed", { cause: new Error("other", { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) }) });
    expect(findNetworkCode(deep)).toBe("ECONNRESET");
    expect(findNetworkCode(new Error("plain"))).toBeUndefined();
  });

  it("maps to retryable with the cause kept", () => {
    const cause = Object.assign(new Error("x"), { code: "ETIMEDOUT" });
    const e = errorFromNetwork("GET", "/users/settings", new TypeError("fetch failed", { cause }), false, 15_000);
    expect(e.kind).toBe("retryable");
    expect(e.message).toContain("ETIMEDOUT");
    expect(e.cause).toBeInstanceOf(TypeError);
  });
});

describe("retry policy", () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 15_000 };

  it("backs off exponentially with jitter and a cap", () => {
    const e = new TraktError("retryable", "x");
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(e, n, policy, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect([1, 2, 3].map((n) => retryDelayMs(e, n, policy, () => 0))).toEqual([500, 1_000, 2_000]);
  });

  it("a rate limit waits exactly Retry-After; too long a wait is left to the caller", () => {
    expect(retryDelayMs(new TraktError("rate_limited", "x", { retryAfterMs: 3_000 }), 1, policy)).toBe(3_000);
    expect(isRetryable(new TraktError("rate_limited", "x", { retryAfterMs: 15_000 }), policy)).toBe(true);
    expect(isRetryable(new TraktError("rate_limited", "x", { retryAfterMs: 60_000 }), policy)).toBe(false);
    expect(isRetryable(new TraktError("conflict", "x"), policy)).toBe(false);
  });

  describe("withRetry on fake timers", () => {
    beforeEach(() => {
      vi.useFakeTimers({ now: 0 });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("waits Retry-After before the next attempt, then succeeds", async () => {
      const attempts: number[] = [];
      const run = withRetry(
        (n) => {
          attempts.push(Date.now());
          if (n === 1) return Promise.reject(new TraktError("rate_limited", "slow down", { retryAfterMs: 5_000 }));
          return Promise.resolve("ok");
        },
        policy,
        { sleep: realSleep },
      );
      await vi.advanceTimersByTimeAsync(4_999);
      expect(attempts).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      expect(await run).toBe("ok");
      expect(attempts).toEqual([0, 5_000]);
    });

    it("does not retry final errors and stops at the cap", async () => {
      let calls = 0;
      const final = withRetry(() => (calls++, Promise.reject(new TraktError("not_found", "nope"))), policy, { sleep: realSleep });
      await expect(final).rejects.toMatchObject({ kind: "not_found" });
      expect(calls).toBe(1);

      calls = 0;
      const capped = withRetry(() => (calls++, Promise.reject(new TraktError("retryable", "down"))), { ...policy, retries: 3 }, { sleep: realSleep, random: () => 1 });
      const assertion = expect(capped).rejects.toMatchObject({ kind: "retryable" });
      await vi.runAllTimersAsync();
      await assertion;
      expect(calls).toBe(4);
      expect(Date.now()).toBe(1_000 + 2_000 + 4_000);
    });

    it("an abort during the wait ends the call with the abort reason", async () => {
      const controller = new AbortController();
      const run = withRetry(() => Promise.reject(new TraktError("retryable", "down")), policy, { sleep: realSleep, signal: controller.signal });
      const assertion = expect(run).rejects.toThrow("shutting down");
      await vi.advanceTimersByTimeAsync(100);
      controller.abort(new Error("shutting down"));
      await assertion;
    });
  });
});
