import { describe, expect, it } from "vitest";
import { backoffMs, type Backoff } from "../../src/util/backoff.js";

const exact: Backoff = { initialMs: 1_000, maxMs: 8_000, jitter: 0 };

describe("backoffMs", () => {
  it("doubles from initialMs and stops at maxMs", () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffMs(n, exact))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("treats a negative or fractional retry number as the nearest retry at or below it, and never overflows", () => {
    expect(backoffMs(-3, exact)).toBe(1_000);
    expect(backoffMs(1.7, exact)).toBe(2_000);
    expect(backoffMs(10_000, { initialMs: 5_000, maxMs: 300_000, jitter: 0 })).toBe(300_000);
  });

  it.each([
    { jitter: 0.5, random: 0, wait: 2_000 },
    { jitter: 0.5, random: 0.999_999, wait: 4_000 },
    { jitter: 0.2, random: 0, wait: 3_200 },
    { jitter: 0.2, random: 0.5, wait: 3_600 },
    { jitter: 1, random: 0, wait: 0 },
  ])("jitter $jitter with random $random: step 4 s waits $wait ms", ({ jitter, random, wait }) => {
    expect(backoffMs(2, { ...exact, jitter }, () => random)).toBe(wait);
  });

  it("jitter only shortens: even at the cap no wait exceeds maxMs", () => {
    for (let n = 0; n < 200; n++) {
      const wait = backoffMs(20, { initialMs: 5_000, maxMs: 300_000, jitter: 0.2 });
      expect(wait).toBeLessThanOrEqual(300_000);
      expect(wait).toBeGreaterThanOrEqual(240_000);
    }
  });
});
