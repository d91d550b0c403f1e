// Property tests over random event sequences. FUZZ_RUNS=20000 for the long form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlaybackEvent, PlaybackState } from "../../src/core/playback.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import { newSession, step, type SessionSettings, type SessionState } from "../../src/scrobble/session.js";
import { DURATION_MS, ITEMS, T0 } from "./helpers.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type Input =
  | { kind: "event"; dt: number; session: "s1" | "s2"; state: PlaybackState; progress: number | "natural" | undefined; item: "A" | "B" | "C"; positionKnown: boolean; verdict: boolean }
  | { kind: "tick"; dt: number };

const ALL_ITEMS = { ...ITEMS, C: { kind: "episode", showTitle: "Show", season: 1, episode: 1 } } as const;

// Mostly small steps (debounce, seek windows), sometimes long ones (stale, close, preview).
const dtArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 10, 30, 60) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 600 }) },
  { weight: 1, arbitrary: fc.constantFrom(299, 300, 301, 3600, 4000) },
);

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("event" as const),
      dt: dtArb,
      session: fc.constantFrom("s1" as const, "s2" as const),
      state: fc.constantFrom<PlaybackState>("playing", "playing", "paused", "stopped", "ended"),
      // "natural": where playing since the session's last report would have got to (1 % per minute).
      progress: fc.oneof(
        { weight: 3, arbitrary: fc.constant("natural" as const) },
        { weight: 2, arbitrary: fc.double({ min: -5, max: 110, noNaN: true }) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      item: fc.constantFrom("A" as const, "A" as const, "B" as const, "C" as const),
      positionKnown: fc.boolean(),
      // Now and then the player's own "watched" verdict, with any state (also a stop after the stop).
      verdict: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("tick" as const), dt: dtArb }) },
);

const settingsArb: fc.Arbitrary<SessionSettings> = fc.record({
  watchedThreshold: fc.oneof(fc.constant(80), fc.integer({ min: 50, max: 99 })),
  previewSeconds: fc.constantFrom(0, 30, 60, 600),
  staleAfterSeconds: fc.constantFrom(60, 300),
  closeAfterSeconds: fc.constantFrom(120, 3600),
  pauseDebounceSeconds: fc.constantFrom(0, 2, 5),
  seekDebounceSeconds: fc.constantFrom(0, 3),
  seekToleranceSeconds: fc.constantFrom(5, 10),
  trustPlayerVerdict: fc.boolean(),
});

function toEvent(inp: Extract<Input, { kind: "event" }>, now: number, progress: number | undefined): PlaybackEvent {
  const e: PlaybackEvent = { player: "mpv:fuzz", sessionKey: inp.session, state: inp.state, observedAt: now, hints: ALL_ITEMS[inp.item] };
  if (inp.verdict) e.playerWatched = true;
  if (progress !== undefined) {
    if (inp.positionKnown) {
      e.positionMs = Math.max(0, Math.round((progress / 100) * DURATION_MS));
      e.durationMs = DURATION_MS;
    } else {
      e.progress = progress;
    }
  }
  return e;
}

/** Runs inputs through one machine per session, then shuts down. `repeat[i]` = how often event i is delivered. */
function drive(inputs: Input[], settings: SessionSettings, repeat: number[] = []): ScrobbleIntent[] {
  const sessions = new Map<string, SessionState>();
  const out: ScrobbleIntent[] = [];
  const lastProgress = new Map<string, { progress: number; at: number }>();
  let now = T0;
  inputs.forEach((inp, index) => {
    now += inp.dt * 1000;
    if (inp.kind === "tick") {
      for (const [key, st] of sessions) {
        const r = step(st, { kind: "tick" }, now, settings);
        sessions.set(key, r.state);
        out.push(...r.intents);
      }
      return;
    }
    let progress: number | undefined;
    if (inp.progress === "natural") {
      const last = lastProgress.get(inp.session);
      progress = last ? last.progress + (now - last.at) / 60_000 : 10;
    } else {
      progress = inp.progress;
    }
    if (progress !== undefined) lastProgress.set(inp.session, { progress, at: now });
    const event = toEvent(inp, now, progress);
    for (let n = 0; n < (repeat[index] ?? 1); n++) {
      const r = step(sessions.get(inp.session) ?? newSession("mpv:fuzz", inp.session, now), { kind: "event", event: structuredClone(event) }, now, settings);
      sessions.set(inp.session, r.state);
      out.push(...r.intents);
    }
  });
  for (const [key, st] of sessions) {
    const r = step(st, { kind: "shutdown" }, now, settings);
    sessions.set(key, r.state);
    out.push(...r.intents);
  }
  return out;
}

const scenario = fc.record({ inputs: fc.array(inputArb, { minLength: 5, maxLength: 80, size: "medium" }), settings: settingsArb });

describe("session state machine properties", () => {
  it("never sends pause, stop or watched before a start of that playthrough and session", () => {
    fc.assert(
      fc.property(scenario, ({ inputs, settings }) => {
        const started = new Set<string>();
        for (const intent of drive(inputs, settings)) {
          const key = `${intent.sessionKey}/${intent.playthroughId}`;
          if (intent.kind === "start") started.add(key);
          else expect(started.has(key), `${intent.kind} ${intent.id} without start`).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("sends at most one watch per playthrough, and only at or above the thresholds unless the player counted it", () => {
    fc.assert(
      fc.property(scenario, ({ inputs, settings }) => {
        const watches = new Map<string, number>();
        // Items the player gave a verdict on: only these may count below the thresholds, and only when trusted.
        const counted = new Set(inputs.flatMap((i) => (i.kind === "event" && i.verdict && settings.trustPlayerVerdict ? [JSON.stringify(ALL_ITEMS[i.item])] : [])));
        for (const intent of drive(inputs, settings)) {
          if (intent.kind !== "stop" && intent.kind !== "watched") continue;
          watches.set(intent.playthroughId, (watches.get(intent.playthroughId) ?? 0) + 1);
          if (intent.kind === "stop") expect(intent.progress).toBeGreaterThanOrEqual(80);
          if (!counted.has(JSON.stringify(intent.hints))) {
            expect(intent.progress).toBeGreaterThanOrEqual(settings.watchedThreshold);
            if (intent.kind === "watched") expect(intent.progress).toBeLessThan(80);
          }
          expect(intent.endedAt).toBeTypeOf("number");
          expect(intent.endedAt!).toBeLessThanOrEqual(intent.createdAt);
        }
        for (const count of watches.values()) expect(count).toBe(1);
      }),
      { numRuns: RUNS },
    );
  });

  it("sends progress within [1, 100] and unique intent ids", () => {
    fc.assert(
      fc.property(scenario, ({ inputs, settings }) => {
        const intents = drive(inputs, settings);
        for (const intent of intents) {
          expect(Number.isFinite(intent.progress)).toBe(true);
          expect(intent.progress).toBeGreaterThanOrEqual(1);
          expect(intent.progress).toBeLessThanOrEqual(100);
        }
        expect(new Set(intents.map((i) => i.id)).size).toBe(intents.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the same intent stream whether events arrive once or repeated", () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: s.inputs.length, maxLength: s.inputs.length }))),
        ([{ inputs, settings }, repeat]) => {
          expect(drive(inputs, settings, repeat)).toEqual(drive(inputs, settings));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("the random scenarios", () => {
  it("reach every kind of intent (so the properties above are not vacuous)", () => {
    const kinds = new Map<string, number>();
    for (const { inputs, settings } of fc.sample(scenario, { numRuns: 300, seed: 42 })) {
      for (const intent of drive(inputs, settings)) kinds.set(intent.kind, (kinds.get(intent.kind) ?? 0) + 1);
    }
    console.log("intent kinds over 300 sampled scenarios:", Object.fromEntries(kinds));
    for (const kind of ["start", "pause", "stop", "watched"]) expect(kinds.get(kind) ?? 0).toBeGreaterThan(10);
  });
});
