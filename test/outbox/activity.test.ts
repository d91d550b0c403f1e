// The outbox tells the activity stream of each delivery, each dead letter and every change of the queue's content,
// and nothing when a send only failed and the queue holds the same entries.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { Outbox, type OutboxSettings } from "../../src/outbox/outbox.js";
import { TraktError } from "../../src/trakt/errors.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const MIN = 60_000;
let dir: string;
let t: number;
let trakt: FakeTrakt;
let events: ActivityEvent[];
let outbox: Outbox | undefined;

async function openOutbox(settings: Partial<OutboxSettings> = {}): Promise<Outbox> {
  const activity = new Activity();
  activity.subscribe((e) => events.push(e));
  outbox = await Outbox.open({ dir, api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false, settings, activity });
  return outbox;
}

const ofType = <T extends ActivityEvent["type"]>(type: T): Extract<ActivityEvent, { type: T }>[] =>
  events.filter((e): e is Extract<ActivityEvent, { type: T }> => e.type === type);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "outbox-activity-"));
  t = Date.parse("2026-11-27T20:00:00Z");
  trakt = new FakeTrakt(() => t);
  events = [];
});

afterEach(async () => {
  await outbox?.close();
  outbox = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("outbox activity", () => {
  it("reports a live watch as delivered through /scrobble, and the queue going up and back down", async () => {
    const o = await openOutbox();
    const watch = intent({ kind: "stop", movie: 7, account: "alice" }, t);
    await o.submit(watch);
    await o.idle();
    expect(ofType("delivered")).toEqual([
      { type: "delivered", at: t, id: watch.id, kind: "stop", account: "alice", label: "Movie 7", via: "scrobble", watched: true },
    ]);
    expect(ofType("queue").map((e) => [e.pending, e.deadLetters])).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });

  it("reports a start as delivered but not watched", async () => {
    const o = await openOutbox();
    await o.submit(intent({ kind: "start", movie: 3 }, t));
    await o.idle();
    expect(ofType("delivered").map((e) => [e.kind, e.watched, e.via, e.account])).toEqual([["start", false, "scrobble", "default"]]);
  });

  it("reports a late watch as delivered through the history", async () => {
    const o = await openOutbox({ replayAfterMinutes: 10 });
    trakt.down = true;
    const watch = intent({ kind: "stop", movie: 9 }, t);
    await o.submit(watch);
    await o.idle();
    expect(ofType("delivered")).toEqual([]);
    trakt.down = false;
    t += 30 * MIN;
    await o.retryNow();
    await o.idle();
    expect(ofType("delivered").map((e) => [e.id, e.via, e.watched])).toEqual([[watch.id, "history", true]]);
  });

  it("says nothing about the queue while a send only fails and is retried", async () => {
    const o = await openOutbox();
    trakt.failures.push({ error: new TraktError("retryable", "down", { status: 503 }) });
    await o.submit(intent({ kind: "stop", movie: 4 }, t));
    await o.idle();
    expect(o.depth()).toBe(1);
    // One change: the intent came in. The failed send and its backoff are no change of content.
    expect(ofType("queue").map((e) => e.pending)).toEqual([1]);
    expect(ofType("delivered")).toEqual([]);
    expect(ofType("dead_letter")).toEqual([]);
  });

  it("reports a dead letter with its reason and Trakt's message, and the queue moving it", async () => {
    const o = await openOutbox();
    trakt.failures.push({ error: new TraktError("not_found", "Trakt does not know this item (404)", { status: 404 }) });
    const watch = intent({ kind: "stop", movie: 5, account: "bob" }, t);
    await o.submit(watch);
    await o.idle();
    expect(ofType("dead_letter")).toEqual([
      { type: "dead_letter", at: t, id: watch.id, account: "bob", label: "Movie 5", reason: "not_found", message: expect.stringContaining("404") as string },
    ]);
    expect(ofType("queue").map((e) => [e.pending, e.deadLetters])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    // retry and drop are changes of content too
    await o.retry(watch.id);
    expect(ofType("queue").at(-1)).toMatchObject({ pending: 1, deadLetters: 0 });
    await o.idle();
    expect(ofType("delivered").map((e) => e.id)).toEqual([watch.id]);
    expect(ofType("queue").at(-1)).toMatchObject({ pending: 0, deadLetters: 0 });
  });

  it("reports unknown media as a dead letter with reason unknown_media", async () => {
    const o = await openOutbox();
    const watch = intent({ kind: "stop", hints: { title: "unknown" } }, t);
    await o.submit(watch);
    await o.idle();
    expect(ofType("dead_letter").map((e) => [e.id, e.reason, e.label])).toEqual([[watch.id, "unknown_media", "unknown"]]);
  });

  it("reports a dropped entry as a change of the queue", async () => {
    const o = await openOutbox();
    trakt.down = true;
    const watch = intent({ kind: "stop", movie: 6 }, t);
    await o.submit(watch);
    await o.idle();
    const before = ofType("queue").length;
    await o.drop(watch.id);
    expect(ofType("queue").slice(before).map((e) => e.pending)).toEqual([0]);
  });
});
