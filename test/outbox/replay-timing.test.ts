// When a watch leaves the live path for /sync/history: a live /scrobble/stop is stamped by Trakt when it arrives, so
// a watch that missed its first delivery goes through history with its real end time once a live stop is no longer
// timely (LIVE_STOP_TIMELY_MS after the end), keeping the exactly-once lookup for sends whose answer was lost.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { goesThroughHistory, LIVE_STOP_TIMELY_MS } from "../../src/outbox/delivery.js";
import { Outbox } from "../../src/outbox/outbox.js";
import type { Entry } from "../../src/outbox/state.js";
import { TraktError } from "../../src/trakt/errors.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const T0 = Date.parse("2026-11-27T20:00:00Z");
const S = 1_000;
const MIN = 60_000;

function entry(partial: Partial<Entry> & { kind?: "stop" | "watched" | "pause"; progress?: number; endedAt?: number } = {}): Entry {
  const { kind = "stop", progress, endedAt = T0, ...rest } = partial;
  const i = intent({ kind, endedAt, ...(progress !== undefined ? { progress } : {}) }, T0);
  return { intent: i, account: "default", queuedAt: T0, attempts: 0, lastError: undefined, ambiguous: false, sentUnresolved: false, unresolvedVia: undefined, replayed: false, maybeLive: false, dead: undefined, notBefore: 0, inFlight: false, solo: false, ...rest };
}

describe("goesThroughHistory (pure)", () => {
  it.each([
    ["a fresh stop goes live", entry(), T0 + 1 * S, false],
    ["a stop that failed once is still live while timely", entry({ attempts: 1 }), T0 + LIVE_STOP_TIMELY_MS - 1, false],
    ["a stop that failed once goes to history once no longer timely", entry({ attempts: 1 }), T0 + LIVE_STOP_TIMELY_MS, true],
    ["a stop whose answer was lost, likewise", entry({ ambiguous: true }), T0 + LIVE_STOP_TIMELY_MS, true],
    ["a stop left waiting in the queue (account backing off, daemon down)", entry(), T0 + LIVE_STOP_TIMELY_MS, true],
    ["a stop decided late but not yet tried goes live first", entry({ endedAt: T0 - 5 * MIN }), T0 + 1 * S, false],
    ["…and to history once that fails", entry({ endedAt: T0 - 5 * MIN, attempts: 1 }), T0 + 6 * S, true],
    ["anything older than replayAfterMinutes", entry({ endedAt: T0 - 10 * MIN }), T0, true],
    ["a stop below 80 % never (Trakt records it as a pause)", entry({ progress: 40, attempts: 3 }), T0 + 30 * MIN, false],
    ["a pause never", entry({ kind: "pause", attempts: 3 }), T0 + 30 * MIN, false],
    ["a `watched` always", entry({ kind: "watched", progress: 70 }), T0, true],
    ["one already switched always", entry({ replayed: true }), T0, true],
  ])("%s", (_name, e, now, expected) => {
    expect(goesThroughHistory(e, now, 10)).toBe(expected);
  });
});

describe("the outbox: a watch that missed its first delivery keeps its real time", () => {
  let dir: string;
  let t: number;
  let trakt: FakeTrakt;
  let outbox: Outbox;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "outbox-timing-"));
    t = T0;
    trakt = new FakeTrakt(() => t);
    outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false });
  });

  afterEach(async () => {
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  const watchedAt = (movie: number): number[] => trakt.historyOf("default").filter((e) => e.movie?.ids.trakt === movie).map((e) => Date.parse(e.watched_at));

  it("retried live while timely: Trakt's stamp is within the window", async () => {
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "scrobble" });
    await outbox.submit(intent({ kind: "stop", movie: 1, endedAt: t }, t));
    await outbox.idle();
    t += 20 * S;
    await outbox.retryNow();
    await outbox.idle();
    expect(trakt.count("history")).toBe(0);
    expect(watchedAt(1)).toEqual([T0 + 20 * S]);
  });

  it("Trakt down for minutes: the watch goes through /sync/history with its real end time", async () => {
    trakt.down = true;
    await outbox.submit(intent({ kind: "stop", movie: 2, endedAt: t }, t));
    await outbox.idle();
    t += 4 * MIN;
    trakt.down = false;
    await outbox.retryNow();
    await outbox.idle();
    expect(trakt.count("history")).toBe(1);
    expect(watchedAt(2)).toEqual([T0]);
    expect(outbox.depth()).toBe(0);
  });

  // Another play of the same item a little earlier is in the history (items come back a minute apart in the long
  // chaos run). A watch only ever sent through /sync/history is found only at its own end time.
  it.each([
    ["the add arrived, its answer was lost: found at its end time, not added twice", true, 1],
    ["the add never arrived: the neighbouring play is not taken for it; it is added", false, 2],
  ])("a history add with no answer — %s", async (_name, arrived, entries) => {
    trakt.historyOf("default").push({ id: 999, watched_at: new Date(T0 - 50 * S).toISOString(), action: "scrobble", type: "movie", movie: { ids: { trakt: 5 } } });
    trakt.down = true;
    await outbox.submit(intent({ kind: "stop", movie: 5, endedAt: t }, t));
    await outbox.idle();
    trakt.down = false;
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "history", after: arrived });
    t += 2 * MIN;
    await outbox.retryNow();
    await outbox.idle();
    // Reopened (the journal compacted): the entry still knows it was never sent live.
    await outbox.close();
    outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false });
    t += 2 * MIN;
    await outbox.retryNow();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBe(1);
    expect(watchedAt(5).sort()).toEqual([T0 - 50 * S, T0]);
    expect(trakt.count("history")).toBe(entries);
    expect(outbox.depth()).toBe(0);
  });

  it("a live stop cut before Trakt got it: earlier plays of the same item that we delivered are not taken for it", async () => {
    // Every play counts here (as in the chaos run): no dedupe window.
    await outbox.close();
    outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false, settings: { dedupeWindowMinutes: 0 } });
    const reset = (): TraktError => new TraktError("retryable", "socket hang up", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    for (const [n, ago] of [[1, 100], [2, 50]] as const) {
      await outbox.submit(intent({ kind: "watched", movie: 6, playthroughId: `earlier-${n}`, sessionKey: `e${n}`, endedAt: T0 - ago * S, createdAt: T0 - ago * S }, t));
      await outbox.idle();
    }
    // Reopened: the journal is compacted, and still remembers both plays.
    await outbox.close();
    outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false, settings: { dedupeWindowMinutes: 0 } });
    trakt.failures.push({ error: reset(), call: "scrobble" });
    await outbox.submit(intent({ kind: "stop", movie: 6, playthroughId: "now", endedAt: t }, t));
    await outbox.idle();
    t += 10 * S;
    await outbox.retryNow();
    await outbox.idle();
    // Looked up, not found (both entries are the earlier plays'), so sent again.
    expect(trakt.calls.map((c) => `${c.call}${c.action ? ` ${c.action}` : ""} ${(c.at - T0) / S}`)).toEqual(["history 0", "history 0", "scrobble stop 0", "getHistory 10", "scrobble stop 10"]);
    expect(outbox.depth()).toBe(0);
  });

  it("an answer lost (the stop did arrive), then no longer timely: the history check finds it, nothing is added twice", async () => {
    // Trakt records the stop, then the answer is lost (a 502 after processing).
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "scrobble", after: true });
    await outbox.submit(intent({ kind: "stop", movie: 3, endedAt: t }, t));
    await outbox.idle();
    t += 2 * MIN;
    await outbox.retryNow();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBeGreaterThanOrEqual(1);
    expect(trakt.count("history")).toBe(0);
    expect(watchedAt(3)).toEqual([T0]);
    expect(outbox.depth()).toBe(0);
  });
});
