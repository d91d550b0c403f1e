// The durable outbox: intents are journaled (fsync'd) before anything is sent, delivered per account in order,
// and leave the live set only with a final answer. See docs/outbox.md for the rules. This class wires the parts:
// store.ts (journal lifecycle), scheduler.ts (per-account loops, waits, wake-ups), live.ts and history.ts (the two
// delivery paths, sharing delivery.ts), admin.ts + control.ts (queue management) and status.ts (counters).
import { noActivity } from "../core/activity.js";
import type { IntentSink, ScrobbleIntent } from "../scrobble/intent.js";
import { silentLogger, type Logger } from "../util/log.js";
import { QueueAdmin, type QueueEntryView, type QueueListing } from "./admin.js";
import { controlDir, writeControlRequest, type ControlRequest } from "./control.js";
import { Delivery, goesThroughHistory } from "./delivery.js";
import { deliverHistory } from "./history.js";
import { deliverLive } from "./live.js";
import { DEFAULT_OUTBOX_SETTINGS, MINUTE, type OutboxOptions, type OutboxSettings } from "./options.js";
import { intentSchema, type JournalRecord } from "./records.js";
import { AccountScheduler } from "./scheduler.js";
import { isWatch, sessionOf, type Entry } from "./state.js";
import { OutboxCounters, type OutboxStatus } from "./status.js";
import { OutboxStore } from "./store.js";

export { DEFAULT_OUTBOX_SETTINGS } from "./options.js";
export type { OutboxApi, OutboxOptions, OutboxSettings } from "./options.js";
export type { QueueEntryView, QueueListing } from "./admin.js";
export type { DeliveryView, OutboxStatus, WatchView } from "./status.js";
export { hintsLabel } from "./labels.js";

const DAY = 24 * 60 * MINUTE;

/** Playthroughs are remembered at least a day so a repeated stop is never a second watch. */
function keepWatchesMs(settings: OutboxSettings): number {
  return Math.max(settings.dedupeWindowMinutes * MINUTE, 24 * 60 * MINUTE);
}

export class Outbox implements IntentSink {
  private readonly counters = new OutboxCounters();
  private readonly scheduler: AccountScheduler;
  private readonly delivery: Delivery;
  private readonly admin: QueueAdmin;
  private readonly autoWake: boolean;
  /** With autoWake: removes the oldest dead letter when it expires (see armExpiry). */
  private expiry: { at: number; timer: NodeJS.Timeout } | undefined;

  private constructor(
    private readonly store: OutboxStore,
    private readonly settings: OutboxSettings,
    private readonly abort: AbortController,
    private readonly now: () => number,
    private readonly log: Logger,
    options: OutboxOptions,
  ) {
    const signal = abort.signal;
    this.autoWake = options.autoWake !== false;
    this.scheduler = new AccountScheduler({
      state: store.state,
      settings,
      log,
      now,
      signal,
      autoWake: this.autoWake,
      active: store.writable,
      onSettled: () => this.armExpiry(),
      deliver: (account, head, queue, at) =>
        goesThroughHistory(head, at, settings.replayAfterMinutes) ? deliverHistory(this.delivery, account, head, queue, at) : deliverLive(this.delivery, account, head),
    });
    this.delivery = new Delivery({
      store,
      api: options.api,
      identifier: options.identifier,
      settings,
      scheduler: this.scheduler,
      counters: this.counters,
      log,
      now,
      signal,
      appVersion: options.appVersion,
      activity: options.activity ?? noActivity,
    });
    this.admin = new QueueAdmin({ store, dir: options.dir, deadLetterExpiryDays: settings.deadLetterExpiryDays, log, now, kick: (account) => this.scheduler.kick(account) });
  }

  static journalFile(dir: string): string {
    return OutboxStore.journalFile(dir);
  }

  /** Where `queue retry|drop` leaves requests for a running daemon (it watches the directory and drains). */
  static controlDir(dir: string): string {
    return controlDir(dir);
  }

  /** Loads the journal (taking the lock unless readOnly) and compacts it. Call `drain()` to start delivering. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const settings = { ...DEFAULT_OUTBOX_SETTINGS, ...options.settings };
    const log = (options.logger ?? silentLogger()).child({ component: "outbox" });
    const now = options.now ?? Date.now;
    const abort = new AbortController();
    const activity = options.activity ?? noActivity;
    const store = await OutboxStore.open({
      dir: options.dir,
      readOnly: options.readOnly ?? false,
      defaultAccount: options.defaultAccount ?? "default",
      log,
      now,
      keepWatchesMs: keepWatchesMs(settings),
      signal: abort.signal,
      onQueueChange: () => {
        const { state } = store;
        activity.report({ type: "queue", at: now(), pending: state.pendingCount(), deadLetters: state.dead.size });
      },
    });
    return new Outbox(store, settings, abort, now, log, options);
  }

  private get closing(): boolean {
    return this.abort.signal.aborted;
  }

  private get state() {
    return this.store.state;
  }

  /** Persists the intent (fsync'd) and resolves; delivery starts right after. Submitting a known id is a no-op. */
  async submit(intent: ScrobbleIntent): Promise<void> {
    if (this.closing) throw new Error("the outbox is closed");
    const parsed = intentSchema.safeParse(intent);
    if (!parsed.success) {
      throw new Error(`outbox: refused an invalid intent ${intent.id}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    const valid = parsed.data;
    if (this.state.byId.has(valid.id)) return;
    const now = this.now();
    const account = this.state.accountOf(valid);
    const records: JournalRecord[] = [{ t: "intent", at: now, intent: valid }];
    // Only the latest state of a session matters: earlier start/pause intents not yet out are superseded.
    const superseded: Entry[] = [];
    for (const id of this.state.supersedable.get(sessionOf(account, valid)) ?? []) {
      const entry = this.state.byId.get(id);
      if (entry && !entry.inFlight) superseded.push(entry);
    }
    for (const e of superseded) records.push({ t: "done", at: now, id: e.intent.id, outcome: "superseded", detail: `by ${valid.id}` });
    const durable = this.store.write(records);
    for (const e of superseded) this.delivery.finished(e, "superseded");
    if (isWatch(valid)) {
      // Write before send: a watch leaves only once its record is fsync'd.
      await durable;
      void this.scheduler.kick(account);
      return;
    }
    // A start/pause goes out while its record is being written (a write() alone can stall for milliseconds on a
    // busy disk): if the process or machine dies in between, Trakt got a "watching" state the journal forgot —
    // nothing is lost and nothing repeated. If the send fails, the record is there to retry from. The done record
    // is queued behind the intent record, so the journal's order holds. submit() resolves once it is durable.
    void this.scheduler.kick(account);
    await durable;
  }

  /**
   * Applies queue control requests, then — only when the outbox holds something — expires old dead letters and
   * delivers what can go now, every account in parallel. With nothing held it reads one directory and returns.
   */
  async drain(): Promise<void> {
    if (this.closing || !this.store.writable) return;
    await this.admin.applyControlRequests();
    if (this.state.byId.size === 0) return;
    await this.admin.expireDeadLetters();
    this.armExpiry();
    await this.scheduler.kickAll();
  }

  /**
   * With autoWake, the outbox needs no drain from outside to expire its dead letters: one timer for the oldest, set
   * whenever the queue may have changed (a drain, the end of a delivery loop). setTimeout cannot wait longer than
   * ~24.8 days, so a later expiry is looked at again after a day.
   */
  private armExpiry(notBefore = 0): void {
    if (!this.autoWake || this.closing || !this.store.writable) return;
    const at = this.admin.nextExpiry();
    if (at === this.expiry?.at) return;
    clearTimeout(this.expiry?.timer);
    this.expiry = undefined;
    if (at === undefined) return;
    const timer = setTimeout(
      () => {
        this.expiry = undefined;
        void this.expireNow();
      },
      Math.min(DAY, Math.max(0, at - this.now(), notBefore - this.now())),
    );
    timer.unref();
    this.expiry = { at, timer };
  }

  private async expireNow(): Promise<void> {
    if (this.closing) return;
    try {
      await this.admin.expireDeadLetters();
    } catch (error) {
      this.log.warn({ err: error }, "could not remove expired dead letters; trying again in a minute");
      return this.armExpiry(this.now() + MINUTE);
    }
    this.armExpiry();
  }

  /**
   * When `drain()` next has work that no event announces: an account's backoff or hold ending, a parked entry's
   * retry time, the oldest dead letter expiring — or now, when something is ready and no loop is on it. Undefined
   * when the outbox holds nothing: then only `submit()` or a request in `controlDir` brings work. (With autoWake
   * the outbox already wakes itself for waits that end; this is for a caller that schedules drains itself.)
   */
  nextWakeAt(): number | undefined {
    if (this.closing || !this.store.writable) return undefined;
    const times = [this.scheduler.nextWakeAt(), this.admin.nextExpiry()].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Resolves when no account is delivering (for tests and shutdown). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** Pending intents (dead letters not included). */
  depth(): number {
    return this.state.pendingCount();
  }

  deadLetterCount(): number {
    return this.state.dead.size;
  }

  /** Clears account backoffs/holds and drains (after a login, or when the user asks). */
  async retryNow(account?: string): Promise<void> {
    this.scheduler.clearWaits(account);
    await this.drain();
  }

  list(): QueueListing {
    return this.admin.list();
  }

  /** Finds an entry by full id or unique prefix. Throws a clear error otherwise. */
  find(idOrPrefix: string): QueueEntryView {
    return this.admin.find(idOrPrefix);
  }

  /** Moves a dead letter back to the queue (sent alone, next drain). */
  retry(idOrPrefix: string): Promise<QueueEntryView> {
    return this.admin.retry(idOrPrefix);
  }

  /** Removes a dead letter or a pending intent for good. */
  drop(idOrPrefix: string): Promise<QueueEntryView> {
    return this.admin.drop(idOrPrefix);
  }

  status(): OutboxStatus {
    const counts = this.admin.counts();
    return {
      pending: counts.pending,
      deadLetters: counts.deadLetters,
      deadByReason: counts.deadByReason,
      accounts: this.scheduler.accounts(),
      lastDeliveries: this.counters.lastDeliveries(),
      lastWatches: this.counters.lastWatches(),
      counters: this.counters.snapshot(),
      journal: this.store.report(),
    };
  }

  /** Stops delivering (in-flight requests are aborted and stay queued), flushes the journal, releases the lock. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.abort.abort(new Error("outbox closing"));
    clearTimeout(this.expiry?.timer);
    this.expiry = undefined;
    this.scheduler.stop();
    await this.scheduler.idle();
    await this.store.close();
  }

  /** Hands a retry/drop to the daemon that holds the lock; it applies it at its next drain (at once: it watches). */
  static requestControl(dir: string, request: ControlRequest): Promise<string> {
    return writeControlRequest(dir, request);
  }
}
