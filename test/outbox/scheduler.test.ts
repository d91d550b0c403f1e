// The account scheduler wakes itself: a delivery loop that failed for a reason of its own (not Trakt's: the journal
// could not be written) runs again a minute later, with no drain from outside (the daemon has no periodic drain).
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccountScheduler } from "../../src/outbox/scheduler.js";
import { OutboxState, type Entry } from "../../src/outbox/state.js";
import { silentLogger } from "../../src/util/log.js";
import { intent } from "./fakes.js";

afterEach(() => {
  vi.useRealTimers();
});

function scheduler(deliver: (head: Entry, queue: Map<string, Entry>) => Promise<void>, autoWake: boolean): { scheduler: AccountScheduler; state: OutboxState; settled: () => number } {
  const state = new OutboxState("default");
  state.apply({ t: "intent", at: Date.now(), intent: intent({ kind: "stop", movie: 1 }, Date.now()) });
  let settled = 0;
  const s = new AccountScheduler({
    state,
    settings: { retryMaxDelaySeconds: 300, accountHoldMinutes: 10 },
    log: silentLogger(),
    now: Date.now,
    signal: new AbortController().signal,
    autoWake,
    active: true,
    deliver: (_account, head, queue) => deliver(head, queue),
    onSettled: () => (settled += 1),
  });
  return { scheduler: s, state, settled: () => settled };
}

describe("AccountScheduler", () => {
  it("runs a failed delivery loop again a minute later by itself, and says when each loop ended", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let calls = 0;
    const { scheduler: s, state, settled } = scheduler((head, queue) => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error("ENOSPC: no space left on device, write"));
      queue.delete(head.intent.id);
      return Promise.resolve();
    }, true);
    await s.kick("default");
    expect(calls).toBe(1);
    expect(settled()).toBe(1);
    expect(state.pendingCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    await s.idle();
    expect(calls).toBe(2);
    expect(state.pendingCount()).toBe(0);
    expect(settled()).toBe(2);
    expect(s.nextWakeAt()).toBeUndefined();
  });

  it("without autoWake leaves the failed loop to the next drain (nextWakeAt says it is due now)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let calls = 0;
    const { scheduler: s } = scheduler(() => {
      calls += 1;
      return Promise.reject(new Error("boom"));
    }, false);
    await s.kick("default");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).toBe(1);
    expect(s.nextWakeAt()).toBe(Date.now());
  });
});
