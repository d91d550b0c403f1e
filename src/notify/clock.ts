// Time and timers for the notifier, injectable so tests can use fake ones. Every timer is unref'd: a pending
// notification never keeps a finished process alive.
export interface NotifyClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemNotifyClock: NotifyClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
