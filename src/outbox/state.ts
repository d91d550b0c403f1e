// The outbox's live set, rebuilt by applying journal records in order. Applying is idempotent (a record applied
// twice changes nothing more), which lets compaction run while appends continue.
import type { ScrobbleIntent } from "../scrobble/intent.js";
import type { DeadReason, JournalRecord } from "./records.js";

/** Trakt counts a /scrobble/stop at or above this progress as a watch; below, as a pause. */
export const TRAKT_WATCHED_PROGRESS = 80;

/** Is this intent a watch (something that must reach the history exactly once)? */
export function isWatch(intent: ScrobbleIntent): boolean {
  return intent.kind === "watched" || (intent.kind === "stop" && intent.progress >= TRAKT_WATCHED_PROGRESS);
}

export interface Entry {
  intent: ScrobbleIntent;
  account: string;
  queuedAt: number;
  attempts: number;
  lastError: string | undefined;
  /** A send whose answer is unknown happened (or may have): check /sync/history before adding it again. */
  ambiguous: boolean;
  /** A send record without a following attempt/done record: the process died mid-request. */
  sentUnresolved: boolean;
  /** How that unresolved send went: a live /scrobble/stop or a /sync/history add. */
  unresolvedVia: "scrobble" | "history" | undefined;
  /** Switched to /sync/history. */
  replayed: boolean;
  /** A /scrobble/stop for it may have reached Trakt (sent, answer unknown): then it is there with the time it arrived. */
  maybeLive: boolean;
  dead: { reason: DeadReason; message: string; at: number } | undefined;
  // In memory only:
  notBefore: number;
  inFlight: boolean;
  /** Send alone (after a batch was refused as a whole, or after `queue retry`). */
  solo: boolean;
}

export interface Watch {
  account: string;
  key: string;
  watchedAt: number;
  playthroughId: string;
}

export function sessionOf(account: string, intent: ScrobbleIntent): string {
  return `${account}\u0000${intent.player}\u0000${intent.sessionKey}`;
}

export class OutboxState {
  /** Pending entries per account, in queue order. */
  readonly pending = new Map<string, Map<string, Entry>>();
  readonly dead = new Map<string, Entry>();
  readonly byId = new Map<string, Entry>();
  /** start/pause entries (pending or dead) per session: what a later intent of that session supersedes. */
  readonly supersedable = new Map<string, Set<string>>();
  /** Latest delivered watch per account + item key. */
  readonly watches = new Map<string, Watch>();
  /**
   * Every delivered watch per account + item key, kept as long as `watches`: the exactly-once lookup claims their
   * entries in /sync/history first, so none of them is taken for another play of the same item.
   */
  readonly delivered = new Map<string, Watch[]>();
  /** Playthroughs already delivered as a watch, with when. */
  readonly playthroughs = new Map<string, number>();

  constructor(readonly defaultAccount: string) {}

  accountOf(intent: ScrobbleIntent): string {
    return intent.account ?? this.defaultAccount;
  }

  /** Delivered watches remembered (what a compaction writes besides the queue). */
  deliveredCount(): number {
    let n = 0;
    for (const list of this.delivered.values()) n += list.length;
    return n;
  }

  pendingCount(): number {
    let n = 0;
    for (const m of this.pending.values()) n += m.size;
    return n;
  }

  private queueFor(account: string): Map<string, Entry> {
    let q = this.pending.get(account);
    if (!q) this.pending.set(account, (q = new Map<string, Entry>()));
    return q;
  }

  private unindex(entry: Entry): void {
    const key = sessionOf(entry.account, entry.intent);
    const set = this.supersedable.get(key);
    if (set) {
      set.delete(entry.intent.id);
      if (set.size === 0) this.supersedable.delete(key);
    }
  }

  apply(record: JournalRecord): void {
    switch (record.t) {
      case "intent": {
        const intent = record.intent;
        if (this.byId.has(intent.id)) return;
        const account = this.accountOf(intent);
        const entry: Entry = {
          intent,
          account,
          queuedAt: record.at,
          attempts: record.attempts ?? 0,
          lastError: record.lastError,
          ambiguous: record.maybeSent ?? false,
          sentUnresolved: false,
          unresolvedVia: undefined,
          replayed: record.replayed ?? false,
          // Journals from before this was recorded: any send may have been live.
          maybeLive: record.maybeLive ?? record.maybeSent ?? false,
          dead: undefined,
          notBefore: 0,
          inFlight: false,
          solo: false,
        };
        this.byId.set(intent.id, entry);
        this.queueFor(account).set(intent.id, entry);
        if (intent.kind === "start" || intent.kind === "pause") {
          const key = sessionOf(account, intent);
          let set = this.supersedable.get(key);
          if (!set) this.supersedable.set(key, (set = new Set()));
          set.add(intent.id);
        }
        return;
      }
      case "send":
        for (const id of record.ids) {
          const entry = this.byId.get(id);
          if (!entry) continue;
          entry.sentUnresolved = true;
          entry.unresolvedVia = record.via;
        }
        return;
      case "attempt": {
        const entry = this.byId.get(record.id);
        if (!entry) return;
        entry.attempts += 1;
        entry.lastError = record.error;
        if (entry.sentUnresolved && !record.notReceived) this.maybeArrived(entry);
        entry.sentUnresolved = false;
        return;
      }
      case "replay": {
        const entry = this.byId.get(record.id);
        if (entry) entry.replayed = true;
        return;
      }
      case "done": {
        const entry = this.byId.get(record.id);
        if (!entry) return;
        this.byId.delete(record.id);
        this.pending.get(entry.account)?.delete(record.id);
        this.dead.delete(record.id);
        this.unindex(entry);
        return;
      }
      case "dead": {
        const entry = this.byId.get(record.id);
        if (!entry || entry.dead) return;
        entry.dead = { reason: record.reason, message: record.message, at: record.at };
        this.pending.get(entry.account)?.delete(record.id);
        this.dead.set(record.id, entry);
        return;
      }
      case "retry": {
        const entry = this.dead.get(record.id);
        if (!entry) return;
        this.dead.delete(record.id);
        entry.dead = undefined;
        entry.notBefore = 0;
        entry.solo = true;
        this.queueFor(entry.account).set(entry.intent.id, entry);
        return;
      }
      case "watch": {
        const key = `${record.account}\u0000${record.key}`;
        const prev = this.watches.get(key);
        const watch: Watch = { account: record.account, key: record.key, watchedAt: record.watchedAt, playthroughId: record.playthroughId };
        if (record.key !== "" && (!prev || prev.watchedAt <= record.watchedAt)) this.watches.set(key, watch);
        if (record.key !== "") {
          const list = this.delivered.get(key) ?? [];
          if (!list.some((w) => w.playthroughId === watch.playthroughId && w.watchedAt === watch.watchedAt)) list.push(watch);
          this.delivered.set(key, list);
        }
        const seen = this.playthroughs.get(record.playthroughId);
        if (seen === undefined || seen < record.watchedAt) this.playthroughs.set(record.playthroughId, record.watchedAt);
        return;
      }
    }
  }

  /** The unresolved send may have reached Trakt. */
  private maybeArrived(entry: Entry): void {
    entry.ambiguous = true;
    if (entry.unresolvedVia === "scrobble") entry.maybeLive = true;
  }

  /** After loading: a send with no answer recorded means the process died while the request was out. */
  settleAfterLoad(): void {
    for (const entry of this.byId.values()) {
      if (entry.sentUnresolved) this.maybeArrived(entry);
      entry.sentUnresolved = false;
    }
  }

  /** Drops dedupe memory older than `keepMs` before `now`. */
  pruneWatches(now: number, keepMs: number): void {
    for (const [key, w] of this.watches) if (now - w.watchedAt > keepMs) this.watches.delete(key);
    for (const [key, list] of this.delivered) {
      const kept = list.filter((w) => now - w.watchedAt <= keepMs);
      if (kept.length > 0) this.delivered.set(key, kept);
      else this.delivered.delete(key);
    }
    for (const [id, at] of this.playthroughs) if (now - at > keepMs) this.playthroughs.delete(id);
  }

  /** The live set as records, for compaction. */
  snapshot(now: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    const intentRecord = (e: Entry): JournalRecord => ({
      t: "intent",
      at: e.queuedAt,
      intent: e.intent,
      attempts: e.attempts,
      maybeSent: e.ambiguous || e.sentUnresolved,
      replayed: e.replayed,
      maybeLive: e.maybeLive,
      ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
    });
    for (const q of this.pending.values()) for (const e of q.values()) out.push(intentRecord(e));
    for (const e of this.dead.values()) {
      out.push(intentRecord(e));
      if (e.dead) out.push({ t: "dead", at: e.dead.at, id: e.intent.id, reason: e.dead.reason, message: e.dead.message });
    }
    const pidOnly = new Map(this.playthroughs);
    for (const list of this.delivered.values()) {
      for (const w of list) {
        out.push({ t: "watch", at: now, account: w.account, key: w.key, watchedAt: w.watchedAt, playthroughId: w.playthroughId });
        pidOnly.delete(w.playthroughId);
      }
    }
    // Playthroughs whose item key was overwritten by a later watch still need remembering.
    for (const [pid, at] of pidOnly) out.push({ t: "watch", at: now, account: "", key: "", watchedAt: at, playthroughId: pid });
    return out;
  }
}
