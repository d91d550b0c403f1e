// The steps both delivery paths (live /scrobble and /sync/history) share: identification at send time, the
// duplicate check, recording an outcome, dead letters, and what a failed request means for the entries it carried.
import type { ActivitySink } from "../core/activity.js";
import type { MediaItem } from "../core/media.js";
import type { Identifier } from "../identify/types.js";
import type { ScrobbleIntent } from "../scrobble/intent.js";
import type { Logger } from "../util/log.js";
import { hintsLabel } from "./labels.js";
import { itemKey, itemLabel } from "./items.js";
import { MINUTE, type OutboxApi, type OutboxSettings } from "./options.js";
import { backoffMs } from "../util/backoff.js";
import { PauseFallback } from "./pause-fallback.js";
import { certainlyNotReceived, classifyFailure, describeError, retryBackoff } from "./policy.js";
import type { DeadReason, DoneOutcome, JournalRecord } from "./records.js";
import type { AccountScheduler } from "./scheduler.js";
import { isWatch, type Entry } from "./state.js";
import type { OutboxCounters } from "./status.js";
import type { OutboxStore } from "./store.js";

export interface DeliveryDeps {
  store: OutboxStore;
  api: OutboxApi;
  identifier: Identifier;
  settings: OutboxSettings;
  scheduler: AccountScheduler;
  counters: OutboxCounters;
  log: Logger;
  now: () => number;
  /** Aborted when the outbox closes: requests in flight are cut and nothing new starts. */
  signal: AbortSignal;
  appVersion: string | undefined;
  /** Told of each delivery and dead letter. */
  activity: ActivitySink;
}

/** A watch on its way, with what it was identified as. */
export interface Candidate {
  entry: Entry;
  items: MediaItem[];
}

/** When playback ended: the time a watch is recorded with. */
export function endOf(intent: ScrobbleIntent): number {
  return intent.endedAt ?? intent.createdAt;
}

/**
 * How long after playback ended a live /scrobble/stop is still timely. Trakt stamps a stop with the time it arrives,
 * so a watch that missed its first delivery goes through /sync/history with its real end time once it is older
 * than this: 45 s, so that even a stop sent just before, with a slow answer, is stamped within the minute.
 */
export const LIVE_STOP_TIMELY_MS = 45_000;

/**
 * Did this watch miss its first delivery? A send failed or its answer was lost, or it has waited in the queue past
 * the timely window (the account was backing off, the daemon was down).
 */
function missedFirstDelivery(entry: Entry, now: number): boolean {
  return entry.attempts > 0 || entry.ambiguous || now - entry.queuedAt >= LIVE_STOP_TIMELY_MS;
}

/**
 * Does this entry go through /sync/history? Watches that never go live (`watched`: a threshold below 80 %, a late
 * verdict), those already switched, those that missed their first delivery and are no longer timely, and any not
 * delivered live within `replayAfterMinutes`.
 */
export function goesThroughHistory(entry: Entry, now: number, replayAfterMinutes: number): boolean {
  if (!isWatch(entry.intent)) return false;
  if (entry.replayed || entry.intent.kind === "watched") return true;
  const age = now - endOf(entry.intent);
  if (age >= replayAfterMinutes * MINUTE) return true;
  return age >= LIVE_STOP_TIMELY_MS && missedFirstDelivery(entry, now);
}

export class Delivery {
  private readonly loggedUnknown = new Set<string>();
  /** Whether pauses currently go as stops (Trakt refusing /scrobble/pause itself). */
  readonly pauseFallback = new PauseFallback();

  constructor(readonly deps: DeliveryDeps) {}

  get closing(): boolean {
    return this.deps.signal.aborted;
  }

  now(): number {
    return this.deps.now();
  }

  write(records: JournalRecord[]): Promise<void> {
    return this.deps.store.write(records);
  }

  /** Identification at send time. Undefined when the entry was parked (retry later) or dead-lettered. */
  async identify(entry: Entry): Promise<MediaItem[] | undefined> {
    let result;
    try {
      result = await this.deps.identifier.identify(entry.intent.hints, this.deps.signal);
    } catch (error) {
      result = { ok: false as const, reason: describeError(error), retryable: true };
    }
    if (result.ok && result.items.length > 0) return result.items;
    const reason = result.ok ? "identification returned no items" : result.reason;
    if (!result.ok && result.retryable && !this.closing) {
      entry.notBefore = this.now() + backoffMs(entry.attempts, retryBackoff(this.deps.settings.retryMaxDelaySeconds * 1000));
      this.deps.counters.add("retries");
      await this.write([{ t: "attempt", at: this.now(), id: entry.intent.id, error: `identify: ${reason}`, notReceived: true }]);
      return undefined;
    }
    if (this.closing) return undefined;
    await this.deadLetter([entry], "unknown_media", reason);
    return undefined;
  }

  /** Duplicate watch? (same playthrough already delivered, or same item within the dedupe window). */
  duplicateOf(entry: Entry, items: MediaItem[], extra?: Map<string, number>): string | undefined {
    const { state } = this.deps.store;
    const pid = entry.intent.playthroughId;
    const seen = state.playthroughs.get(pid);
    if (seen !== undefined) return `playthrough ${pid} was already recorded at ${new Date(seen).toISOString()}`;
    const windowMinutes = this.deps.settings.dedupeWindowMinutes;
    const windowMs = windowMinutes * MINUTE;
    if (windowMs <= 0) return undefined;
    const at = endOf(entry.intent);
    for (const item of items) {
      const key = itemKey(item);
      if (!key) return undefined;
      const w = state.watches.get(`${entry.account}\u0000${key}`);
      const prior = extra?.get(key) ?? w?.watchedAt;
      if (prior === undefined || Math.abs(at - prior) >= windowMs) return undefined;
    }
    return `${items.map(itemLabel).join(", ")} was recorded within the dedupe window (${windowMinutes} min)`;
  }

  /** The records that remember a delivered watch (dedupe window, one watch per playthrough). */
  watchRecords(entry: Entry, items: MediaItem[], watchedAt: number): JournalRecord[] {
    const now = this.now();
    return items.map((item): JournalRecord => ({ t: "watch", at: now, account: entry.account, key: itemKey(item) ?? "", watchedAt, playthroughId: entry.intent.playthroughId }));
  }

  /** The entry leaves the live set with `outcome`. */
  async complete(entry: Entry, outcome: DoneOutcome, extra: JournalRecord[] = [], info: { watchedAt?: number; expiresAt?: number; detail?: string } = {}): Promise<void> {
    await this.write([...extra, { t: "done", at: this.now(), id: entry.intent.id, outcome, ...info }]);
    this.finished(entry, outcome);
  }

  finished(entry: Entry, outcome: DoneOutcome): void {
    this.deps.counters.finished(entry, outcome, this.now());
    if (reachedTrakt(outcome)) {
      const { intent } = entry;
      this.deps.activity.report({
        type: "delivered",
        at: this.now(),
        id: intent.id,
        kind: intent.kind,
        account: entry.account,
        label: hintsLabel(intent),
        via: outcome === "history" || entry.replayed ? "history" : "scrobble",
        watched: isWatch(intent),
      });
    }
  }

  async completeInHistory(entry: Entry, items: MediaItem[]): Promise<void> {
    this.deps.log.info({ id: entry.intent.id, account: entry.account, media: items.map(itemLabel).join(", ") }, "watch already on Trakt (sent before a crash or a lost answer); not added again");
    await this.complete(entry, "in_history", this.watchRecords(entry, items, endOf(entry.intent)));
  }

  async deadLetter(entries: Entry[], reason: DeadReason, message: string): Promise<void> {
    const now = this.now();
    const { log } = this.deps;
    await this.write(entries.map((e) => ({ t: "dead", at: now, id: e.intent.id, reason, message })));
    for (const e of entries) {
      this.deps.counters.add("deadLettered");
      this.deps.activity.report({ type: "dead_letter", at: now, id: e.intent.id, account: e.account, label: hintsLabel(e.intent), reason, message });
      // Unknown media: say so once per playthrough, clearly; the rest of that playthrough is quiet.
      if (reason === "unknown_media") {
        if (this.loggedUnknown.has(e.intent.playthroughId)) continue;
        if (this.loggedUnknown.size > 10_000) this.loggedUnknown.clear();
        this.loggedUnknown.add(e.intent.playthroughId);
        log.warn(
          { id: e.intent.id, account: e.account, player: e.intent.player, media: hintsLabel(e.intent), why: message },
          "unknown media: not scrobbled (kept as a dead letter; fix with an identify override, then `queue retry`)",
        );
      } else {
        log.warn({ id: e.intent.id, account: e.account, kind: e.intent.kind, media: hintsLabel(e.intent), reason, why: message }, "dead letter: Trakt refused this for good");
      }
    }
  }

  /** Records a failed send of `entries` and decides what happens next. */
  async failed(account: string, entries: Entry[], error: unknown): Promise<void> {
    if (this.closing) {
      // Shutdown aborted the request: the answer is unknown.
      await this.write(entries.map((e) => ({ t: "attempt", at: this.now(), id: e.intent.id, error: "aborted at shutdown", notReceived: false }))).catch(() => undefined);
      return;
    }
    const now = this.now();
    const failure = classifyFailure(error);
    const message = describeError(error);
    const notReceived = certainlyNotReceived(error);
    const attempts = (): JournalRecord[] => entries.map((e) => ({ t: "attempt", at: now, id: e.intent.id, error: message, notReceived }));
    switch (failure.action) {
      case "backoff":
        this.deps.scheduler.backOff(account, failure.retryAfterMs, message, error);
        this.deps.counters.add("retries", entries.length);
        return this.write(attempts());
      case "hold":
        this.deps.scheduler.hold(account, failure.problem);
        return this.write(attempts());
      case "dead":
        if (entries.length > 1 && failure.reason !== "account_limit") {
          // One bad item can sink a whole batch: send each alone to find it.
          for (const e of entries) e.solo = true;
          return this.write(attempts());
        }
        await this.write(attempts());
        return this.deadLetter(entries, failure.reason, message);
      case "accepted":
        return; // handled by the caller
    }
  }
}

/** Outcomes that mean Trakt has it: sent now, already there (409, found in the history). */
function reachedTrakt(outcome: DoneOutcome): boolean {
  return outcome === "delivered" || outcome === "history" || outcome === "conflict" || outcome === "in_history";
}
