// The two notices that need a timer: a watch held in the outbox too long, and a player connection down too long.
// Each timer is armed only while there is something to watch (the outbox holds a watch; an adapter is down) and
// is re-armed only by an event: an idle daemon has no notification timer at all.
import type { ActivityEvent } from "../core/activity.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Notice } from "./notice.js";

/** The watch that has waited longest in the outbox (dead letters not included). */
export interface HeldWatch {
  id: string;
  queuedAt: number;
  label: string;
  account: string;
}

export interface OutboxWatchOptions {
  clock: Clock;
  /** The oldest watch still waiting; undefined when none waits (starts and pauses do not count). */
  oldestWatch: () => HeldWatch | undefined;
  stuckMs: () => number;
  dashboardUrl: () => string;
  emit: (notice: Notice) => void;
}

/** outbox_stuck: said once when a watch has waited `stuckMs`, then not again until the outbox has emptied. */
export class OutboxWatch {
  #timer: TimerHandle | undefined;
  #said = false;

  constructor(private readonly options: OutboxWatchOptions) {}

  get armed(): boolean {
    return this.#timer !== undefined;
  }

  onQueue(event: Extract<ActivityEvent, { type: "queue" }>): void {
    if (event.pending === 0) {
      this.#disarm();
      this.#said = false;
      return;
    }
    if (this.#said || this.#timer !== undefined) return;
    this.#arm();
  }

  #arm(): void {
    const { clock, oldestWatch, stuckMs } = this.options;
    const oldest = oldestWatch();
    if (!oldest) return; // only starts and pauses wait: a later queue change brings the watch
    const due = oldest.queuedAt + stuckMs();
    this.#timer = clock.setTimeout(() => this.#check(), Math.max(0, due - clock.now()));
  }

  #check(): void {
    this.#timer = undefined;
    const { clock, oldestWatch, stuckMs, emit, dashboardUrl } = this.options;
    const oldest = oldestWatch();
    if (!oldest) return;
    const waited = clock.now() - oldest.queuedAt;
    if (waited < stuckMs()) {
      this.#arm(); // the one it was armed for went out; this one came later
      return;
    }
    this.#said = true;
    emit({
      event: "outbox_stuck",
      key: "outbox-stuck",
      at: clock.now(),
      title: `A watch has waited ${describeDuration(waited)} to reach Trakt`,
      text: `${oldest.label}${oldest.account === "default" ? "" : ` (account "${oldest.account}")`} is still in the outbox. Trakt may be down or refusing the account; the daemon keeps retrying, nothing is lost. See the queue in the dashboard or \`trakt-scrobblerd queue list\`.`,
      link: `${dashboardUrl().replace(/\/+$/, "")}/#queue`,
      severity: "normal",
    });
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  stop(): void {
    this.#disarm();
  }
}

export interface AdapterWatchOptions {
  clock: Clock;
  downMs: () => number;
  emit: (notice: Notice) => void;
}

interface Down {
  since: number;
  kind: string;
  detail: string | undefined;
  timer: TimerHandle | undefined;
  said: boolean;
}

/** adapter_down: said when a connection has been down `downMs`, and once more when it is back. */
export class AdapterWatch {
  readonly #down = new Map<string, Down>();

  constructor(private readonly options: AdapterWatchOptions) {}

  /** How many adapters are being timed (for tests: nothing is armed while everything is up). */
  get armed(): number {
    let n = 0;
    for (const d of this.#down.values()) if (d.timer !== undefined) n += 1;
    return n;
  }

  onAdapter(event: Extract<ActivityEvent, { type: "adapter" }>): void {
    const { clock, emit } = this.options;
    const down = this.#down.get(event.name);
    if (event.state === "disconnected" || event.state === "failed") {
      if (down) {
        down.detail = event.detail ?? down.detail;
        return;
      }
      const entry: Down = { since: event.at, kind: event.kind, detail: event.detail, timer: undefined, said: false };
      entry.timer = clock.setTimeout(() => this.#overdue(event.name, entry), Math.max(0, event.at + this.options.downMs() - clock.now()));
      this.#down.set(event.name, entry);
      return;
    }
    if (!down) return;
    // connected, starting, stopped: no longer down (a stopped adapter was removed from the config: nothing to say).
    this.#down.delete(event.name);
    if (down.timer !== undefined) clock.clearTimeout(down.timer);
    if (down.said && event.state !== "stopped") {
      emit({
        event: "adapter_down",
        key: `adapter-back:${event.name}`,
        cancels: `adapter-down:${event.name}`,
        at: event.at,
        title: `${label(event.kind, event.name)} is back`,
        text: `${label(event.kind, event.name)} is connected again after ${describeDuration(event.at - down.since)}.`,
        severity: "low",
      });
    }
  }

  #overdue(name: string, entry: Down): void {
    entry.timer = undefined;
    if (this.#down.get(name) !== entry) return;
    entry.said = true;
    const { clock, emit } = this.options;
    emit({
      event: "adapter_down",
      key: `adapter-down:${name}`,
      at: clock.now(),
      title: `${label(entry.kind, name)} has been unreachable for ${describeDuration(clock.now() - entry.since)}`,
      text: `${entry.detail ? `Last problem: ${entry.detail}. ` : ""}Nothing it plays is scrobbled until it is back; the daemon keeps trying.`,
      severity: "normal",
    });
  }

  stop(): void {
    for (const d of this.#down.values()) if (d.timer !== undefined) this.options.clock.clearTimeout(d.timer);
    this.#down.clear();
  }
}

function label(kind: string, name: string): string {
  if (name === kind || name.startsWith(`${kind}:`)) return name;
  return `${kind} "${name}"`;
}

/** "1 h 5 min", "12 min", "40 s". */
export function describeDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days} d ${hours % 24} h`;
  return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}
