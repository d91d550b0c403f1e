import { describe, expect, it } from "vitest";
import { extrapolatePositionMs, nextPollDelayMs } from "../../../src/players/kodi/poll.js";

const base = { durationMs: 100_000, speed: 1, thresholdPercent: 80, minMs: 1_000, maxMs: 15_000 };

describe("nextPollDelayMs", () => {
  it.each([
    { positionMs: 0, want: 15_000, why: "far from the threshold: the longest gap" },
    { positionMs: 60_000, want: 10_000, why: "20 s before 80 %: half of it" },
    { positionMs: 76_000, want: 2_000, why: "4 s before: 2 s" },
    { positionMs: 79_500, want: 1_000, why: "just before: never below the minimum" },
    { positionMs: 80_500, want: 9_750, why: "past the threshold: aims at the end" },
    { positionMs: 99_000, want: 1_000, why: "just before the end" },
  ])("$why", ({ positionMs, want }) => {
    expect(nextPollDelayMs({ ...base, positionMs })).toBe(want);
  });

  it("at speed 2 the threshold comes twice as fast", () => {
    expect(nextPollDelayMs({ ...base, positionMs: 60_000, speed: 2 })).toBe(5_000);
  });

  it("paused, unknown duration or rewinding: the longest gap", () => {
    expect(nextPollDelayMs({ ...base, positionMs: 70_000, speed: 0 })).toBe(15_000);
    expect(nextPollDelayMs({ ...base, positionMs: 70_000, durationMs: undefined })).toBe(15_000);
    expect(nextPollDelayMs({ ...base, positionMs: 70_000, speed: -2 })).toBe(15_000);
  });
});

describe("extrapolatePositionMs", () => {
  const seen = { positionMs: 10_000, observedAt: 1_000, speed: 1, playing: true, durationMs: 60_000 };
  it("moves on with wall time at the playback speed", () => {
    expect(extrapolatePositionMs(seen, 4_000)).toBe(13_000);
    expect(extrapolatePositionMs({ ...seen, speed: 2 }, 4_000)).toBe(16_000);
  });
  it("stands still when paused, never passes the end, never goes below 0", () => {
    expect(extrapolatePositionMs({ ...seen, playing: false }, 50_000)).toBe(10_000);
    expect(extrapolatePositionMs(seen, 1_000_000)).toBe(60_000);
    expect(extrapolatePositionMs({ ...seen, speed: -32 }, 10_000)).toBe(0);
  });
});
