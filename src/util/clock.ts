// Time and timers, injectable so tests can use fake ones (vitest's fake timers also drive the system clock). Every
// timer of the system clock is unref'd: a pending debounce, retry or notification never keeps a finished process alive.

/** Whatever the clock's setTimeout returns (a Node Timeout for the system clock). */
export type TimerHandle = NonNullable<unknown>;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
