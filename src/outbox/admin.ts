// Managing the queue by hand: list it, move a dead letter back (retry), remove an entry (drop), apply the requests
// the CLI leaves in control/ while the daemon runs, and expire old dead letters.
import type { MediaHints } from "../core/playback.js";
import type { ScrobbleIntent } from "../scrobble/intent.js";
import type { Logger } from "../util/log.js";
import { listControlFiles, readControlFile, removeControlFile } from "./control.js";
import { hintsLabel } from "./labels.js";
import { MINUTE } from "./options.js";
import type { DeadReason } from "./records.js";
import { isWatch, type Entry } from "./state.js";
import type { OutboxStore } from "./store.js";

export interface QueueEntryView {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  player: string;
  sessionKey: string;
  playthroughId: string;
  label: string;
  /** What the player said about the media (path, titles, ids): what identification works from. */
  hints: MediaHints;
  progress: number;
  /** A watch (a stop at 80 % or more, or a watched): it must reach the history exactly once. */
  watch: boolean;
  queuedAt: string;
  endedAt: string | undefined;
  ageMs: number;
  attempts: number;
  lastError: string | undefined;
  replayed: boolean;
  inFlight: boolean;
  dead: { reason: DeadReason; message: string; at: string } | undefined;
}

export interface QueueCounts {
  pending: number;
  deadLetters: number;
  deadByReason: Record<DeadReason, number>;
}

export interface QueueListing {
  pending: QueueEntryView[];
  deadLetters: QueueEntryView[];
  counts: QueueCounts;
}

export interface AdminOptions {
  store: OutboxStore;
  dir: string;
  deadLetterExpiryDays: number;
  log: Logger;
  now: () => number;
  /** Starts delivery for an account (after a dead letter went back to the queue). */
  kick: (account: string) => Promise<void>;
}

function entryView(e: Entry, now: number): QueueEntryView {
  return {
    id: e.intent.id,
    kind: e.intent.kind,
    account: e.account,
    player: e.intent.player,
    sessionKey: e.intent.sessionKey,
    playthroughId: e.intent.playthroughId,
    label: hintsLabel(e.intent),
    hints: e.intent.hints,
    progress: e.intent.progress,
    watch: isWatch(e.intent),
    queuedAt: new Date(e.queuedAt).toISOString(),
    endedAt: e.intent.endedAt === undefined ? undefined : new Date(e.intent.endedAt).toISOString(),
    ageMs: now - e.queuedAt,
    attempts: e.attempts,
    lastError: e.lastError,
    replayed: e.replayed,
    inFlight: e.inFlight,
    dead: e.dead && { reason: e.dead.reason, message: e.dead.message, at: new Date(e.dead.at).toISOString() },
  };
}

export class QueueAdmin {
  constructor(private readonly options: AdminOptions) {}

  private get state() {
    return this.options.store.state;
  }

  counts(): QueueCounts {
    const deadByReason: Record<DeadReason, number> = { not_found: 0, invalid: 0, account_limit: 0, unknown_media: 0 };
    for (const e of this.state.dead.values()) if (e.dead) deadByReason[e.dead.reason] += 1;
    return { pending: this.state.pendingCount(), deadLetters: this.state.dead.size, deadByReason };
  }

  list(): QueueListing {
    const now = this.options.now();
    const pending: QueueEntryView[] = [];
    for (const q of this.state.pending.values()) for (const e of q.values()) pending.push(entryView(e, now));
    const deadLetters = [...this.state.dead.values()].map((e) => entryView(e, now));
    return { pending, deadLetters, counts: this.counts() };
  }

  /** Finds an entry by full id or unique prefix. Throws a clear error otherwise. */
  find(idOrPrefix: string): QueueEntryView {
    return entryView(this.resolve(idOrPrefix), this.options.now());
  }

  private resolve(idOrPrefix: string): Entry {
    const exact = this.state.byId.get(idOrPrefix);
    if (exact) return exact;
    const matches = [...this.state.byId.values()].filter((e) => e.intent.id.startsWith(idOrPrefix));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) throw new Error(`"${idOrPrefix}" matches ${matches.length} queue entries; give more of the id`);
    throw new Error(`no queue entry with id "${idOrPrefix}" (see \`trakt-scrobblerd queue list\`)`);
  }

  /** Moves a dead letter back to the queue (sent alone, next drain). */
  async retry(idOrPrefix: string): Promise<QueueEntryView> {
    const entry = this.resolve(idOrPrefix);
    if (!entry.dead) throw new Error(`${entry.intent.id} is not a dead letter; it is already waiting in the queue`);
    const view = entryView(entry, this.options.now());
    await this.options.store.write([{ t: "retry", at: this.options.now(), id: entry.intent.id }]);
    this.options.log.info({ id: entry.intent.id, label: view.label }, "dead letter moved back to the queue");
    void this.options.kick(entry.account);
    return view;
  }

  /** Removes a dead letter or a pending intent for good. */
  async drop(idOrPrefix: string): Promise<QueueEntryView> {
    const entry = this.resolve(idOrPrefix);
    if (entry.inFlight) throw new Error(`${entry.intent.id} is being sent right now; try again in a moment`);
    const view = entryView(entry, this.options.now());
    await this.options.store.write([{ t: "done", at: this.options.now(), id: entry.intent.id, outcome: "dropped", detail: "queue drop" }]);
    this.options.log.warn({ id: entry.intent.id, label: view.label, kind: view.kind, dead: view.dead?.reason }, "queue entry dropped by the user");
    return view;
  }

  /** Applies the retry/drop requests `queue` left for the running daemon, oldest first, and removes them. */
  async applyControlRequests(): Promise<void> {
    const { log } = this.options;
    for (const file of await listControlFiles(this.options.dir)) {
      try {
        const request = await readControlFile(file);
        if (request.op === "retry") await this.retry(request.id);
        else await this.drop(request.id);
      } catch (error) {
        log.warn({ file, err: error }, "queue control request failed");
      }
      await removeControlFile(file);
    }
  }

  private get deadLetterMaxAgeMs(): number {
    return this.options.deadLetterExpiryDays * 24 * 60 * MINUTE;
  }

  /** When the oldest dead letter expires; undefined without dead letters. */
  nextExpiry(): number | undefined {
    let oldest: number | undefined;
    for (const e of this.state.dead.values()) if (e.dead && (oldest === undefined || e.dead.at < oldest)) oldest = e.dead.at;
    // Expired once strictly older than the limit.
    return oldest === undefined ? undefined : oldest + this.deadLetterMaxAgeMs + 1;
  }

  async expireDeadLetters(): Promise<void> {
    const now = this.options.now();
    const maxAge = this.deadLetterMaxAgeMs;
    const expired = [...this.state.dead.values()].filter((e) => e.dead && now - e.dead.at > maxAge);
    if (expired.length === 0) return;
    for (const e of expired) {
      this.options.log.warn(
        { id: e.intent.id, label: hintsLabel(e.intent), reason: e.dead?.reason, days: this.options.deadLetterExpiryDays },
        "dead letter expired and removed",
      );
    }
    await this.options.store.write(expired.map((e) => ({ t: "done", at: now, id: e.intent.id, outcome: "expired" })));
  }
}
