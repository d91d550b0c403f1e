// A small language for table tests: steps in (seconds, what happened), intents out as "kind progress".
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../src/core/playback.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import { newSession, step, type SessionSettings, type SessionState } from "../../src/scrobble/session.js";

export const baseSettings: SessionSettings = {
  watchedThreshold: 80,
  previewSeconds: 60,
  staleAfterSeconds: 300,
  closeAfterSeconds: 3600,
  pauseDebounceSeconds: 5,
  seekDebounceSeconds: 3,
  seekToleranceSeconds: 10,
};

/** 100-minute items: 1 % of progress is one minute of playing. */
export const DURATION_MS = 100 * 60_000;
export const T0 = Date.UTC(2026, 10, 27, 20, 0, 0);

export const ITEMS = {
  A: { kind: "movie", title: "Alpha", year: 2001, path: "/media/alpha.mkv" },
  B: { kind: "movie", title: "Beta", year: 2002, path: "/media/beta.mkv" },
} satisfies Record<string, MediaHints>;
export type ItemName = keyof typeof ITEMS;

/** "watched": the event carries the player's own verdict (`playerWatched`). */
export type Step =
  | [seconds: number, state: PlaybackState, progress?: number, item?: ItemName, verdict?: "watched"]
  | [seconds: number, what: "tick" | "shutdown"];

export function event(seconds: number, state: PlaybackState, progress?: number, item: ItemName = "A", verdict?: "watched"): PlaybackEvent {
  const e: PlaybackEvent = {
    player: "mpv:test",
    sessionKey: "s1",
    state,
    observedAt: T0 + seconds * 1000,
    hints: ITEMS[item],
  };
  if (verdict === "watched") e.playerWatched = true;
  if (progress !== undefined) {
    e.positionMs = Math.round((progress / 100) * DURATION_MS);
    e.durationMs = DURATION_MS;
  }
  return e;
}

export function runSteps(steps: Step[], settings: SessionSettings = baseSettings): { intents: ScrobbleIntent[]; state: SessionState } {
  let state = newSession("mpv:test", "s1", T0);
  const intents: ScrobbleIntent[] = [];
  for (const s of steps) {
    const now = T0 + s[0] * 1000;
    const input =
      s[1] === "tick" || s[1] === "shutdown"
        ? { kind: s[1] }
        : { kind: "event" as const, event: event(s[0], s[1], s[2], s[3], s[4]) };
    const r = step(state, input, now, settings);
    state = r.state;
    intents.push(...r.intents);
  }
  return { intents, state };
}

/** "start 10", "stop 100 A"… — item name added when more than one item is involved. */
export function show(intents: ScrobbleIntent[], withItem = false): string[] {
  return intents.map((i) => {
    const name = Object.entries(ITEMS).find(([, h]) => h.path === i.hints.path)?.[0] ?? "?";
    return `${i.kind} ${i.progress}${withItem ? ` ${name}` : ""}`;
  });
}
