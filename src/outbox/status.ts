// What the outbox has done since it started: request answers, outcomes, the last deliveries, and the status view
// (`/api/status`, metrics, `status`) built from them.
import type { ScrobbleIntent } from "../scrobble/intent.js";
import { isTraktError } from "../trakt/errors.js";
import { hintsLabel } from "./labels.js";
import type { DeadReason, DoneOutcome } from "./records.js";
import type { JournalReport } from "./store.js";
import type { Entry } from "./state.js";

export interface DeliveryView {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  label: string;
  outcome: DoneOutcome;
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
  counters: OutboxCounterValues;
  journal: JournalReport;
}

type Tally = Exclude<keyof OutboxCounterValues, "requests">;

const LAST_DELIVERIES = 20;

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
  }

  lastDeliveries(): DeliveryView[] {
    return [...this.last];
  }

  snapshot(): OutboxCounterValues {
    return { ...this.values, requests: { ...this.values.requests } };
  }
}
