// The per-account write spacing, with fake timers (no sockets involved).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realSleep } from "../../src/trakt/retry.js";
import { WriteScheduler } from "../../src/trakt/write-scheduler.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function scheduler(spacingMs = 1_000): { s: WriteScheduler; starts: Record<string, number[]>; write: (account: string, label: string, ms?: number) => Promise<string> } {
  const s = new WriteScheduler(spacingMs, () => Date.now(), realSleep);
  const starts: Record<string, number[]> = {};
  const write = (account: string, label: string, ms = 0): Promise<string> =>
    s.serial(account, (spaced) =>
      spaced(async () => {
        (starts[account] ??= []).push(Date.now());
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return label;
      }),
    );
  return { s, starts, write };
}

describe("WriteScheduler", () => {
  it("spaces writes of one account at least 1 s apart, measured from the end of the previous one", async () => {
    const { starts, write } = scheduler();
    const all = Promise.all([write("a", "1", 200), write("a", "2", 50), write("a", "3")]);
    await vi.runAllTimersAsync();
    expect(await all).toEqual(["1", "2", "3"]);
    // 1st at 0, ends 200 → 2nd at 1200, ends 1250 → 3rd at 2250
    expect(starts.a).toEqual([0, 1_200, 2_250]);
  });

  it("does not delay a write that comes long after the previous one", async () => {
    const { starts, write } = scheduler();
    const first = write("a", "1");
    await vi.runAllTimersAsync();
    await first;
    vi.advanceTimersByTime(5_000);
    const second = write("a", "2");
    await vi.runAllTimersAsync();
    await second;
    expect(starts.a).toEqual([0, 5_000]);
  });

  it("accounts are independent", async () => {
    const { starts, write } = scheduler();
    const all = Promise.all([write("a", "a1"), write("b", "b1"), write("a", "a2"), write("b", "b2")]);
    await vi.runAllTimersAsync();
    await all;
    expect(starts).toEqual({ a: [0, 1_000], b: [0, 1_000] });
  });

  it("a failed write still counts and does not block the next one", async () => {
    const s = new WriteScheduler(1_000, () => Date.now(), realSleep);
    const failed = s.serial("a", (spaced) => spaced(() => Promise.reject(new Error("boom"))));
    const next = s.serial("a", (spaced) => spaced(() => Promise.resolve(Date.now())));
    const failedResult = expect(failed).rejects.toThrow("boom");
    await vi.runAllTimersAsync();
    await failedResult;
    expect(await next).toBe(1_000);
  });

  it("spacing 0 runs writes back to back, still in order", async () => {
    const { starts, write } = scheduler(0);
    const all = Promise.all([write("a", "1"), write("a", "2")]);
    await vi.runAllTimersAsync();
    expect(await all).toEqual(["1", "2"]);
    expect(starts.a).toEqual([0, 0]);
  });
});
