// What the outbox has done since it started: request answers, outcomes, the last deliveries, and the status view
// (`/api/status`, metrics, `status`) built from them.
import type { ScrobbleIntent } from "../scrobble/intent.js";
import { isTraktError } from "../trakt/errors.js";
import { hintsLabel } from "./labels.js";
import type { DeadReason, DoneOutcome } from "./records.js";
import type { JournalReport } from "./store.js";
import { isWatch, type Entry } from "./state.js";

export interface DeliveryView {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  label: string;
  outcome: DoneOutcome;
  at: string;
}

/** A watch that reached Trakt: live through /scrobble, or through /sync/history with its real time. */
export interface WatchView {
  id: string;
  account: string;
  label: string;
  player: string;
  /** `scrobble` = live /scrobble/stop; `history` = replayed into /sync/history; `already` = Trakt had it already. */
  via: "scrobble" | "history" | "already";
  /** When it was watched (playback ended), and when Trakt got it. */
  watchedAt: string;
  at: string;
}

export interface AccountView {
  account: string;
  pending: number;
  waitingUntil: string | undefined;
  problem: string | undefined;
}

export interface OutboxCounterValues {
  /** Requests by call and answer, e.g. `scrobble 201`, `scrobble 409`, `history 201`, `history-check 200`, `scrobble retryable`. */
  requests: Record<string, number>;
  retries: number;
  delivered: number;
  conflicts: number;
  replayed: number;
  inHistory: number;
  deduped: number;
  superseded: number;
  deadLettered: number;
}

export interface OutboxStatus {
  pending: number;
  deadLetters: number;
  deadByReason: Record<DeadReason, number>;
  accounts: AccountView[];
  lastDeliveries: DeliveryView[];
  /** The last watches recorded on Trakt, newest first (start/pause/stop deliveries are left out). */
  lastWatches: WatchView[];
  counters: OutboxCounterValues;
  journal: JournalReport;
}

type Tally = Exclude<keyof OutboxCounterValues, "requests">;

const LAST_DELIVERIES = 20;
const LAST_WATCHES = 20;
const VIA: Partial<Record<DoneOutcome, WatchView["via"]>> = { delivered: "scrobble", history: "history", in_history: "already" };

export class OutboxCounters {
  private readonly values: OutboxCounterValues = {
    requests: {},
    retries: 0,
    delivered: 0,
    conflicts: 0,
    replayed: 0,
    inHistory: 0,
    deduped: 0,
    superseded: 0,
    deadLettered: 0,
  };
  private readonly last: DeliveryView[] = [];
  private readonly watches: WatchView[] = [];

  add(name: Tally, n = 1): void {
    this.values[name] += n;
  }

  /** Counts a request by its answer: `call 201` when it worked. */
  request(call: string, answer = "201"): void {
    const key = `${call} ${answer}`;
    this.values.requests[key] = (this.values.requests[key] ?? 0) + 1;
  }

  /** Counts a failed request by what came back: the status, the error kind, or `error` when Trakt never answered. */
  failedRequest(call: string, error: unknown): void {
    this.request(call, isTraktError(error) ? String(error.status ?? error.kind) : "error");
  }

  /** An intent left the live set: count its outcome and remember it among the last deliveries. */
  finished(entry: Entry, outcome: DoneOutcome, now: number): void {
    switch (outcome) {
      case "delivered":
      case "history":
        this.values.delivered += 1;
        break;
      case "conflict":
        this.values.conflicts += 1;
        break;
      case "in_history":
        this.values.inHistory += 1;
        break;
      case "deduped":
        this.values.deduped += 1;
        break;
      case "superseded":
        this.values.superseded += 1;
        return;
      case "dropped":
      case "expired":
        return;
    }
    this.last.unshift({
      id: entry.intent.id,
      kind: entry.intent.kind,
      account: entry.account,
      label: hintsLabel(entry.intent),
      outcome,
      at: new Date(now).toISOString(),
    });
    this.last.length = Math.min(this.last.length, LAST_DELIVERIES);
    const via = VIA[outcome];
    if (via && isWatch(entry.intent)) {
      const watchedAt = entry.intent.endedAt ?? entry.intent.createdAt;
      this.watches.unshift({ id: entry.intent.id, account: entry.account, label: hintsLabel(entry.intent), player: entry.intent.player, via, watchedAt: new Date(watchedAt).toISOString(), at: new Date(now).toISOString() });
      this.watches.length = Math.min(this.watches.length, LAST_WATCHES);
    }
  }

  lastWatches(): WatchView[] {
    return [...this.watches];
  }

  lastDeliveries(): DeliveryView[] {
    return [...this.last];
  }

  snapshot(): OutboxCounterValues {
    return { ...this.values, requests: { ...this.values.requests } };
  }
}
