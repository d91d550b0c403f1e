// The notifier: listens to the daemon's activity stream, turns what needs the user into notices (rules.ts and the
// two watchdogs), and hands each to the targets that want it (one dispatcher per target). The listener does no I/O
// and never throws at the reporter: scrobbling never waits for a notification.
import type { ActivityEvent } from "../core/activity.js";
import type { NotifySection } from "../config/sections/notify.js";
import type { Logger } from "../util/log.js";
import { systemClock, type Clock } from "../util/clock.js";
import { TargetDispatcher, type DispatchSettings, type Sender, type TargetStatus } from "./dispatcher.js";
import type { Notice } from "./notice.js";
import { NoticeRules } from "./rules.js";
import { targetsOf } from "./target.js";
import { AdapterWatch, OutboxWatch, type HeldWatch } from "./watchdogs.js";

/** What the notifier listens to (the daemon's `Activity`). */
export interface ActivitySource {
  subscribe(listener: (event: ActivityEvent) => void): () => void;
}

export interface NotifierOptions {
  activity: ActivitySource;
  log: Logger;
  /** The dashboard's address for links: server.publicUrl, else http://<host>:<port>. */
  dashboardUrl: () => string;
  /** The watch waiting longest in the outbox (for outbox_stuck). */
  oldestWatch: () => HeldWatch | undefined;
  clock?: Clock;
  /** Replaces the HTTP sender (tests). */
  sender?: Sender;
  /**
   * How things stand when the notifier starts (the stream reports changes only): a watch still waiting from the last
   * run, an adapter already down when targets are added by a reload.
   */
  current?: () => { pending: number; deadLetters: number; adapters: { name: string; kind: string; state: string; detail?: string }[] };
}

export interface NotifyStatus {
  targets: TargetStatus[];
}

export class Notifier {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #rules: NoticeRules;
  readonly #outbox: OutboxWatch;
  readonly #adapters: AdapterWatch;
  readonly #unsubscribe: () => void;
  #section: NotifySection;
  #dispatchers: TargetDispatcher[] = [];

  constructor(
    section: NotifySection,
    private readonly options: NotifierOptions,
  ) {
    this.#section = section;
    this.#log = options.log.child({ component: "notify" });
    this.#clock = options.clock ?? systemClock;
    this.#rules = new NoticeRules({ dashboardUrl: options.dashboardUrl });
    const emit = (notice: Notice): void => this.#dispatch(notice);
    this.#outbox = new OutboxWatch({ clock: this.#clock, oldestWatch: options.oldestWatch, stuckMs: () => this.#section.outboxStuckMinutes * 60_000, dashboardUrl: options.dashboardUrl, emit });
    this.#adapters = new AdapterWatch({ clock: this.#clock, downMs: () => this.#section.adapterDownMinutes * 60_000, emit });
    this.update(section);
    this.#unsubscribe = options.activity.subscribe((event) => this.#onActivity(event));
    const now = this.#clock.now();
    const current = options.current?.();
    if (current) {
      this.#outbox.onQueue({ type: "queue", at: now, pending: current.pending, deadLetters: current.deadLetters });
      for (const a of current.adapters) this.#adapters.onAdapter({ type: "adapter", at: now, ...a });
    }
  }

  /** Applies a changed `notify` section: unchanged targets keep their queue and history. */
  update(section: NotifySection): void {
    this.#section = section;
    const settings = this.#dispatchSettings();
    const previous = new Map(this.#dispatchers.map((d) => [d.target.fingerprint, d]));
    const next: TargetDispatcher[] = [];
    for (const target of targetsOf(section)) {
      const kept = previous.get(target.fingerprint);
      if (kept) {
        previous.delete(target.fingerprint);
        kept.update(target, settings);
        next.push(kept);
      } else {
        next.push(new TargetDispatcher(target, settings, this.#clock, this.#log, this.options.sender));
      }
    }
    for (const gone of previous.values()) gone.stop();
    this.#dispatchers = next;
    this.#log.info({ targets: next.map((d) => ({ name: d.target.name, url: d.target.address.shown, events: [...d.target.events] })) }, "notification targets");
  }

  status(): NotifyStatus {
    return { targets: this.#dispatchers.map((d) => d.status()) };
  }

  /** Resolves when no target is sending (tests). */
  async idle(): Promise<void> {
    await Promise.all(this.#dispatchers.map((d) => d.idle()));
  }

  /** Timers armed by the watchdogs (tests: none while nothing is held or down). */
  get armedWatchdogs(): number {
    return (this.#outbox.armed ? 1 : 0) + this.#adapters.armed;
  }

  stop(): void {
    this.#unsubscribe();
    this.#outbox.stop();
    this.#adapters.stop();
    for (const d of this.#dispatchers) d.stop();
  }

  #onActivity(event: ActivityEvent): void {
    if (event.type === "queue") this.#outbox.onQueue(event);
    else if (event.type === "adapter") this.#adapters.onAdapter(event);
    for (const notice of this.#rules.notices(event)) this.#dispatch(notice);
  }

  #dispatch(notice: Notice): void {
    for (const d of this.#dispatchers) if (d.wants(notice)) d.push(notice);
  }

  #dispatchSettings(): DispatchSettings {
    const s = this.#section;
    return { coalesceMs: s.coalesceSeconds * 1000, minIntervalMs: s.minIntervalSeconds * 1000, maxQueued: s.maxQueued, timeoutMs: s.timeoutSeconds * 1000 };
  }
}
