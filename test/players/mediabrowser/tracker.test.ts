import { describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { PlaybackTracker, type ObservedPlayback } from "../../../src/players/mediabrowser/tracker.js";

const T0 = Date.parse("2026-12-01T20:00:00Z");
const MOVIE = { kind: "movie" as const, title: "Batman Begins", year: 2005, ids: { imdb: "tt0372784", tmdb: "272" } };
const EPISODE = { kind: "episode" as const, title: "Pilot", showTitle: "Breaking Bad", season: 1, episode: 1, ids: { tvdb: "349232" } };

function tracker(): PlaybackTracker {
  return new PlaybackTracker({ player: "jellyfin", progressIntervalMs: 15_000, seekToleranceMs: 5_000, maxExtrapolationMs: 10_000 });
}

function seen(over: Partial<ObservedPlayback> = {}): ObservedPlayback {
  return { key: "s1/u1", userId: "u1", account: "default", itemId: "m1", hints: MOVIE, durationMs: 100_000, positionMs: 0, paused: false, ...over };
}

type Step = [atMs: number, observed: ObservedPlayback[]];

/** Runs a timeline of pictures; returns every event as "state@position". */
function run(steps: Step[]): { events: PlaybackEvent[]; short: string[] } {
  const t = tracker();
  const events: PlaybackEvent[] = [];
  for (const [at, observed] of steps) events.push(...t.update(observed, T0 + at).events);
  return { events, short: events.map((e) => `${e.state}@${e.positionMs}`) };
}

describe("PlaybackTracker", () => {
  it.each<[string, Step[], string[]]>([
    ["a new playback is reported at once", [[0, [seen({ positionMs: 1_000 })]]], ["playing@1000"]],
    ["a playback opened paused is reported paused", [[0, [seen({ positionMs: 5_000, paused: true })]]], ["paused@5000"]],
    [
      "steady progress is reported at most once per interval",
      [
        [0, [seen({ positionMs: 0 })]],
        [1_500, [seen({ positionMs: 1_500 })]],
        [3_000, [seen({ positionMs: 3_000 })]],
        [15_000, [seen({ positionMs: 15_000 })]],
        [16_500, [seen({ positionMs: 16_500 })]],
      ],
      ["playing@0", "playing@15000"],
    ],
    [
      "pause and resume go out at once, with the reported position",
      [
        [0, [seen({ positionMs: 0 })]],
        [4_000, [seen({ positionMs: 4_000, paused: true })]],
        [9_000, [seen({ positionMs: 4_000, paused: true })]],
        [10_000, [seen({ positionMs: 4_000 })]],
      ],
      ["playing@0", "paused@4000", "playing@4000"],
    ],
    [
      "a jump beyond the tolerance is a seek, reported at once (forward and back)",
      [
        [0, [seen({ positionMs: 0 })]],
        [1_500, [seen({ positionMs: 40_000 })]],
        [3_000, [seen({ positionMs: 41_500 })]],
        [4_500, [seen({ positionMs: 10_000 })]],
      ],
      ["playing@0", "playing@40000", "playing@10000"],
    ],
    [
      "a seek while paused is reported as paused at the new position",
      [
        [0, [seen({ positionMs: 0, paused: true })]],
        [2_000, [seen({ positionMs: 60_000, paused: true })]],
      ],
      ["paused@0", "paused@60000"],
    ],
    [
      "the item disappearing is a stop at the last position moved on by the time since",
      [
        [0, [seen({ positionMs: 0 })]],
        [1_500, [seen({ positionMs: 1_500 })]],
        [2_700, []],
      ],
      ["playing@0", "stopped@2700"],
    ],
    [
      "a stop after a long silence moves the position on by 10 s at most",
      [
        [0, [seen({ positionMs: 20_000 })]],
        [60_000, []],
      ],
      ["playing@20000", "stopped@30000"],
    ],
    [
      "a stop while paused is at the paused position",
      [
        [0, [seen({ positionMs: 20_000, paused: true })]],
        [30_000, []],
      ],
      ["paused@20000", "stopped@20000"],
    ],
    [
      "the moved-on position never passes the end",
      [
        [0, [seen({ positionMs: 99_000 })]],
        [8_000, []],
      ],
      ["playing@99000", "stopped@100000"],
    ],
    [
      "another item in the same session stops the first, then starts the second",
      [
        [0, [seen({ positionMs: 90_000 })]],
        [1_000, [seen({ itemId: "e1", hints: EPISODE, positionMs: 0, durationMs: 3_000_000 })]],
      ],
      ["playing@90000", "stopped@91000", "playing@0"],
    ],
    [
      "a picture without a position keeps the moved-on one (Jellyfin omits it right after a track change)",
      [
        [0, [seen({ positionMs: 10_000 })]],
        [1_500, [seen({ positionMs: undefined })]],
        [3_000, [seen({ positionMs: 13_000 })]],
        [4_000, []],
      ],
      ["playing@10000", "stopped@14000"],
    ],
  ])("%s", (_name, steps, expected) => {
    expect(run(steps).short).toEqual(expected);
  });

  it("follows two users of one SyncPlay session apart, each to its account", () => {
    const t = tracker();
    const first = t.update([seen({ key: "s1/alice", userId: "alice", account: "default" }), seen({ key: "s1/bob", userId: "bob", account: "bob" })], T0);
    expect(first.events.map((e) => [e.sessionKey, e.account])).toEqual([
      ["s1/alice", "default"],
      ["s1/bob", "bob"],
    ]);
    const end = t.update([], T0 + 2_000);
    expect(end.finished.map((f) => f.userId).sort()).toEqual(["alice", "bob"]);
  });

  it("a user routed to another account (a config reload) is a new playback", () => {
    const t = tracker();
    t.update([seen({ account: "default" })], T0);
    const out = t.update([seen({ account: "alice", positionMs: 1_000 })], T0 + 1_000);
    expect(out.events.map((e) => `${e.state}:${e.account}`)).toEqual(["stopped:default", "playing:alice"]);
  });

  it("events carry duration, progress, hints and the finished playback what the verdict needs", () => {
    const t = tracker();
    const start = t.update([seen({ positionMs: 25_000 })], T0).events[0]!;
    expect(start).toMatchObject({ player: "jellyfin", sessionKey: "s1/u1", state: "playing", positionMs: 25_000, durationMs: 100_000, progress: 25, observedAt: T0, hints: MOVIE, account: "default" });
    const out = t.update([], T0 + 1_000);
    expect(out.finished).toEqual([{ key: "s1/u1", userId: "u1", account: "default", itemId: "m1", hints: MOVIE, positionMs: 26_000, durationMs: 100_000 }]);
    expect(out.events[0]).toMatchObject({ state: "stopped", progress: 26 });
  });

  it("finishAll stops everything still open, once", () => {
    const t = tracker();
    t.update([seen(), seen({ key: "s2/u1", itemId: "m2" })], T0);
    expect(t.finishAll(T0 + 500).events.map((e) => e.state)).toEqual(["stopped", "stopped"]);
    expect(t.finishAll(T0 + 600).events).toEqual([]);
    expect(t.current(T0)).toEqual([]);
  });

  it("an unchanged picture repeated by the server changes nothing between intervals", () => {
    const t = tracker();
    t.update([seen({ positionMs: 5_000, paused: true })], T0);
    for (let i = 1; i <= 20; i++) expect(t.update([seen({ positionMs: 5_000, paused: true })], T0 + i * 1_500).events).toEqual([]);
  });
});
