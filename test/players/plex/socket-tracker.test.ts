// The pure session tracker of the Plex notification socket: each rule as a table of inputs → events. Notifications
// have the shape of the real captures (Tautulli #1493: sessionKey, clientIdentifier, ratingKey, key, viewOffset,
// state); the episode is the one of test/fixtures/media-servers/plex-notifications (Bob's Burgers S09E15, 22 min).
import { describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import type { PlaySessionState } from "../../../src/players/plex/notifications.js";
import { MAX_SESSIONS, PlexSessionTracker, type ListedSession, type SessionInfo, type TrackerOutput } from "../../../src/players/plex/socket-tracker.js";

const T0 = Date.parse("2026-11-27T20:00:00Z");
const CHECK_MS = 45_000;
const DURATION = 1_320_000;
const CLIENT = "lc67jl41c87g9tqmftb3n8le";

function note(state: PlaySessionState["state"], viewOffset: number | undefined, sessionKey = "42", ratingKey = "146734", clientIdentifier: string | undefined = CLIENT): PlaySessionState {
  return { sessionKey, ratingKey, key: `/library/metadata/${ratingKey}`, viewOffset, state, clientIdentifier };
}

function info(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    user: { id: "1", title: "melissar26" },
    player: { id: CLIENT, title: "Melissas-Air-2.localdomain" },
    hints: { kind: "episode", showTitle: "Bob's Burgers", season: 9, episode: 15, title: "The Fresh Princ-ipal" },
    durationMs: DURATION,
    account: "alice",
    ignored: undefined,
    viewCount: undefined,
    ...overrides,
  };
}

function listed(sessionKey: string, viewOffset: number, state = "playing", ratingKey = "146734", userId = "1"): ListedSession {
  return { sessionKey, ratingKey, key: `/library/metadata/${ratingKey}`, clientIdentifier: CLIENT, userId, viewOffset, state };
}

/** A tracker plus a log of everything it emitted. */
function harness(): { tracker: PlexSessionTracker; events: PlaybackEvent[]; take: (out: TrackerOutput) => TrackerOutput } {
  const tracker = new PlexSessionTracker({ player: "plex:home", checkMs: CHECK_MS, progressIntervalMs: 15_000 });
  const events: PlaybackEvent[] = [];
  return { tracker, events, take: (out) => (events.push(...out.events), out) };
}

const brief = (e: PlaybackEvent): string => `${e.state}@${e.positionMs}${e.playerWatched ? " watched" : ""}`;

/** Plays a resolved session to the point where it reported `playing` at `offset`. */
function playing(h: ReturnType<typeof harness>, offset: number, at = T0, overrides: Partial<SessionInfo> = {}): void {
  const out = h.take(h.tracker.notify(note("playing", offset), at));
  expect(out.lookups).toEqual([{ sessionKey: "42", ratingKey: "146734", key: "/library/metadata/146734" }]);
  h.take(h.tracker.resolved(out.lookups[0]!, info(overrides), at));
}

describe("Plex session tracker", () => {
  it("looks a session up once at first sight and reports nothing before it is known", () => {
    const h = harness();
    const first = h.take(h.tracker.notify(note("buffering", 0), T0));
    expect(first.lookups).toHaveLength(1);
    // Notifications while the lookup runs: only the latest state counts.
    expect(h.take(h.tracker.notify(note("playing", 2_000), T0 + 1_000)).lookups).toEqual([]);
    expect(h.take(h.tracker.notify(note("paused", 3_000), T0 + 2_000)).lookups).toEqual([]);
    expect(h.events).toEqual([]);
    h.take(h.tracker.resolved(first.lookups[0]!, info(), T0 + 2_500));
    expect(h.events.map(brief)).toEqual(["paused@3000"]);
    expect(h.events[0]).toMatchObject({ player: "plex:home", account: "alice", durationMs: DURATION, hints: { showTitle: "Bob's Burgers" } });
    expect(h.events[0]!.progress).toBeCloseTo((3_000 / DURATION) * 100, 6);
  });

  it.each([
    {
      name: "buffering is not a pause",
      steps: [["playing", 2_000, 0], ["buffering", 2_000, 1_000], ["playing", 4_000, 3_000]] as const,
      expected: ["playing@2000"],
    },
    {
      name: "pause and resume are reported at once",
      steps: [["playing", 2_000, 0], ["playing", 12_000, 10_000], ["paused", 25_500, 23_500], ["paused", 25_500, 33_500], ["playing", 35_500, 43_500]] as const,
      expected: ["playing@2000", "paused@25500", "playing@35500"],
    },
    {
      name: "a seek is reported at once; steady playing only every 15 s",
      steps: [["playing", 0, 0], ["playing", 1_000, 1_000], ["playing", 2_000, 2_000], ["playing", 600_000, 3_000], ["playing", 601_000, 4_000], ["playing", 614_000, 17_000], ["playing", 619_000, 22_000]] as const,
      expected: ["playing@0", "playing@600000", "playing@619000"],
    },
    {
      name: "stopped ends the session at the position it carries",
      steps: [["playing", 0, 0], ["playing", 1_189_000, 1_189_000], ["stopped", 1_189_500, 1_190_000]] as const,
      expected: ["playing@0", "playing@1189000", "stopped@1189500"],
    },
    {
      name: "a stop reported at offset 0 after real progress ends at the last known position",
      steps: [["playing", 0, 0], ["playing", 700_000, 700_000], ["stopped", 0, 701_000]] as const,
      expected: ["playing@0", "playing@700000", "stopped@700000"],
    },
    {
      name: "an error ends the session at its last known position",
      steps: [["playing", 0, 0], ["playing", 300_000, 300_000], ["error", 0, 301_000]] as const,
      expected: ["playing@0", "playing@300000", "stopped@300000"],
    },
  ])("$name", ({ steps, expected }) => {
    const h = harness();
    const [first, ...rest] = steps;
    playing(h, first[1], T0 + first[2]);
    for (const [state, offset, at] of rest) h.take(h.tracker.notify(note(state, offset), T0 + at));
    expect(h.events.map(brief)).toEqual(expected);
  });

  it("a new ratingKey on the same sessionKey is a stop of the old item and the start of the new one", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 1_200_000), T0 + 1_200_000));
    const next = h.take(h.tracker.notify(note("playing", 0, "42", "146735"), T0 + 1_201_000));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@1200000", "stopped@1200000"]);
    expect(next.lookups).toEqual([{ sessionKey: "42", ratingKey: "146735", key: "/library/metadata/146735" }]);
    h.take(h.tracker.resolved(next.lookups[0]!, info({ hints: { kind: "episode", showTitle: "Bob's Burgers", season: 9, episode: 16 } }), T0 + 1_201_500));
    const [, , stop, start] = h.events;
    expect(start?.state).toBe("playing");
    expect(start?.sessionKey).not.toBe(stop?.sessionKey);
  });

  it("a pre-roll (a clip on the same sessionKey) and Live TV report nothing; the feature after the pre-roll does", () => {
    const h = harness();
    const clip = h.take(h.tracker.notify(note("playing", 0, "95", "203214"), T0));
    h.take(h.tracker.resolved(clip.lookups[0]!, info({ ignored: "a clip (pre-roll, trailer or extra)", account: undefined }), T0));
    h.take(h.tracker.notify(note("playing", 5_000, "95", "203214"), T0 + 5_000));
    const feature = h.take(h.tracker.notify(note("playing", 0, "95", "146734"), T0 + 6_500));
    expect(h.events).toEqual([]);
    h.take(h.tracker.resolved(feature.lookups[0]!, info(), T0 + 7_000));
    expect(h.events.map(brief)).toEqual(["playing@0"]);
    const live = h.take(h.tracker.notify({ ...note("buffering", 0, "110", "com.gracenote.onconnect://episode/EP019919100088"), key: "/livetv/sessions/55661ae9" }, T0));
    h.take(h.tracker.resolved(live.lookups[0]!, info({ ignored: "Live TV", account: undefined }), T0));
    h.take(h.tracker.notify({ ...note("playing", 60_000, "110", "com.gracenote.onconnect://episode/EP019919100088"), key: "/livetv/sessions/55661ae9" }, T0 + 60_000));
    expect(h.events.map(brief)).toEqual(["playing@0"]);
  });

  it("a user not mapped to a Trakt account is followed but never reported", () => {
    const h = harness();
    playing(h, 0, T0, { account: undefined, ignored: "Plex user guest is not mapped to a Trakt account" });
    h.take(h.tracker.notify(note("paused", 60_000), T0 + 60_000));
    h.take(h.tracker.notify(note("stopped", 60_000), T0 + 61_000));
    expect(h.events).toEqual([]);
    expect(h.tracker.size).toBe(0);
  });

  it("a session stopped before its lookup finished reports nothing (never a stop without a start)", () => {
    const h = harness();
    const out = h.take(h.tracker.notify(note("playing", 0), T0));
    h.take(h.tracker.notify(note("stopped", 4_000), T0 + 4_000));
    h.take(h.tracker.resolved(out.lookups[0]!, info(), T0 + 5_000));
    expect(h.events).toEqual([]);
  });

  it("a failed lookup is tried again with a later notification, not with every one", () => {
    const h = harness();
    const out = h.take(h.tracker.notify(note("playing", 0), T0));
    h.tracker.lookupFailed(out.lookups[0]!, T0 + 100);
    expect(h.tracker.notify(note("playing", 1_000), T0 + 1_000).lookups).toEqual([]);
    expect(h.tracker.notify(note("playing", 6_000), T0 + 6_000).lookups).toHaveLength(1);
  });

  it("a silent session is checked against /status/sessions: still listed it lives on, gone it ends at its last known position", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 900_000), T0 + 900_000));
    expect(h.tracker.needsCheck(T0 + 900_000 + CHECK_MS - 1)).toBe(false);
    expect(h.tracker.nextDueAt()).toBe(T0 + 900_000 + CHECK_MS);
    expect(h.tracker.needsCheck(T0 + 900_000 + CHECK_MS)).toBe(true);
    h.take(h.tracker.listed([listed("42", 930_000)], T0 + 945_000, false));
    expect(h.tracker.needsCheck(T0 + 945_000 + CHECK_MS - 1)).toBe(false);
    // The client never says `stopped`; the server drops the session.
    h.take(h.tracker.listed([], T0 + 990_000, false));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@900000", "stopped@900000"]);
    // Stamped when that position was heard, not when the silence was noticed.
    expect(h.events[2]!.observedAt).toBe(T0 + 900_000);
    expect(h.tracker.nextDueAt()).toBeUndefined();
  });

  it("past the threshold the silent end is a watch-sized stop (not a pause left to stale timers)", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 1_250_000), T0 + 1_250_000));
    h.take(h.tracker.listed([], T0 + 1_300_000, false));
    const stop = h.events.at(-1)!;
    expect(stop.state).toBe("stopped");
    expect(stop.progress).toBeGreaterThan(94);
  });

  it("picks up sessions already playing when it connects", () => {
    const h = harness();
    const out = h.take(h.tracker.listed([listed("42", 622_000, "paused"), listed("43", 10_000, "playing", "26697", "77")], T0, true));
    expect(out.lookups.map((l) => l.sessionKey)).toEqual(["42", "43"]);
    h.take(h.tracker.resolved(out.lookups[0]!, info(), T0 + 10));
    h.take(h.tracker.resolved(out.lookups[1]!, info({ user: { id: "77", title: "bob" }, account: "bob", hints: { kind: "movie", title: "Big Trouble in Little China" }, durationMs: 5_940_000 }), T0 + 20));
    expect(h.events.map((e) => `${e.account} ${brief(e)}`)).toEqual(["alice paused@622000", "bob playing@10000"]);
  });

  it("a restarted server's new sessionKey for the same player, user and item continues the same playthrough", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 300_000), T0 + 300_000));
    h.tracker.unreachable(T0 + 301_000);
    // Back 20 s later: session keys start over; the client has not resumed yet.
    h.take(h.tracker.listed([], T0 + 321_000, true));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@300000"]);
    expect(h.tracker.summary(T0 + 321_000)[0]?.state).toBe("waiting for the server");
    // The client resumes under sessionKey 1; the check finds it before giving up on the old one.
    h.take(h.tracker.listed([listed("1", 302_000)], T0 + 321_000 + CHECK_MS, false));
    h.take(h.tracker.notify(note("playing", 340_000, "1"), T0 + 370_000));
    h.take(h.tracker.notify(note("stopped", 1_300_000, "1"), T0 + 1_330_000));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@300000", "playing@340000", "stopped@1300000"]);
    expect(new Set(h.events.map((e) => e.sessionKey)).size).toBe(1);
  });

  it("a continuation first seen through a notification is adopted when its lookup finishes", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 300_000), T0 + 300_000));
    h.take(h.tracker.listed([], T0 + 320_000, true));
    const out = h.take(h.tracker.notify(note("playing", 303_000, "1"), T0 + 325_000));
    h.take(h.tracker.resolved(out.lookups[0]!, info(), T0 + 325_500));
    expect(new Set(h.events.map((e) => e.sessionKey)).size).toBe(1);
    expect(h.tracker.size).toBe(1);
  });

  it("a session the restarted server never lists again ends at its last known position at the next check", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 300_000), T0 + 300_000));
    h.take(h.tracker.listed([], T0 + 320_000, true));
    expect(h.tracker.nextDueAt()).toBe(T0 + 320_000 + CHECK_MS);
    h.take(h.tracker.listed([listed("1", 5_000, "playing", "26697", "77")], T0 + 320_000 + CHECK_MS, false));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@300000", "stopped@300000"]);
  });

  it("a server unreachable for the check time ends every session at its last known position", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("playing", 400_000), T0 + 400_000));
    h.tracker.unreachable(T0 + 401_000);
    expect(h.tracker.expireUnreachable(T0 + 401_000 + CHECK_MS - 1).events).toEqual([]);
    h.take(h.tracker.expireUnreachable(T0 + 401_000 + CHECK_MS));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@400000", "stopped@400000"]);
  });

  it("a failed check waits another check time (no retry loop), and the session ends if the server stays away", () => {
    const h = harness();
    playing(h, 0);
    h.tracker.unreachable(T0 + CHECK_MS);
    h.tracker.deferChecks(T0 + CHECK_MS);
    expect(h.tracker.nextDueAt()).toBe(T0 + 2 * CHECK_MS);
    h.take(h.tracker.expireUnreachable(T0 + 2 * CHECK_MS));
    expect(h.events.map(brief)).toEqual(["playing@0", "stopped@0"]);
  });

  it("the server marking the item played (its viewCount rose) is the player's verdict, also after the stop", () => {
    const h = harness();
    playing(h, 0, T0, { viewCount: 2 });
    h.take(h.tracker.notify(note("playing", 1_200_000), T0 + 1_200_000));
    expect(h.tracker.verdictCandidates()).toEqual(["146734"]);
    expect(h.take(h.tracker.viewCount("146734", 2, T0 + 1_200_500)).events).toEqual([]);
    h.take(h.tracker.viewCount("146734", 3, T0 + 1_201_000));
    h.take(h.tracker.notify(note("stopped", 1_300_000), T0 + 1_300_000));
    expect(h.events.map(brief)).toEqual(["playing@0", "playing@1200000", "playing@1200000 watched", "stopped@1300000 watched"]);
    // Told after the stop: a second stopped carries it.
    const late = harness();
    playing(late, 0, T0, { viewCount: 0 });
    late.take(late.tracker.notify(note("stopped", 1_310_000), T0 + 1_310_000));
    late.take(late.tracker.viewCount("146734", 1, T0 + 1_311_000));
    expect(late.events.map(brief)).toEqual(["playing@0", "stopped@1310000", "stopped@1310000 watched"]);
    expect(late.tracker.verdictCandidates()).toEqual([]);
  });

  it("another user's session has no verdict (the owner's token shows the owner's viewCount)", () => {
    const h = harness();
    playing(h, 0, T0, { user: { id: "77", title: "bob" }, account: "bob", viewCount: undefined });
    expect(h.tracker.verdictCandidates()).toEqual([]);
    expect(h.tracker.viewCount("146734", 5, T0 + 1_000).events).toEqual([]);
  });

  it(`follows at most ${MAX_SESSIONS} sessions at once: a server announcing thousands costs neither memory nor lookups`, () => {
    const h = harness();
    let lookups = 0;
    for (let i = 0; i < 5_000; i++) lookups += h.tracker.notify(note("playing", 0, String(i)), T0).lookups.length;
    // The listing confirms the ones followed and announces hundreds more.
    lookups += h.tracker.listed(Array.from({ length: 1_000 }, (_, i) => listed(String(i), 0, "playing", "146734")), T0, false).lookups.length;
    expect(h.tracker.size).toBe(MAX_SESSIONS);
    expect(lookups).toBe(MAX_SESSIONS);
  });

  it("ends what it reported when the adapter stops", () => {
    const h = harness();
    playing(h, 0);
    h.take(h.tracker.notify(note("paused", 500_000), T0 + 500_000));
    h.take(h.tracker.endAll(T0 + 600_000));
    expect(h.events.map(brief)).toEqual(["playing@0", "paused@500000", "stopped@500000"]);
    expect(h.tracker.size).toBe(0);
  });

  it("sums up its sessions for status", () => {
    const h = harness();
    playing(h, 660_000);
    expect(h.tracker.summary(T0)).toEqual([
      { sessionKey: "42", user: "melissar26", player: "Melissas-Air-2.localdomain", item: "Bob's Burgers S09E15 The Fresh Princ-ipal", state: "playing", progress: 50, account: "alice", ignored: undefined },
    ]);
  });
});
