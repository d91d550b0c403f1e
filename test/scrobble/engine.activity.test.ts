// The engine tells the activity stream when what `snapshot()` shows changes, and only then.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import type { PlaybackEvent, PlaybackState } from "../../src/core/playback.js";
import { ScrobbleEngine } from "../../src/scrobble/engine.js";
import type { IntentSink } from "../../src/scrobble/intent.js";
import { baseSettings, DURATION_MS, ITEMS, T0 } from "./helpers.js";

const sink: IntentSink = { submit: () => Promise.resolve() };
let engine: ScrobbleEngine;
let reports: ActivityEvent[];

function ev(state: PlaybackState, progress: number, sessionKey = "s1"): PlaybackEvent {
  return { player: "mpv:test", sessionKey, state, observedAt: Date.now(), hints: ITEMS.A, positionMs: Math.round((progress / 100) * DURATION_MS), durationMs: DURATION_MS };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  reports = [];
  const activity = new Activity();
  activity.subscribe((e) => reports.push(e));
  engine = new ScrobbleEngine({ sink, settings: baseSettings, activity });
});

afterEach(async () => {
  await engine.stop();
  vi.useRealTimers();
});

describe("engine activity", () => {
  it("reports a session starting, its progress, its pause and its end — with the snapshot showing each", async () => {
    engine.handle(ev("playing", 10));
    expect(reports).toEqual([{ type: "sessions", at: T0 }]);
    expect(engine.snapshot().map((s) => [s.state, s.progress])).toEqual([["playing", 10]]);

    await vi.advanceTimersByTimeAsync(60_000);
    engine.handle(ev("playing", 11));
    expect(reports).toHaveLength(2);
    expect(engine.snapshot()[0]?.progress).toBe(11);

    engine.handle(ev("paused", 11));
    expect(reports).toHaveLength(3);
    expect(engine.snapshot()[0]?.state).toBe("paused");

    engine.handle(ev("stopped", 11));
    expect(reports).toHaveLength(4);
    expect(engine.snapshot()).toEqual([]);
  });

  it("says nothing for a repeated event, nor for timers that change nothing shown", async () => {
    engine.handle(ev("playing", 10));
    engine.handle(ev("playing", 10));
    expect(reports).toHaveLength(1);
    engine.handle(ev("stopped", 10));
    expect(reports).toHaveLength(2);
    // The ended session is forgotten later by a timer: it was not shown any more, so that is no news.
    await vi.advanceTimersByTimeAsync((baseSettings.closeAfterSeconds + 60) * 1000);
    await engine.idle();
    expect(reports).toHaveLength(2);
  });

  it("reports what Trakt was told when a debounced pause goes out", async () => {
    engine.handle(ev("playing", 10));
    await vi.advanceTimersByTimeAsync(60_000);
    engine.handle(ev("paused", 11));
    const seen = reports.length;
    expect(engine.snapshot()[0]?.trakt).toBe("playing");
    await vi.advanceTimersByTimeAsync(baseSettings.pauseDebounceSeconds * 1000 + 100);
    expect(engine.snapshot()[0]?.trakt).toBe("paused");
    expect(reports).toHaveLength(seen + 1);
  });

  it("reports a session going stale when its player falls silent", async () => {
    // A player that reports while playing (two reports within the stale time) and then goes quiet.
    engine.handle(ev("playing", 10));
    await vi.advanceTimersByTimeAsync(60_000);
    engine.handle(ev("playing", 11));
    await vi.advanceTimersByTimeAsync((baseSettings.staleAfterSeconds + 5) * 1000);
    expect(engine.snapshot()[0]?.state).toBe("stale");
    expect(reports).toHaveLength(3);
    const count = reports.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reports).toHaveLength(count);
  });

  it("reports once at shutdown when sessions were shown, and not at all when none were", async () => {
    engine.handle(ev("playing", 10, "a"));
    engine.handle(ev("playing", 20, "b"));
    expect(reports).toHaveLength(2);
    await engine.stop();
    expect(reports).toHaveLength(3);

    const quiet: ActivityEvent[] = [];
    const activity = new Activity();
    activity.subscribe((e) => quiet.push(e));
    const idle = new ScrobbleEngine({ sink, settings: baseSettings, activity });
    await idle.stop();
    expect(quiet).toEqual([]);
  });
});
