// The outbox's public surface for the daemon and the CLI.
import type { OutboxSection, ScrobbleSection } from "../config/sections/scrobble.js";
import type { OutboxSettings } from "./options.js";

export { Outbox, DEFAULT_OUTBOX_SETTINGS, hintsLabel } from "./outbox.js";
export type { OutboxApi, OutboxOptions, OutboxSettings, OutboxStatus, QueueEntryView, QueueListing, DeliveryView, WatchView } from "./outbox.js";
export { OutboxLockedError, lockHolder } from "./lock.js";
export type { DeadReason, DoneOutcome } from "./records.js";

/** The outbox's settings from the loaded config (its own section plus the dedupe window of `scrobble`). */
export function outboxSettings(config: { outbox: OutboxSection; scrobble: Pick<ScrobbleSection, "dedupeWindowMinutes"> }): OutboxSettings {
  return { ...config.outbox, dedupeWindowMinutes: config.scrobble.dedupeWindowMinutes };
}
