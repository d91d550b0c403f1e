// Fuzzing the Plex notification socket: arbitrary frames never throw out of the parser, and random sequences of
// notifications, lookups, listings and outages never make the tracker report nonsense — no stop without a start,
// nothing after a stop but a late verdict, positions inside the item, at most one open session per session key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../src/core/playback.js";
import { parsePlexFrame } from "../../src/players/plex/notifications.js";
import { PlexSessionTracker, type SessionInfo, type TrackerOutput } from "../../src/players/plex/socket-tracker.js";
import { readFixture } from "../support/fixtures.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const DURATION = 1_320_000;

const realFrame = readFixture("media-servers/plex-notifications", "ws-playing.state-error.tautulli-issue-1493.json");

describe("Plex notification frames (fuzz)", () => {
  it(`never throws on arbitrary text, JSON, or the real frame with random values (${RUNS} runs)`, () => {
    const mutated = fc
      .record({ sessionKey: fc.anything(), ratingKey: fc.anything(), viewOffset: fc.anything(), state: fc.oneof(fc.constantFrom("playing", "paused", "stopped", "buffering", "error"), fc.anything()), type: fc.oneof(fc.constant("playing"), fc.anything()) })
      .map((r) => {
        const frame = JSON.parse(realFrame) as { NotificationContainer: { type: unknown; PlaySessionStateNotification: Record<string, unknown>[] } };
        frame.NotificationContainer.type = r.type;
        Object.assign(frame.NotificationContainer.PlaySessionStateNotification[0]!, { sessionKey: r.sessionKey, ratingKey: r.ratingKey, viewOffset: r.viewOffset, state: r.state });
        return JSON.stringify(frame);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2_000 }), fc.json({ maxDepth: 6 }), mutated), (text) => {
        const result = parsePlexFrame(text);
        if (!result.ok) {
          expect(result.reason.length).toBeGreaterThan(0);
          return;
        }
        if (result.notification.type !== "playing") return;
        for (const s of result.notification.sessions) {
          expect(typeof s.sessionKey).toBe("string");
          if (s.viewOffset !== undefined) expect(Number.isFinite(s.viewOffset) && s.viewOffset >= 0).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

type Op =
  | { kind: "notify"; session: number; rating: number; state: "playing" | "paused" | "stopped" | "buffering" | "error"; offset: number }
  | { kind: "resolve"; session: number; ignored: boolean }
  | { kind: "fail"; session: number }
  | { kind: "list"; sessions: number[]; afterConnect: boolean }
  | { kind: "unreachable" }
  | { kind: "expire" }
  | { kind: "viewCount"; rating: number; count: number }
  | { kind: "wait"; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("notify" as const), session: fc.integer({ min: 1, max: 3 }), rating: fc.integer({ min: 1, max: 2 }), state: fc.constantFrom("playing", "paused", "stopped", "buffering", "error"), offset: fc.integer({ min: 0, max: 2 * DURATION }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("resolve" as const), session: fc.integer({ min: 1, max: 3 }), ignored: fc.boolean() }) },
  fc.record({ kind: fc.constant("fail" as const), session: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("list" as const), sessions: fc.subarray([1, 2, 3]), afterConnect: fc.boolean() }),
  fc.record({ kind: fc.constant("unreachable" as const) }),
  fc.record({ kind: fc.constant("expire" as const) }),
  fc.record({ kind: fc.constant("viewCount" as const), rating: fc.integer({ min: 1, max: 2 }), count: fc.integer({ min: 0, max: 3 }) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 120_000 }) }) },
);

function info(ignored: boolean): SessionInfo {
  return {
    user: { id: "1", title: "owner" },
    player: { id: "client", title: "TV" },
    hints: { kind: "movie", title: "Big Trouble in Little China" },
    durationMs: DURATION,
    account: ignored ? undefined : "alice",
    ignored: ignored ? "a clip (pre-roll, trailer or extra)" : undefined,
    viewCount: 0,
  };
}

describe("Plex session tracker (property)", () => {
  it(`reports consistent playthroughs for any sequence of notifications, lookups, listings and outages (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const tracker = new PlexSessionTracker({ player: "plex:home", checkMs: 45_000, progressIntervalMs: 15_000 });
        const events: PlaybackEvent[] = [];
        const lookups = new Map<string, { sessionKey: string; ratingKey: string; key: string | undefined }>();
        let now = 1_700_000_000_000;
        const take = (out: TrackerOutput): void => {
          events.push(...out.events);
          for (const l of out.lookups) lookups.set(l.sessionKey, l);
        };
        for (const o of ops) {
          switch (o.kind) {
            case "notify":
              take(tracker.notify({ sessionKey: String(o.session), ratingKey: String(o.rating), key: `/library/metadata/${o.rating}`, viewOffset: o.offset, state: o.state, clientIdentifier: "client" }, now));
              break;
            case "resolve": {
              const l = lookups.get(String(o.session));
              if (l) take(tracker.resolved(l, info(o.ignored), now));
              break;
            }
            case "fail": {
              const l = lookups.get(String(o.session));
              if (l) tracker.lookupFailed(l, now);
              break;
            }
            case "list":
              take(tracker.listed(o.sessions.map((s) => ({ sessionKey: String(s), ratingKey: "1", key: "/library/metadata/1", clientIdentifier: "client", userId: "1", viewOffset: 1_000, state: "playing" })), now, o.afterConnect));
              break;
            case "unreachable":
              tracker.unreachable(now);
              break;
            case "expire":
              take(tracker.expireUnreachable(now));
              break;
            case "viewCount":
              take(tracker.viewCount(String(o.rating), o.count, now));
              break;
            case "wait":
              now += o.ms;
              break;
          }
          expect(tracker.size).toBeLessThanOrEqual(3);
        }
        take(tracker.endAll(now));
        const byKey = new Map<string, PlaybackEvent[]>();
        for (const e of events) byKey.set(e.sessionKey, [...(byKey.get(e.sessionKey) ?? []), e]);
        for (const [key, list] of byKey) {
          expect(list[0]?.state, key).not.toBe("stopped");
          const stop = list.findIndex((e) => e.state === "stopped");
          // Every playthrough reported ends (endAll), and after its stop only a late verdict may follow.
          expect(stop, key).toBeGreaterThan(0);
          for (const late of list.slice(stop + 1)) expect(late).toMatchObject({ state: "stopped", playerWatched: true });
          for (const e of list) {
            expect(e.positionMs).toBeGreaterThanOrEqual(0);
            expect(e.positionMs).toBeLessThanOrEqual(DURATION);
            expect(e.account).toBe("alice");
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
