// Waiting that gives way to an abort: resolves after `ms`, or at once when `signal` is aborted — it never rejects —
// so a loop that waits between tries (reconnects, polls) ends promptly when its adapter stops.
// The global setTimeout rather than node:timers/promises, so tests with fake timers drive it like any other timer.
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
