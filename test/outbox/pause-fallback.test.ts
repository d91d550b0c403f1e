// When Trakt refuses /scrobble/pause itself: which refusals call for sending pauses as stops below 80 %, for how
// long, and what the outbox then sends (FakeTrakt at the network edge; the daemon against the emulator is in
// test/daemon/trakt-changes.e2e.test.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../src/outbox/outbox.js";
import { PAUSE_AS_STOP_MAX_PROGRESS, PAUSE_FALLBACK_HOLD_MS, PauseFallback, pauseAsStopProgress } from "../../src/outbox/pause-fallback.js";
import { TraktError, type TraktErrorKind } from "../../src/trakt/errors.js";
import type { ScrobbleBody } from "../../src/trakt/types.js";
import { captureLogger } from "../support/emulator.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const T0 = Date.parse("2026-11-27T20:00:00Z");
const refusal = (kind: TraktErrorKind, status: number): TraktError => new TraktError(kind, `HTTP ${status}`, { status });

describe("PauseFallback (pure)", () => {
  it.each([
    [refusal("invalid", 400), true],
    [refusal("config", 405), true],
    [refusal("invalid", 410), true],
    [refusal("not_found", 404), false],
    [refusal("invalid", 422), false],
    [refusal("conflict", 409), false],
    [refusal("rate_limited", 429), false],
    [refusal("auth_expired", 401), false],
    [refusal("config", 403), false],
    [refusal("locked", 423), false],
    [refusal("account_limit", 420), false],
    [refusal("retryable", 503), false],
    [new TraktError("retryable", "ECONNRESET"), false],
    [new Error("socket hang up"), false],
  ])("%s → fallback %s", (error, fallback) => {
    const f = new PauseFallback();
    expect(f.refused(error, T0).fallback).toBe(fallback);
    expect(f.active(T0)).toBe(fallback);
  });

  it("server errors: three in a row switch it on, a success or another answer in between resets the count", () => {
    const f = new PauseFallback();
    expect(f.refused(refusal("retryable", 502), T0).fallback).toBe(false);
    expect(f.refused(refusal("retryable", 500), T0).fallback).toBe(false);
    f.worked();
    expect(f.refused(refusal("retryable", 503), T0).fallback).toBe(false);
    expect(f.refused(refusal("rate_limited", 429), T0).fallback).toBe(false);
    expect(f.refused(refusal("retryable", 503), T0).fallback).toBe(false);
    expect(f.refused(refusal("retryable", 503), T0).fallback).toBe(false);
    expect(f.refused(refusal("retryable", 520), T0)).toEqual({ fallback: true, first: true });
  });

  it("holds for an hour, says `first` only once, and reports the recovery once", () => {
    const f = new PauseFallback();
    expect(f.refused(refusal("invalid", 400), T0)).toEqual({ fallback: true, first: true });
    expect(f.active(T0 + PAUSE_FALLBACK_HOLD_MS - 1)).toBe(true);
    expect(f.active(T0 + PAUSE_FALLBACK_HOLD_MS)).toBe(false);
    expect(f.refused(refusal("invalid", 400), T0 + PAUSE_FALLBACK_HOLD_MS)).toEqual({ fallback: true, first: false });
    expect(f.worked()).toBe(true);
    expect(f.active(T0 + PAUSE_FALLBACK_HOLD_MS)).toBe(false);
    expect(f.worked()).toBe(false);
  });

  it("holds the progress below Trakt's 80 %", () => {
    expect(pauseAsStopProgress(40)).toBe(40);
    expect(pauseAsStopProgress(79.9)).toBe(79.9);
    expect(pauseAsStopProgress(85)).toBe(PAUSE_AS_STOP_MAX_PROGRESS);
    expect(pauseAsStopProgress(100)).toBeLessThan(80);
  });
});

describe("the outbox while Trakt refuses /scrobble/pause", () => {
  let dir: string;
  let t: number;
  let trakt: FakeTrakt;
  let outbox: Outbox;
  let log: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "outbox-pause-"));
    t = T0;
    trakt = new FakeTrakt(() => t);
    log = captureLogger();
    outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false, logger: log.logger });
  });

  afterEach(async () => {
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sent = (): string[] => trakt.calls.filter((c) => c.call === "scrobble").map((c) => `${c.action} ${(c.body as ScrobbleBody).progress}`);
  const warnings = (): string[] => log.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40 && l.msg.includes("/scrobble/pause")).map((l) => l.msg);

  it("a pause refused with 400 goes as a stop below 80 %; pauses go as stops for an hour, then pause is tried again", async () => {
    trakt.failures.push({ error: refusal("invalid", 400), call: "scrobble" });
    await outbox.submit(intent({ kind: "pause", movie: 1, progress: 40 }, t));
    await outbox.idle();
    // A pause past 80 % (a stop below a threshold of 90, or one the preview rule did not count): never a watch.
    await outbox.submit(intent({ kind: "pause", movie: 2, sessionKey: "s2", progress: 85 }, t));
    await outbox.idle();
    expect(sent()).toEqual(["pause 40", "stop 40", "stop 79.9"]);
    expect(trakt.historyOf("default")).toEqual([]);
    expect(outbox.depth()).toBe(0);
    expect(outbox.deadLetterCount()).toBe(0);
    expect(warnings()).toHaveLength(1);

    t += PAUSE_FALLBACK_HOLD_MS;
    await outbox.submit(intent({ kind: "pause", movie: 3, sessionKey: "s3", progress: 30 }, t));
    await outbox.idle();
    expect(sent().slice(3)).toEqual(["pause 30"]);
    expect(log.lines.some((l) => l.includes("Trakt accepts /scrobble/pause again"))).toBe(true);
  });

  it("starts and stops are not touched by the fallback", async () => {
    trakt.failures.push({ error: refusal("invalid", 400), call: "scrobble" });
    await outbox.submit(intent({ kind: "pause", movie: 1, progress: 40 }, t));
    await outbox.idle();
    await outbox.submit(intent({ kind: "start", movie: 4, sessionKey: "s4", progress: 10 }, t));
    await outbox.submit(intent({ kind: "stop", movie: 4, sessionKey: "s4", progress: 96, endedAt: t }, t));
    await outbox.idle();
    expect(sent()).toEqual(["pause 40", "stop 40", "start 10", "stop 96"]);
    expect(trakt.historyOf("default")).toHaveLength(1);
  });

  it("a pause refused about its item (404) is a dead letter as before, with no stop sent", async () => {
    trakt.failures.push({ error: refusal("not_found", 404), call: "scrobble" });
    await outbox.submit(intent({ kind: "pause", movie: 1, progress: 40 }, t));
    await outbox.idle();
    expect(sent()).toEqual(["pause 40"]);
    expect(outbox.deadLetterCount()).toBe(1);
  });

  it("server errors: the account backs off as usual, and the third 5xx in a row sends the stop", async () => {
    for (let n = 0; n < 3; n++) trakt.failures.push({ error: refusal("retryable", 503), call: "scrobble" });
    await outbox.submit(intent({ kind: "pause", movie: 1, progress: 40 }, t));
    await outbox.idle();
    expect(sent()).toEqual(["pause 40"]);
    for (let n = 0; n < 2; n++) {
      t += 10 * 60_000; // past the backoff
      await outbox.drain();
      await outbox.idle();
    }
    expect(sent()).toEqual(["pause 40", "pause 40", "pause 40", "stop 40"]);
    expect(outbox.depth()).toBe(0);
  });
});
