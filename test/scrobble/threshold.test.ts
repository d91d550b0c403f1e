import { describe, expect, it } from "vitest";
import { clampProgress, finalIntentKinds } from "../../src/scrobble/threshold.js";

describe("finalIntentKinds", () => {
  it.each([
    // threshold, progress, eligible → intents
    [80, 100, true, ["stop"]],
    [80, 80, true, ["stop"]],
    [80, 79.99, true, ["pause"]],
    [80, 95, false, ["pause"]],
    [90, 85, true, ["pause"]],
    [90, 90, true, ["stop"]],
    [70, 75, true, ["pause", "watched"]],
    [70, 69.99, true, ["pause"]],
    [70, 80, true, ["stop"]],
    [70, 75, false, ["pause"]],
  ] as const)("threshold %d, stop at %d, eligible %s → %j", (threshold, progress, eligible, kinds) => {
    expect(finalIntentKinds(progress, threshold, eligible)).toEqual(kinds);
  });

  it.each([
    // threshold, progress, eligible → intents when the player itself counted the playthrough
    [80, 96, true, ["stop"]],
    [90, 85, true, ["stop"]],
    [80, 50, true, ["pause", "watched"]],
    [95, 1, true, ["pause", "watched"]],
    [80, 96, false, ["pause"]],
  ] as const)("threshold %d, stop at %d, eligible %s, counted by the player → %j", (threshold, progress, eligible, kinds) => {
    expect(finalIntentKinds(progress, threshold, eligible, true)).toEqual(kinds);
  });
});

describe("clampProgress", () => {
  it.each([
    [undefined, 1],
    [Number.NaN, 1],
    [-5, 1],
    [0, 1],
    [0.4, 1],
    [42.123, 42.12],
    [100.5, 100],
  ])("%s → %d", (input, out) => {
    expect(clampProgress(input)).toBe(out);
  });
});
