// One target's queue. Notices wait here and go out together: the first one waits `coalesceMs` for others, and a
// target gets at most one message per `minIntervalMs` (what comes in between is gathered into the next one). A
// failed send is retried with the daemon's one backoff (or when the service says); meanwhile the queue is bounded
// and drops its oldest notices (the least severe first), counting them. Nothing here blocks the caller: `push` only queues and arms a timer.
import { backoffMs } from "../util/backoff.js";
import type { Logger } from "../util/log.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import { isOutcome, postJson, type SendOutcome } from "./http.js";
import { composeMessage, SEVERITY_RANK, type Message, type Notice } from "./notice.js";
import { SERVICES } from "./services/index.js";
import type { Target } from "./target.js";

export interface DispatchSettings {
  coalesceMs: number;
  minIntervalMs: number;
  maxQueued: number;
  timeoutMs: number;
}

/** Retries of a failing target: from 10 s, doubling up to 15 min, a fifth left to chance. */
const RETRY = { initialMs: 10_000, maxMs: 15 * 60_000, jitter: 0.2 };
/** A service that says when to come back (429 retry_after) is believed, within these bounds. */
const SAID_WAIT = { minMs: 1_000, maxMs: 60 * 60_000 };

export interface LastResult {
  at: string;
  ok: boolean;
  /** What the service answered or why it could not be reached (secrets masked). */
  error?: string;
  /** Notices the message carried. */
  notices: number;
}

export interface TargetStatus {
  name: string;
  type: Target["type"];
  /** The URL with its secrets masked. */
  url: string;
  events: string[];
  queued: number;
  /** Notices in the message being sent right now. */
  sending: number;
  sent: number;
  failed: number;
  dropped: number;
  lastResult?: LastResult;
  /** When the next attempt is due, while a failed one waits to be retried. */
  retryAt?: string;
  /** Why the target is not used any more (until the config changes). */
  disabled?: string;
}

/** Sends one message to a target (the real one posts JSON; tests may pass their own). */
export type Sender = (target: Target, message: Message, timeoutMs: number, signal: AbortSignal) => Promise<SendOutcome>;

export const httpSender: Sender = async (target, message, timeoutMs, signal) => {
  const service = SERVICES[target.type];
  const answer = await postJson(service.request(target, message), timeoutMs, signal);
  return isOutcome(answer) ? answer : service.outcome(answer);
};

export class TargetDispatcher {
  #target: Target;
  #settings: DispatchSettings;
  #queue: Notice[] = [];
  #firstAt: number | undefined;
  #lastSentAt: number | undefined;
  #retryAt: number | undefined;
  #failures = 0;
  #timer: TimerHandle | undefined;
  #sending: Promise<void> | undefined;
  #sendingCount = 0;
  #droppedPending = 0;
  #counts = { sent: 0, failed: 0, dropped: 0 };
  #last: LastResult | undefined;
  #disabled: string | undefined;
  #loggedFailing = false;
  readonly #abort = new AbortController();

  constructor(
    target: Target,
    settings: DispatchSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly send: Sender = httpSender,
  ) {
    this.#target = target;
    this.#settings = settings;
  }

  get target(): Target {
    return this.#target;
  }

  /** Live reload: the same target (same fingerprint) with new events or timings keeps its queue. */
  update(target: Target, settings: DispatchSettings): void {
    this.#target = target;
    this.#settings = settings;
    this.#schedule(true);
  }

  wants(notice: Notice): boolean {
    return this.#target.events.has(notice.event);
  }

  push(notice: Notice): void {
    if (this.#disabled !== undefined || this.#abort.signal.aborted) return;
    if (notice.cancels !== undefined) {
      const before = this.#queue.length;
      this.#queue = this.#queue.filter((n) => n.key !== notice.cancels);
      // The "down" had not gone out: "back" has nothing to take back.
      if (this.#queue.length < before) {
        if (this.#queue.length === 0) this.#firstAt = undefined;
        return;
      }
    }
    this.#queue = this.#queue.filter((n) => n.key !== notice.key);
    this.#queue.push(notice);
    this.#firstAt ??= this.clock.now();
    this.#bound();
    this.#schedule(false);
  }

  /** Resolves when nothing is being sent (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  status(): TargetStatus {
    const t = this.#target;
    return {
      name: t.name,
      type: t.type,
      url: t.address.shown,
      events: [...t.events],
      queued: this.#queue.length,
      sending: this.#sendingCount,
      ...this.#counts,
      ...(this.#last ? { lastResult: this.#last } : {}),
      ...(this.#retryAt !== undefined && this.#queue.length > 0 ? { retryAt: new Date(this.#retryAt).toISOString() } : {}),
      ...(this.#disabled !== undefined ? { disabled: this.#disabled } : {}),
    };
  }

  /** Stops timers and cuts a request in flight; what is queued is dropped (the process is stopping). */
  stop(): void {
    this.#abort.abort();
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Drops the oldest notices beyond maxQueued, least severe first (a needs-login outlives a hundred dead letters). */
  #bound(): void {
    while (this.#queue.length > this.#settings.maxQueued) {
      const lowest = Math.min(...this.#queue.map((n) => SEVERITY_RANK[n.severity]));
      this.#queue.splice(this.#queue.findIndex((n) => SEVERITY_RANK[n.severity] === lowest), 1);
      this.#droppedPending += 1;
      this.#counts.dropped += 1;
    }
  }

  #dueAt(): number {
    const { coalesceMs, minIntervalMs } = this.#settings;
    // A retry goes when it is due (what arrived meanwhile goes with it); fresh notices wait for the window.
    const times = [this.#retryAt ?? (this.#firstAt ?? this.clock.now()) + coalesceMs];
    if (this.#lastSentAt !== undefined) times.push(this.#lastSentAt + minIntervalMs);
    return Math.max(...times);
  }

  /** Arms the one timer for the next send, if anything waits and nothing is on its way. */
  #schedule(rearm: boolean): void {
    if (this.#queue.length === 0 || this.#sending !== undefined || this.#disabled !== undefined || this.#abort.signal.aborted) return;
    if (this.#timer !== undefined) {
      if (!rearm) return;
      this.clock.clearTimeout(this.#timer);
    }
    const wait = Math.max(0, this.#dueAt() - this.clock.now());
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#sending = this.#flush().finally(() => {
        this.#sending = undefined;
        this.#schedule(false);
      });
    }, wait);
  }

  async #flush(): Promise<void> {
    const notices = this.#queue;
    const dropped = this.#droppedPending;
    this.#queue = [];
    this.#firstAt = undefined;
    this.#droppedPending = 0;
    if (notices.length === 0) return;
    const message = composeMessage(notices, dropped);
    let outcome: SendOutcome;
    this.#sendingCount = notices.length;
    try {
      outcome = await this.send(this.#target, message, this.#settings.timeoutMs, this.#abort.signal);
    } catch (error) {
      outcome = { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) };
    } finally {
      this.#sendingCount = 0;
    }
    if (this.#abort.signal.aborted) return;
    const now = this.clock.now();
    const name = this.#target.name;
    this.#last = { at: new Date(now).toISOString(), ok: outcome.ok, notices: notices.length, ...(outcome.ok ? {} : { error: outcome.error }) };
    if (outcome.ok) {
      this.#counts.sent += 1;
      this.#lastSentAt = now;
      this.#retryAt = undefined;
      this.#failures = 0;
      if (this.#loggedFailing) this.log.info({ target: name }, "notification target works again");
      this.#loggedFailing = false;
      this.log.debug({ target: name, notices: notices.length }, "notification sent");
      return;
    }
    this.#counts.failed += 1;
    if (outcome.disable) {
      this.#disabled = outcome.error;
      this.#counts.dropped += notices.length + this.#queue.length;
      this.#queue = [];
      this.log.error({ target: name, url: this.#target.address.shown, why: outcome.error }, "notification target refused for good; not used again until the config changes");
      return;
    }
    if (!outcome.retry) {
      this.#counts.dropped += notices.length;
      this.log.warn({ target: name, url: this.#target.address.shown, why: outcome.error, notices: notices.length }, "notification refused by the service; dropped (check the target's URL and settings)");
      return;
    }
    // Back to the front of the queue, before what arrived meanwhile; the bound still holds.
    this.#queue = [...notices, ...this.#queue];
    this.#droppedPending += dropped;
    this.#firstAt ??= now;
    this.#bound();
    const wait =
      outcome.retryAfterMs !== undefined ? Math.min(SAID_WAIT.maxMs, Math.max(SAID_WAIT.minMs, outcome.retryAfterMs)) : backoffMs(this.#failures, RETRY);
    this.#failures += 1;
    this.#retryAt = now + wait;
    this.log[this.#loggedFailing ? "debug" : "warn"](
      { target: name, url: this.#target.address.shown, why: outcome.error, retryInMs: wait, queued: this.#queue.length },
      "notification not delivered; retrying later (scrobbling is not affected)",
    );
    this.#loggedFailing = true;
  }
}
