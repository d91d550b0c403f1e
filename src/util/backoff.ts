// Exponential backoff: the wait before a retry doubles from `initialMs` up to `maxMs`. Jitter only ever shortens a
// step (a wait falls in [(1 − jitter) × step, step]), so `maxMs` is a true upper bound and nobody retries at once.
// Every retry loop in the daemon uses this one; what differs per caller is the policy, named where it is used.

export interface Backoff {
  /** The first wait. */
  initialMs: number;
  /** No wait is longer. */
  maxMs: number;
  /** Share of each step left to chance, 0–1: 0 = exact waits, 0.5 = "equal jitter" (half to all of the step). */
  jitter: number;
}

/** The wait before retry number `retry` (0 = the first retry). `random` returns [0, 1); injectable for tests. */
export function backoffMs(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const doublings = Math.min(Math.max(0, Math.floor(retry)), 30);
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** doublings);
  const jitter = Math.min(1, Math.max(0, backoff.jitter));
  return Math.round(step * (1 - jitter + jitter * random()));
}
