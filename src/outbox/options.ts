// What the outbox is given: the Trakt calls it makes, its settings and how it is opened.
import type { ActivitySink } from "../core/activity.js";
import type { Identifier } from "../identify/types.js";
import type { TraktApi } from "../trakt/api.js";
import type { Logger } from "../util/log.js";

/**
 * The part of the Trakt client the outbox uses. Every call is made with `retries: 0`: the outbox does its own backoff
 * and, before re-sending a watch, looks it up in the history — a client-level retry of a POST whose first try Trakt
 * did process would add a play the outbox cannot see.
 */
export type OutboxApi = Pick<TraktApi, "scrobble" | "addHistory" | "getHistory">;

export interface OutboxSettings {
  replayAfterMinutes: number;
  deadLetterExpiryDays: number;
  historyBatchSize: number;
  retryMaxDelaySeconds: number;
  accountHoldMinutes: number;
  /** From scrobbleSection. 0 disables the window (one watch per playthrough still holds). */
  dedupeWindowMinutes: number;
}

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  replayAfterMinutes: 10,
  deadLetterExpiryDays: 30,
  historyBatchSize: 100,
  retryMaxDelaySeconds: 300,
  accountHoldMinutes: 10,
  dedupeWindowMinutes: 360,
};

export interface OutboxOptions {
  /** Directory of the journal, lock and control requests: `<stateDir>/outbox`. */
  dir: string;
  api: OutboxApi;
  identifier: Identifier;
  /** Account name used for intents without one (accounts.default). */
  defaultAccount?: string;
  settings?: Partial<OutboxSettings>;
  logger?: Logger;
  /** Clock (ms since epoch); injectable for tests. */
  now?: () => number;
  /** Re-drain an account by itself when its backoff ends (default true; tests with a fake clock turn it off). */
  autoWake?: boolean;
  /** Sent as app_version in scrobble bodies. */
  appVersion?: string;
  /** Open without the lock and never write (`queue list` while the daemon runs). */
  readOnly?: boolean;
  /** Told of deliveries, dead letters and every change of the queue's content (default: nobody). */
  activity?: ActivitySink;
}

export const MINUTE = 60_000;
