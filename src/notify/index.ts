// Notifications: loaded (with `await import()`) only when the config names a target, so a daemon without them
// carries none of this.
export { Notifier, type NotifierOptions, type NotifyStatus } from "./notifier.js";
export type { TargetStatus, LastResult } from "./dispatcher.js";
export type { HeldWatch } from "./watchdogs.js";
export { probeTargets, selectTargets, sendTestMessages, type CheckResult } from "./check.js";
