import { appendFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Identifier } from "../../src/identify/types.js";
import { Outbox, type OutboxApi, type OutboxSettings } from "../../src/outbox/outbox.js";
import type { HistoryAddResult, HistoryEntry } from "../../src/trakt/types.js";
import { OutboxLockedError } from "../../src/outbox/lock.js";
import { readJournal } from "../../src/outbox/journal.js";
import type { JournalRecord } from "../../src/outbox/records.js";
import { TraktError } from "../../src/trakt/errors.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const MIN = 60_000;
let dir: string;
let t: number;
let trakt: FakeTrakt;
let identifier: FakeIdentifier;
const open: Outbox[] = [];

async function openOutbox(settings: Partial<OutboxSettings> = {}): Promise<Outbox> {
  const o = await Outbox.open({ dir, api: trakt, identifier, now: () => t, autoWake: false, settings });
  open.push(o);
  return o;
}

async function records(): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  await readJournal(Outbox.journalFile(dir), (r) => out.push(r));
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "outbox-"));
  t = Date.parse("2026-11-27T20:00:00Z");
  trakt = new FakeTrakt(() => t);
  identifier = new FakeIdentifier();
});

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  await rm(dir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("has the intent on disk when submit resolves, before anything is sent", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 503 }) });
    const i = intent({ kind: "start" }, t);
    await outbox.submit(i);
    const onDisk = (await records()).filter((r) => r.t === "intent");
    expect(onDisk.map((r) => (r.t === "intent" ? r.intent.id : ""))).toContain(i.id);
    await outbox.idle();
    expect(outbox.depth()).toBe(1);
  });

  it("refuses an invalid intent with a message that says what is wrong", async () => {
    const outbox = await openOutbox();
    await expect(outbox.submit({ ...intent({ kind: "stop" }, t), progress: 0 })).rejects.toThrow(/progress/);
    expect(outbox.depth()).toBe(0);
  });

  it("ignores a torn last line, keeps every intact record and appends after it cleanly", async () => {
    let outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 503 }) });
    const i = intent({ kind: "stop", movie: 7 }, t);
    await outbox.submit(i);
    await outbox.idle();
    await outbox.close();
    await appendFile(Outbox.journalFile(dir), '1234abcd {"t":"intent","at":1,"inte');
    outbox = await openOutbox();
    expect(outbox.status().journal.tornTail).toBe(true);
    expect(outbox.list().pending.map((p) => p.id)).toEqual([i.id]);
    await outbox.drain();
    await outbox.idle();
    expect(outbox.depth()).toBe(0);
    await outbox.close();
    const again = await openOutbox();
    expect(again.status().journal.tornTail).toBe(false);
    expect(again.depth()).toBe(0);
  });

  it("compacts: the journal shrinks to the live set and reopening gives the same queue", async () => {
    const outbox = await openOutbox();
    for (let n = 0; n < 600; n++) {
      await outbox.submit(intent({ kind: "start", sessionKey: `s${n % 3}`, movie: n }, t));
      await outbox.idle();
    }
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 503 }) });
    const keep = intent({ kind: "stop", movie: 9999 }, t);
    await outbox.submit(keep);
    await outbox.idle();
    await outbox.close();
    const size = (await stat(Outbox.journalFile(dir))).size;
    const reopened = await openOutbox();
    const after = (await stat(Outbox.journalFile(dir))).size;
    expect(after).toBeLessThan(size);
    expect(reopened.list().pending.map((p) => p.id)).toEqual([keep.id]);
  });

  it("allows one writer: a second open fails with the holder's pid; a read-only open works", async () => {
    await openOutbox();
    await expect(Outbox.open({ dir, api: trakt, identifier })).rejects.toBeInstanceOf(OutboxLockedError);
    const ro = await Outbox.open({ dir, api: trakt, identifier, readOnly: true });
    expect(ro.depth()).toBe(0);
    await expect(ro.submit(intent({ kind: "start" }, t))).rejects.toThrow(/read-only/);
  });
});

describe("delivery rules", () => {
  it("409 on stop is success: recorded with watched_at/expires_at, never retried", async () => {
    const outbox = await openOutbox();
    const watchedAt = new Date(t - 5 * MIN);
    trakt.failures.push({ error: new TraktError("conflict", "409", { status: 409, conflict: { watchedAt, expiresAt: new Date(t + 55 * MIN) } }) });
    await outbox.submit(intent({ kind: "stop", movie: 3 }, t));
    await outbox.idle();
    t += 60 * MIN;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(1);
    expect(outbox.depth()).toBe(0);
    expect(outbox.status().counters.conflicts).toBe(1);
    const done = (await records()).find((r) => r.t === "done");
    expect(done).toMatchObject({ outcome: "conflict", watchedAt: watchedAt.getTime(), expiresAt: t - 60 * MIN + 55 * MIN });
  });

  it.each([
    { gapMin: 30, sent: false },
    { gapMin: 359, sent: false },
    { gapMin: 361, sent: true },
  ])("dedupe window across a restart: second watch $gapMin min later sent=$sent", async ({ gapMin, sent }) => {
    let outbox = await openOutbox();
    await outbox.submit(intent({ kind: "stop", movie: 5, playthroughId: "first" }, t));
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(1);
    await outbox.close();
    t += gapMin * MIN;
    outbox = await openOutbox();
    await outbox.submit(intent({ kind: "stop", movie: 5, playthroughId: "second" }, t));
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(sent ? 2 : 1);
    expect(outbox.depth()).toBe(0);
    expect(outbox.status().counters.deduped).toBe(sent ? 0 : 1);
  });

  it("one watch per playthrough: a repeated stop of the same playthrough is not sent", async () => {
    const outbox = await openOutbox({ dedupeWindowMinutes: 0 });
    await outbox.submit(intent({ kind: "stop", movie: 4, playthroughId: "pt" }, t));
    await outbox.idle();
    t += 2 * 60 * MIN;
    await outbox.submit(intent({ kind: "stop", movie: 4, playthroughId: "pt" }, t));
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(1);
  });

  it("supersession: only the latest start/pause of a session is sent; a stop is never superseded", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 503 }) });
    const s1 = intent({ kind: "start", progress: 5, playthroughId: "a" }, t);
    await outbox.submit(s1); // fails: Trakt down, account waits
    await outbox.idle();
    await outbox.submit(intent({ kind: "pause", progress: 20, playthroughId: "a" }, t));
    const stop = intent({ kind: "stop", progress: 90, playthroughId: "a", movie: 1 }, t);
    await outbox.submit(stop);
    const next = intent({ kind: "start", progress: 1, playthroughId: "b", movie: 2 }, t);
    await outbox.submit(next);
    const other = intent({ kind: "pause", sessionKey: "other", progress: 50, movie: 3 }, t);
    await outbox.submit(other);
    await outbox.idle();
    expect(outbox.list().pending.map((p) => p.id)).toEqual([stop.id, next.id, other.id]);
    t += 10_000;
    await outbox.drain();
    await outbox.idle();
    const sent = trakt.calls.filter((c) => c.call === "scrobble").map((c) => `${c.action}:${c.body && "progress" in c.body ? c.body.progress : ""}`);
    expect(sent).toEqual(["start:5", "stop:90", "start:1", "pause:50"]);
    expect(outbox.status().counters.superseded).toBe(2);
  });

  it.each([
    { status: 404, kind: "not_found", reason: "not_found" },
    { status: 422, kind: "invalid", reason: "invalid" },
    { status: 420, kind: "account_limit", reason: "account_limit" },
  ] as const)("dead letter on $status: kept with reason $reason, listed, retryable by hand, droppable", async ({ status, kind, reason }) => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError(kind, `HTTP ${status}`, { status }) });
    const i = intent({ kind: "stop", movie: 8 }, t);
    await outbox.submit(i);
    await outbox.idle();
    const listing = outbox.list();
    expect(listing.pending).toHaveLength(0);
    expect(listing.deadLetters).toMatchObject([{ id: i.id, dead: { reason } }]);
    expect(listing.counts.deadByReason[reason]).toBe(1);
    await outbox.retry(i.id.slice(0, 6));
    await outbox.idle();
    expect(outbox.deadLetterCount()).toBe(0);
    expect(trakt.count("scrobble")).toBe(2);
    // A second dead letter, dropped for good.
    trakt.failures.push({ error: new TraktError(kind, `HTTP ${status}`, { status }) });
    const j = intent({ kind: "stop", movie: 9, playthroughId: "p9" }, t);
    await outbox.submit(j);
    await outbox.idle();
    expect((await outbox.drop(j.id)).dead?.reason).toBe(reason);
    expect(outbox.list().deadLetters).toHaveLength(0);
  });

  it("unknown media: dead letter 'unknown_media', never sent; retryable identification waits instead", async () => {
    const outbox = await openOutbox();
    const unknown = intent({ kind: "stop", hints: { title: "unknown" } }, t);
    const flaky = intent({ kind: "start", sessionKey: "s2", hints: { title: "flaky" } }, t);
    await outbox.submit(unknown);
    await outbox.submit(flaky);
    await outbox.idle();
    expect(trakt.calls).toHaveLength(0);
    expect(outbox.list().deadLetters).toMatchObject([{ id: unknown.id, dead: { reason: "unknown_media" } }]);
    expect(outbox.list().pending).toMatchObject([{ id: flaky.id, attempts: 1 }]);
  });

  it("dead letters expire after deadLetterExpiryDays, logged, and not before", async () => {
    const outbox = await openOutbox({ deadLetterExpiryDays: 2 });
    await outbox.submit(intent({ kind: "stop", hints: { title: "unknown" } }, t));
    await outbox.idle();
    t += 47 * 60 * MIN;
    await outbox.drain();
    expect(outbox.deadLetterCount()).toBe(1);
    t += 2 * 60 * MIN;
    await outbox.drain();
    expect(outbox.deadLetterCount()).toBe(0);
    expect((await records()).some((r) => r.t === "done" && r.outcome === "expired")).toBe(true);
  });

  it("retryable failures back off per account (Retry-After obeyed) without blocking another account", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("rate_limited", "429", { status: 429, retryAfterMs: 120_000 }), account: "alice" });
    await outbox.submit(intent({ kind: "start", account: "alice" }, t));
    await outbox.submit(intent({ kind: "start", account: "bob", sessionKey: "b" }, t));
    await outbox.idle();
    expect(trakt.count("scrobble", "bob")).toBe(1);
    expect(trakt.count("scrobble", "alice")).toBe(1);
    expect(outbox.status().accounts.find((a) => a.account === "alice")?.waitingUntil).toBe(new Date(t + 120_000).toISOString());
    t += 119_000;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("scrobble", "alice")).toBe(1);
    t += 2_000;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("scrobble", "alice")).toBe(2);
    expect(outbox.depth()).toBe(0);
  });

  it("auth expired after the client's refresh: the account holds its queue (no dead letter) and says why", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("auth_expired", "401", { status: 401 }) });
    await outbox.submit(intent({ kind: "stop" }, t));
    await outbox.idle();
    expect(outbox.deadLetterCount()).toBe(0);
    expect(outbox.depth()).toBe(1);
    expect(outbox.status().accounts[0]?.problem).toMatch(/login/);
    await outbox.retryNow();
    await outbox.idle();
    expect(outbox.depth()).toBe(0);
  });
});

describe("replay through /sync/history", () => {
  it("batches: 250 late watches go out in ⌈250/100⌉ requests with their real end times", async () => {
    let outbox = await openOutbox();
    trakt.down = true;
    const ends: number[] = [];
    for (let n = 0; n < 250; n++) {
      const end = t - 60 * MIN + n * 1000;
      ends.push(end);
      await outbox.submit(intent({ kind: "stop", movie: 1000 + n, playthroughId: `r${n}`, sessionKey: `s${n}`, endedAt: end, createdAt: end }, t));
    }
    await outbox.idle();
    await outbox.close();
    expect(trakt.calls).toHaveLength(1); // one refused try, then the account waited
    trakt.down = false;
    trakt.calls.length = 0;
    outbox = await openOutbox();
    t += 10_000;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("history")).toBe(3);
    expect(trakt.calls).toHaveLength(3);
    expect(outbox.depth()).toBe(0);
    const sent = trakt.calls.filter((c) => c.call === "history").flatMap((c) => (c.body && "movies" in c.body ? (c.body.movies ?? []) : []));
    expect(sent.map((m) => Date.parse(m.watched_at!))).toEqual(ends);
  });

  it("a stop not delivered within replayAfterMinutes becomes a history add; a stop below 80 % never does", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 502 }) });
    const end = t;
    await outbox.submit(intent({ kind: "stop", movie: 11, endedAt: end }, t));
    await outbox.submit(intent({ kind: "stop", movie: 12, sessionKey: "s2", progress: 40 }, t));
    await outbox.idle();
    t += 11 * MIN;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("history")).toBe(1);
    expect(trakt.historyOf("default").filter((e) => e.movie?.ids.trakt === 11).map((e) => e.watched_at)).toEqual([new Date(end).toISOString()]);
    const last = trakt.calls.filter((c) => c.call === "scrobble").at(-1);
    expect(last?.body).toMatchObject({ progress: 40 });
  });

  it("watched intents (threshold below 80) go through history right away", async () => {
    const outbox = await openOutbox();
    await outbox.submit(intent({ kind: "watched", movie: 21, progress: 70 }, t));
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(0);
    expect(trakt.count("history")).toBe(1);
  });

  it("not_found items of a batch become dead letters; the rest are recorded", async () => {
    const outbox = await openOutbox();
    trakt.notFoundMovies.add(32);
    await outbox.submit(intent({ kind: "watched", movie: 31, playthroughId: "x31" }, t));
    await outbox.idle();
    await outbox.submit(intent({ kind: "watched", movie: 32, playthroughId: "x32", sessionKey: "z" }, t));
    await outbox.idle();
    expect(outbox.list().deadLetters).toMatchObject([{ dead: { reason: "not_found" } }]);
    expect(outbox.depth()).toBe(0);
  });

  it("a batch refused as a whole (422) is split to find the bad item", async () => {
    let outbox = await openOutbox();
    trakt.down = true;
    for (let n = 0; n < 3; n++) await outbox.submit(intent({ kind: "stop", movie: 40 + n, playthroughId: `y${n}`, sessionKey: `q${n}`, endedAt: t - 30 * MIN }, t));
    await outbox.idle();
    await outbox.close();
    trakt.down = false;
    const before = trakt.count("history");
    outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("invalid", "422", { status: 422 }), call: "history" });
    trakt.failures.push({ error: new TraktError("invalid", "422", { status: 422 }), call: "history" });
    await outbox.drain();
    await outbox.idle();
    await outbox.drain();
    await outbox.idle();
    // One batch refused, then each alone: the first alone is refused again (dead), the other two go through.
    expect(trakt.count("history") - before).toBe(4);
    expect(outbox.list().deadLetters).toHaveLength(1);
    expect(outbox.depth()).toBe(0);
  });
});

describe("not_found that cannot be attributed", () => {
  it("show-form episodes: looked up, then sent alone; the missing one becomes a dead letter, the other is not repeated", async () => {
    const added: string[] = [];
    const history: HistoryEntry[] = [];
    const api: OutboxApi = {
      scrobble: () => Promise.reject(new Error("unused")),
      addHistory: (_account, body) => {
        const result: HistoryAddResult = { added: { movies: 0, episodes: 0 }, not_found: { movies: [], shows: [], seasons: [], episodes: [] } };
        for (const show of body.shows ?? []) {
          for (const season of show.seasons ?? []) {
            for (const ep of season.episodes ?? []) {
              if (ep.number === 99) {
                result.not_found.episodes.push({ number: 99 } as never);
                continue;
              }
              added.push(`${season.number}x${ep.number}`);
              history.push({ id: history.length + 1, watched_at: ep.watched_at!, action: "watch", type: "episode", episode: { season: season.number, number: ep.number }, show: { ids: show.ids } });
            }
          }
        }
        return Promise.resolve(result);
      },
      getHistory: () => Promise.resolve({ items: history, page: 1, pageCount: 1, itemCount: history.length }),
    };
    const episodeId: Identifier = {
      identify: (h) =>
        Promise.resolve({ ok: true, items: [{ type: "episode", episode: { season: 1, number: h.episode! }, show: { ids: { tvdb: 81189 } } }], source: "cache", confidence: 1, reason: "t" }),
    };
    const outbox = await Outbox.open({ dir, api, identifier: episodeId, now: () => t, autoWake: false });
    open.push(outbox);
    const hints = (episode: number) => ({ kind: "episode" as const, showIds: { tvdb: "81189" }, season: 1, episode });
    const good = intent({ kind: "watched", hints: hints(1), sessionKey: "a", playthroughId: "a" }, t);
    const bad = intent({ kind: "watched", hints: hints(99), sessionKey: "b", playthroughId: "b" }, t);
    // Queue both, then deliver in one batch.
    await outbox.submit(good);
    await outbox.submit(bad);
    await outbox.idle();
    for (let n = 0; n < 3 && outbox.depth() > 0; n++) {
      await outbox.drain();
      await outbox.idle();
    }
    expect(added).toEqual(["1x1"]);
    expect(outbox.depth()).toBe(0);
    expect(outbox.list().deadLetters.map((d) => [d.id, d.dead?.reason])).toEqual([[bad.id, "not_found"]]);
  });
});

describe("exactly once", () => {
  it("a history add whose answer was lost is found in /sync/history and not added again", async () => {
    const outbox = await openOutbox();
    // Trakt records the add, then the answer is lost (502 after processing).
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "history", after: true });
    await outbox.submit(intent({ kind: "watched", movie: 51 }, t));
    await outbox.idle();
    expect(outbox.depth()).toBe(1);
    t += 60_000;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBe(1);
    expect(trakt.count("history")).toBe(1);
    expect(trakt.historyOf("default")).toHaveLength(1);
    expect(outbox.status().counters.inHistory).toBe(1);
  });

  it("a lookup after a lost answer does not take an earlier, delivered watch of the same item for this one", async () => {
    const outbox = await openOutbox({ dedupeWindowMinutes: 0 });
    await outbox.submit(intent({ kind: "watched", movie: 81, playthroughId: "first" }, t));
    await outbox.idle();
    expect(trakt.historyOf("default")).toHaveLength(1);
    t += 2 * MIN;
    // The second watch's add fails in a way that may have been processed: the outbox must look before re-sending.
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "history" });
    await outbox.submit(intent({ kind: "watched", movie: 81, playthroughId: "second" }, t));
    await outbox.idle();
    t += MIN;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBe(1);
    expect(trakt.historyOf("default")).toHaveLength(2);
    expect(outbox.depth()).toBe(0);
  });

  it("a crash right after a live stop reached Trakt: after restart past the replay time, it is not added again", async () => {
    let outbox = await openOutbox();
    const end = t;
    trakt.failures.push({ error: new Error("socket hang up"), call: "scrobble", after: true });
    await outbox.submit(intent({ kind: "stop", movie: 61, endedAt: end }, t));
    await outbox.idle();
    await outbox.close();
    t += 3 * 60 * MIN;
    outbox = await openOutbox();
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("history")).toBe(0);
    expect(trakt.historyOf("default")).toHaveLength(1);
    expect(outbox.depth()).toBe(0);
  });

  it("a send record with no answer (killed mid-request) makes the next delivery look first", async () => {
    const outbox0 = await openOutbox();
    await outbox0.close();
    const i = intent({ kind: "watched", movie: 71, endedAt: t - 20 * MIN }, t);
    // What a process killed mid-request leaves behind: the intent and the send mark, no answer.
    const { Journal } = await import("../../src/outbox/journal.js");
    const j = await Journal.open(Outbox.journalFile(dir));
    await j.append([
      { t: "intent", at: t, intent: i },
      { t: "send", at: t, ids: [i.id], via: "history" },
    ]);
    await j.close();
    trakt.historyOf("default").push({ id: 999, watched_at: new Date(i.endedAt!).toISOString(), action: "watch", type: "movie", movie: { ids: { trakt: 71 } } });
    const outbox = await openOutbox();
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBe(1);
    expect(trakt.count("history")).toBe(0);
    expect(outbox.depth()).toBe(0);
  });

  it("a failed history lookup (even a 404 or an unreadable answer) makes the watch wait, never dead", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "502", { status: 502 }), call: "history", after: true });
    await outbox.submit(intent({ kind: "watched", movie: 52 }, t));
    await outbox.idle();
    trakt.failures.push({ error: new TraktError("not_found", "404", { status: 404 }), call: "getHistory" });
    trakt.failures.push({ error: new TraktError("bad_response", "garbage", { status: 200 }), call: "getHistory" });
    for (let n = 0; n < 2; n++) {
      t += 10 * MIN;
      await outbox.drain();
      await outbox.idle();
      expect(outbox.depth()).toBe(1);
      expect(outbox.deadLetterCount()).toBe(0);
    }
    t += 10 * MIN;
    await outbox.drain();
    await outbox.idle();
    expect(outbox.depth()).toBe(0);
    expect(trakt.count("getHistory")).toBe(3);
    expect(trakt.historyOf("default")).toHaveLength(1);
  });

  it("never-sent watches are not looked up (connection refused means Trakt never saw them)", async () => {
    let outbox = await openOutbox();
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    trakt.failures.push({ error: new TraktError("retryable", "network", { cause: refused }) });
    await outbox.submit(intent({ kind: "stop", movie: 81, endedAt: t }, t));
    await outbox.idle();
    await outbox.close();
    t += 20 * MIN;
    outbox = await openOutbox();
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("getHistory")).toBe(0);
    expect(trakt.count("history")).toBe(1);
  });
});

describe("queue control from the CLI while the daemon runs", () => {
  it("a retry request dropped in control/ is applied at the next drain", async () => {
    const outbox = await openOutbox();
    const i = intent({ kind: "stop", hints: { title: "unknown" } }, t);
    await outbox.submit(i);
    await outbox.idle();
    const file = await Outbox.requestControl(dir, { op: "drop", id: i.id });
    await outbox.drain();
    expect(outbox.deadLetterCount()).toBe(0);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});
