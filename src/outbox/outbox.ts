// The durable outbox: intents are journaled (fsync'd) before anything is sent, delivered per account in order,
// and leave the live set only with a final answer. See docs/outbox.md for the rules and journal.ts for storage.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Identifier } from "../identify/types.js";
import type { IntentSink, ScrobbleIntent } from "../scrobble/intent.js";
import type { TraktApi } from "../trakt/api.js";
import { isTraktError } from "../trakt/errors.js";
import type { HistoryAddResult, HistoryEntry } from "../trakt/types.js";
import type { MediaItem } from "../core/media.js";
import { silentLogger, type Logger } from "../util/log.js";
import { entryMatches, historyBody, inNotFound, itemKey, itemLabel, scrobbleBody } from "./items.js";
import { Journal, readJournal, type ReadReport } from "./journal.js";
import { readControlFileSafely } from "./control-file.js";
import { acquireLock } from "./lock.js";
import { backoffMs, certainlyNotReceived, classifyFailure, describeError } from "./policy.js";
import { intentSchema, type DeadReason, type DoneOutcome, type JournalRecord } from "./records.js";
import { OutboxState, isWatch, sessionOf, type Entry } from "./state.js";

/** The part of the Trakt client the outbox uses. */
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
}

export interface QueueEntryView {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  player: string;
  sessionKey: string;
  playthroughId: string;
  label: string;
  progress: number;
  queuedAt: string;
  endedAt: string | undefined;
  ageMs: number;
  attempts: number;
  lastError: string | undefined;
  replayed: boolean;
  inFlight: boolean;
  dead: { reason: DeadReason; message: string; at: string } | undefined;
}

export interface QueueListing {
  pending: QueueEntryView[];
  deadLetters: QueueEntryView[];
  counts: { pending: number; deadLetters: number; deadByReason: Record<DeadReason, number> };
}

export interface DeliveryView {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  label: string;
  outcome: DoneOutcome;
  at: string;
}

export interface OutboxStatus {
  pending: number;
  deadLetters: number;
  deadByReason: Record<DeadReason, number>;
  accounts: { account: string; pending: number; waitingUntil: string | undefined; problem: string | undefined }[];
  lastDeliveries: DeliveryView[];
  counters: {
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
  };
  journal: { file: string; loadedRecords: number; tornTail: boolean; damagedLines: number };
}

interface AccountRun {
  notBefore: number;
  failures: number;
  problem: string | undefined;
  running: Promise<void> | undefined;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  loggedProblem: boolean;
}

interface Candidate {
  entry: Entry;
  items: MediaItem[];
}

type ControlRequest = { op: "retry" | "drop"; id: string };

const MINUTE = 60_000;
/** Slack around a watch's time when looking for it in /sync/history (clock skew, request time). */
const HISTORY_SLACK_MS = 5 * MINUTE;
const HISTORY_PAGE_LIMIT = 100;
const HISTORY_MAX_PAGES = 50;
const LAST_DELIVERIES = 20;

const emptyReasons = (): Record<DeadReason, number> => ({ not_found: 0, invalid: 0, account_limit: 0, unknown_media: 0 });

export function hintsLabel(intent: ScrobbleIntent): string {
  const h = intent.hints;
  if (h.showTitle || h.season !== undefined) {
    const se = h.season !== undefined && h.episode !== undefined ? ` S${String(h.season).padStart(2, "0")}E${String(h.episode).padStart(2, "0")}` : "";
    return `${h.showTitle ?? h.title ?? "?"}${se}`;
  }
  if (h.title) return `${h.title}${h.year ? ` (${h.year})` : ""}`;
  if (h.mediaTitle) return h.mediaTitle;
  if (h.path) return path.basename(h.path);
  const ids = Object.entries(h.ids ?? {}).map(([k, v]) => `${k}:${v}`);
  return ids.length ? ids.join(" ") : "(no title)";
}

export class Outbox implements IntentSink {
  private readonly state: OutboxState;
  private readonly settings: OutboxSettings;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly runs = new Map<string, AccountRun>();
  private readonly abort = new AbortController();
  private readonly lastDeliveries: DeliveryView[] = [];
  private readonly loggedUnknown = new Set<string>();
  private readonly counters: OutboxStatus["counters"] = {
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
  private journal: Journal | undefined;
  private releaseLock: (() => Promise<void>) | undefined;
  private compacting: Promise<void> | undefined;
  private closing = false;
  private loadReport: ReadReport | undefined;

  private constructor(private readonly options: OutboxOptions) {
    this.settings = { ...DEFAULT_OUTBOX_SETTINGS, ...options.settings };
    this.state = new OutboxState(options.defaultAccount ?? "default");
    this.log = (options.logger ?? silentLogger()).child({ component: "outbox" });
    this.now = options.now ?? Date.now;
  }

  static journalFile(dir: string): string {
    return path.join(dir, "journal.jsonl");
  }

  /** Loads the journal (taking the lock unless readOnly) and compacts it. Call `drain()` to start delivering. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    await outbox.load();
    return outbox;
  }

  private get file(): string {
    return Outbox.journalFile(this.options.dir);
  }

  private async load(): Promise<void> {
    const { dir, readOnly } = this.options;
    if (!readOnly) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      this.releaseLock = await acquireLock(path.join(dir, "lock"));
    }
    try {
      const started = performance.now();
      const report = await readJournal(this.file, (r) => this.state.apply(r));
      this.state.settleAfterLoad();
      this.loadReport = report;
      if (report.tornTail) this.log.warn({ file: this.file }, "outbox journal: ignored a torn last record (the process or machine stopped mid-write); nothing else was affected");
      for (const d of report.damaged) this.log.error({ file: this.file, line: d.line, why: d.why }, "outbox journal: skipped a damaged record");
      this.log.info(
        { pending: this.state.pendingCount(), deadLetters: this.state.dead.size, records: report.records, ms: Math.round(performance.now() - started) },
        "outbox loaded",
      );
      if (readOnly) return;
      this.journal = await Journal.open(this.file, report.goodBytes);
      this.state.pruneWatches(this.now(), this.watchKeepMs());
      await this.journal.compact(() => this.state.snapshot(this.now()));
    } catch (error) {
      await this.releaseLock?.();
      throw error;
    }
  }

  private watchKeepMs(): number {
    // Playthroughs are remembered at least a day so a repeated stop is never a second watch.
    return Math.max(this.settings.dedupeWindowMinutes * MINUTE, 24 * 60 * MINUTE);
  }

  /** Applies the records to the live set at once and resolves when they are durable on disk. */
  private write(records: JournalRecord[]): Promise<void> {
    if (!this.journal) return Promise.reject(new Error("the outbox is open read-only"));
    for (const r of records) this.state.apply(r);
    const durable = this.journal.append(records);
    this.maybeCompact();
    return durable;
  }

  private maybeCompact(): void {
    const j = this.journal;
    if (!j || this.compacting || this.closing) return;
    const live = this.state.byId.size + this.state.watches.size;
    if (j.appended < 1000 || j.appended < 4 * live) return;
    this.compacting = j
      .compact(() => {
        this.state.pruneWatches(this.now(), this.watchKeepMs());
        return this.state.snapshot(this.now());
      })
      .catch((error: unknown) => this.log.error({ err: error }, "outbox compaction failed; the journal keeps growing until the next try"))
      .finally(() => (this.compacting = undefined));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // IntentSink

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
    const durable = this.write(records);
    for (const e of superseded) this.finished(e, "superseded");
    if (isWatch(valid)) {
      // Write before send: a watch leaves only once its record is fsync'd.
      await durable;
      void this.kick(account);
      return;
    }
    // A start/pause goes out while its record is being written (a write() alone can stall for milliseconds on a
    // busy disk): if the process or machine dies in between, Trakt got a "watching" state the journal forgot —
    // nothing is lost and nothing repeated. If the send fails, the record is there to retry from. The done record
    // is queued behind the intent record, so the journal's order holds. submit() resolves once it is durable.
    void this.kick(account);
    await durable;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public queue management

  /** Delivers what can be delivered now, for every account in parallel. The daemon calls it periodically. */
  async drain(): Promise<void> {
    if (this.closing || !this.journal) return;
    await this.applyControlRequests();
    await this.expireDeadLetters();
    await Promise.all([...this.state.pending.keys()].map((account) => this.kick(account)));
  }

  /** Resolves when no account is delivering (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.runs.values()].map((r) => r.running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
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
    for (const [name, run] of this.runs) {
      if (account !== undefined && name !== account) continue;
      run.notBefore = 0;
      run.problem = undefined;
    }
    for (const q of this.state.pending.values()) for (const e of q.values()) if (account === undefined || e.account === account) e.notBefore = 0;
    await this.drain();
  }

  list(): QueueListing {
    const now = this.now();
    const view = (e: Entry): QueueEntryView => ({
      id: e.intent.id,
      kind: e.intent.kind,
      account: e.account,
      player: e.intent.player,
      sessionKey: e.intent.sessionKey,
      playthroughId: e.intent.playthroughId,
      label: hintsLabel(e.intent),
      progress: e.intent.progress,
      queuedAt: new Date(e.queuedAt).toISOString(),
      endedAt: e.intent.endedAt === undefined ? undefined : new Date(e.intent.endedAt).toISOString(),
      ageMs: now - e.queuedAt,
      attempts: e.attempts,
      lastError: e.lastError,
      replayed: e.replayed,
      inFlight: e.inFlight,
      dead: e.dead && { reason: e.dead.reason, message: e.dead.message, at: new Date(e.dead.at).toISOString() },
    });
    const pending: QueueEntryView[] = [];
    for (const q of this.state.pending.values()) for (const e of q.values()) pending.push(view(e));
    const deadLetters = [...this.state.dead.values()].map(view);
    const deadByReason = emptyReasons();
    for (const e of this.state.dead.values()) if (e.dead) deadByReason[e.dead.reason] += 1;
    return { pending, deadLetters, counts: { pending: pending.length, deadLetters: deadLetters.length, deadByReason } };
  }

  /** Finds an entry by full id or unique prefix. Throws a clear error otherwise. */
  find(idOrPrefix: string): QueueEntryView {
    const entry = this.resolve(idOrPrefix);
    const v = this.list();
    const found = [...v.pending, ...v.deadLetters].find((e) => e.id === entry.intent.id);
    if (!found) throw new Error(`no queue entry ${idOrPrefix}`);
    return found;
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
    const view = this.find(entry.intent.id);
    await this.write([{ t: "retry", at: this.now(), id: entry.intent.id }]);
    this.log.info({ id: entry.intent.id, label: view.label }, "dead letter moved back to the queue");
    void this.kick(entry.account);
    return view;
  }

  /** Removes a dead letter or a pending intent for good. */
  async drop(idOrPrefix: string): Promise<QueueEntryView> {
    const entry = this.resolve(idOrPrefix);
    if (entry.inFlight) throw new Error(`${entry.intent.id} is being sent right now; try again in a moment`);
    const view = this.find(entry.intent.id);
    await this.write([{ t: "done", at: this.now(), id: entry.intent.id, outcome: "dropped", detail: "queue drop" }]);
    this.log.warn({ id: entry.intent.id, label: view.label, kind: view.kind, dead: view.dead?.reason }, "queue entry dropped by the user");
    return view;
  }

  status(): OutboxStatus {
    const listing = this.list();
    const now = this.now();
    const accounts = [...new Set([...this.state.pending.keys(), ...this.runs.keys()])].map((account) => {
      const run = this.runs.get(account);
      const waiting = run && run.notBefore > now ? new Date(run.notBefore).toISOString() : undefined;
      return { account, pending: this.state.pending.get(account)?.size ?? 0, waitingUntil: waiting, problem: run?.problem };
    });
    return {
      pending: listing.counts.pending,
      deadLetters: listing.counts.deadLetters,
      deadByReason: listing.counts.deadByReason,
      accounts,
      lastDeliveries: [...this.lastDeliveries],
      counters: { ...this.counters, requests: { ...this.counters.requests } },
      journal: {
        file: this.file,
        loadedRecords: this.loadReport?.records ?? 0,
        tornTail: this.loadReport?.tornTail ?? false,
        damagedLines: this.loadReport?.damaged.length ?? 0,
      },
    };
  }

  /** Stops delivering (in-flight requests are aborted and stay queued), flushes the journal, releases the lock. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort(new Error("outbox closing"));
    for (const run of this.runs.values()) if (run.timer) clearTimeout(run.timer);
    await this.idle();
    await this.compacting;
    await this.journal?.close();
    await this.releaseLock?.();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // CLI → running daemon

  /** Hands a retry/drop to the daemon that holds the lock; it applies it at its next drain. */
  static async requestControl(dir: string, request: ControlRequest): Promise<string> {
    const control = path.join(dir, "control");
    await mkdir(control, { recursive: true, mode: 0o700 });
    const name = `${Date.now()}-${randomUUID()}.json`;
    const tmp = path.join(control, `.${name}.tmp`);
    await writeFile(tmp, JSON.stringify(request), { mode: 0o600, flag: "wx" });
    await rename(tmp, path.join(control, name));
    return path.join(control, name);
  }

  private async applyControlRequests(): Promise<void> {
    const control = path.join(this.options.dir, "control");
    let names: string[];
    try {
      names = (await readdir(control)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(control, name);
      try {
        const request: Partial<ControlRequest> = await readControlFileSafely(file);
        if ((request.op === "retry" || request.op === "drop") && typeof request.id === "string") {
          if (request.op === "retry") await this.retry(request.id);
          else await this.drop(request.id);
        } else {
          this.log.warn({ file }, "ignored an unreadable queue control request");
        }
      } catch (error) {
        this.log.warn({ file, err: error }, "queue control request failed");
      }
      await unlink(file).catch(() => undefined);
    }
  }

  private async expireDeadLetters(): Promise<void> {
    const now = this.now();
    const maxAge = this.settings.deadLetterExpiryDays * 24 * 60 * MINUTE;
    const expired = [...this.state.dead.values()].filter((e) => e.dead && now - e.dead.at > maxAge);
    if (expired.length === 0) return;
    for (const e of expired) {
      this.log.warn(
        { id: e.intent.id, label: hintsLabel(e.intent), reason: e.dead?.reason, days: this.settings.deadLetterExpiryDays },
        "dead letter expired and removed",
      );
    }
    await this.write(expired.map((e) => ({ t: "done", at: now, id: e.intent.id, outcome: "expired" })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Delivery

  private run(account: string): AccountRun {
    let run = this.runs.get(account);
    if (!run) {
      run = { notBefore: 0, failures: 0, problem: undefined, running: undefined, again: false, timer: undefined, loggedProblem: false };
      this.runs.set(account, run);
    }
    return run;
  }

  /** Starts the account's delivery loop, or asks the running one to look again. Never rejects. */
  private kick(account: string): Promise<void> {
    const run = this.run(account);
    if (this.closing || !this.journal) return Promise.resolve();
    if (run.running) {
      run.again = true;
      return run.running;
    }
    run.running = (async () => {
      try {
        do {
          run.again = false;
          await this.drainAccount(account, run);
        } while (run.again && !this.closing);
      } catch (error) {
        if (!this.closing) this.log.error({ err: error, account }, "outbox delivery loop failed; it runs again at the next drain");
      } finally {
        run.running = undefined;
      }
    })();
    return run.running;
  }

  private isHistoryMode(entry: Entry, now: number): boolean {
    if (!isWatch(entry.intent)) return false;
    if (entry.replayed || entry.intent.kind === "watched") return true;
    const ended = entry.intent.endedAt ?? entry.intent.createdAt;
    return now - ended >= this.settings.replayAfterMinutes * MINUTE;
  }

  private async drainAccount(account: string, run: AccountRun): Promise<void> {
    while (!this.closing) {
      const now = this.now();
      if (run.notBefore > now) return this.wakeAt(account, run, run.notBefore);
      const queue = this.state.pending.get(account);
      if (!queue || queue.size === 0) return;
      let head: Entry | undefined;
      let earliest = Infinity;
      for (const e of queue.values()) {
        if (e.inFlight) continue;
        if (e.notBefore > now) {
          earliest = Math.min(earliest, e.notBefore);
          continue;
        }
        head = e;
        break;
      }
      if (!head) {
        if (earliest < Infinity) this.wakeAt(account, run, earliest);
        return;
      }
      if (this.isHistoryMode(head, now)) await this.deliverHistory(account, run, head, queue, now);
      else await this.deliverLive(account, run, head);
    }
  }

  private wakeAt(account: string, run: AccountRun, at: number): void {
    if (this.options.autoWake === false || this.closing) return;
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      run.timer = undefined;
      void this.kick(account);
    }, Math.max(0, at - this.now()) + 10);
    run.timer.unref();
  }

  private count(key: string): void {
    this.counters.requests[key] = (this.counters.requests[key] ?? 0) + 1;
  }

  private answerKey(call: string, error: unknown): string {
    if (isTraktError(error)) return `${call} ${error.status ?? error.kind}`;
    return `${call} error`;
  }

  private finished(entry: Entry, outcome: DoneOutcome): void {
    switch (outcome) {
      case "delivered":
      case "history":
        this.counters.delivered += 1;
        break;
      case "conflict":
        this.counters.conflicts += 1;
        break;
      case "in_history":
        this.counters.inHistory += 1;
        break;
      case "deduped":
        this.counters.deduped += 1;
        break;
      case "superseded":
        this.counters.superseded += 1;
        return;
      case "dropped":
      case "expired":
        return;
    }
    this.lastDeliveries.unshift({
      id: entry.intent.id,
      kind: entry.intent.kind,
      account: entry.account,
      label: hintsLabel(entry.intent),
      outcome,
      at: new Date(this.now()).toISOString(),
    });
    this.lastDeliveries.length = Math.min(this.lastDeliveries.length, LAST_DELIVERIES);
  }

  /** Identification at send time. Undefined when the entry was parked (retry later) or dead-lettered. */
  private async identify(entry: Entry): Promise<MediaItem[] | undefined> {
    let result;
    try {
      result = await this.options.identifier.identify(entry.intent.hints, this.abort.signal);
    } catch (error) {
      result = { ok: false as const, reason: describeError(error), retryable: true };
    }
    if (result.ok && result.items.length > 0) return result.items;
    const reason = result.ok ? "identification returned no items" : result.reason;
    if (!result.ok && result.retryable && !this.closing) {
      entry.notBefore = this.now() + backoffMs(entry.attempts, this.settings.retryMaxDelaySeconds * 1000);
      this.counters.retries += 1;
      await this.write([{ t: "attempt", at: this.now(), id: entry.intent.id, error: `identify: ${reason}`, notReceived: true }]);
      return undefined;
    }
    if (this.closing) return undefined;
    await this.deadLetter([entry], "unknown_media", reason);
    return undefined;
  }

  private async deadLetter(entries: Entry[], reason: DeadReason, message: string): Promise<void> {
    const now = this.now();
    await this.write(entries.map((e) => ({ t: "dead", at: now, id: e.intent.id, reason, message })));
    for (const e of entries) {
      this.counters.deadLettered += 1;
      // Unknown media: say so once per playthrough, clearly; the rest of that playthrough is quiet.
      if (reason === "unknown_media") {
        if (this.loggedUnknown.has(e.intent.playthroughId)) continue;
        if (this.loggedUnknown.size > 10_000) this.loggedUnknown.clear();
        this.loggedUnknown.add(e.intent.playthroughId);
        this.log.warn(
          { id: e.intent.id, account: e.account, player: e.intent.player, media: hintsLabel(e.intent), why: message },
          "unknown media: not scrobbled (kept as a dead letter; fix with an identify override, then `queue retry`)",
        );
      } else {
        this.log.warn({ id: e.intent.id, account: e.account, kind: e.intent.kind, media: hintsLabel(e.intent), reason, why: message }, "dead letter: Trakt refused this for good");
      }
    }
  }

  /** Duplicate watch? (same playthrough already delivered, or same item within the dedupe window). */
  private duplicateOf(entry: Entry, items: MediaItem[], extra?: Map<string, number>): string | undefined {
    const pid = entry.intent.playthroughId;
    const seen = this.state.playthroughs.get(pid);
    if (seen !== undefined) return `playthrough ${pid} was already recorded at ${new Date(seen).toISOString()}`;
    const windowMs = this.settings.dedupeWindowMinutes * MINUTE;
    if (windowMs <= 0) return undefined;
    const at = entry.intent.endedAt ?? entry.intent.createdAt;
    for (const item of items) {
      const key = itemKey(item);
      if (!key) return undefined;
      const w = this.state.watches.get(`${entry.account}\u0000${key}`);
      const prior = extra?.get(key) ?? w?.watchedAt;
      if (prior === undefined || Math.abs(at - prior) >= windowMs) return undefined;
    }
    return `${items.map(itemLabel).join(", ")} was recorded within the dedupe window (${this.settings.dedupeWindowMinutes} min)`;
  }

  private watchRecords(entry: Entry, items: MediaItem[], watchedAt: number): JournalRecord[] {
    const now = this.now();
    const out: JournalRecord[] = [];
    for (const item of items) {
      out.push({ t: "watch", at: now, account: entry.account, key: itemKey(item) ?? "", watchedAt, playthroughId: entry.intent.playthroughId });
    }
    return out;
  }

  private async complete(entry: Entry, outcome: DoneOutcome, extra: JournalRecord[] = [], info: { watchedAt?: number; expiresAt?: number; detail?: string } = {}): Promise<void> {
    await this.write([...extra, { t: "done", at: this.now(), id: entry.intent.id, outcome, ...info }]);
    this.finished(entry, outcome);
  }

  private async deliverLive(account: string, run: AccountRun, entry: Entry): Promise<void> {
    entry.inFlight = true;
    try {
      const items = await this.identify(entry);
      if (!items || this.closing) return;
      const intent = entry.intent;
      const watch = isWatch(intent);
      if (watch) {
        if (items.length > 1) {
          // A multi-episode file: one scrobble cannot carry several episodes; /sync/history can.
          await this.write([{ t: "replay", at: this.now(), id: intent.id }]);
          return;
        }
        const dup = this.duplicateOf(entry, items);
        if (dup) {
          this.log.info({ id: intent.id, account, why: dup }, "watch not sent again (duplicate)");
          return await this.complete(entry, "deduped", [], { detail: dup });
        }
        if (entry.ambiguous) {
          // An earlier send may have reached Trakt: look before sending again.
          const found = await this.findInHistory(account, run, [{ entry, items }]);
          if (!found) return;
          if (found.has(intent.id)) return await this.completeInHistory(entry, items);
        }
        await this.write([{ t: "send", at: this.now(), ids: [intent.id], via: "scrobble" }]);
      }
      const [item] = items;
      if (!item) return;
      const action = intent.kind === "start" ? "start" : intent.kind === "pause" ? "pause" : "stop";
      try {
        await this.options.api.scrobble(account, action, scrobbleBody(item, intent.progress, this.options.appVersion), this.abort.signal);
        this.count(`scrobble 201`);
      } catch (error) {
        this.count(this.answerKey("scrobble", error));
        if (isTraktError(error, "conflict")) {
          const watchedAt = error.conflict?.watchedAt?.getTime() ?? intent.endedAt ?? this.now();
          this.log.info({ id: intent.id, account, media: itemLabel(item), watchedAt: new Date(watchedAt).toISOString() }, "Trakt already had this scrobble (409): counted as delivered");
          this.accountOk(run);
          return await this.complete(entry, "conflict", watch ? this.watchRecords(entry, items, watchedAt) : [], {
            watchedAt,
            ...(error.conflict?.expiresAt ? { expiresAt: error.conflict.expiresAt.getTime() } : {}),
          });
        }
        const failure = classifyFailure(error);
        if (failure.action !== "accepted") return await this.failed(account, run, [entry], error);
        this.log.warn({ id: intent.id, err: error }, "Trakt accepted the scrobble but its answer was unreadable; counted as delivered");
      }
      this.accountOk(run);
      const at = intent.endedAt ?? intent.createdAt;
      await this.complete(entry, "delivered", watch ? this.watchRecords(entry, items, at) : []);
      this.log.debug({ id: intent.id, account, action, media: itemLabel(item), progress: intent.progress }, "scrobbled");
    } finally {
      entry.inFlight = false;
    }
  }

  private accountOk(run: AccountRun): void {
    if (run.problem && run.loggedProblem) this.log.info({ problem: run.problem }, "Trakt answers again for this account; delivering the queue");
    run.failures = 0;
    run.problem = undefined;
    run.loggedProblem = false;
  }

  /** Records a failed send of `entries` and decides what happens next. */
  private async failed(account: string, run: AccountRun, entries: Entry[], error: unknown): Promise<void> {
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
      case "backoff": {
        const wait = failure.retryAfterMs ?? backoffMs(run.failures, this.settings.retryMaxDelaySeconds * 1000);
        run.failures += 1;
        run.notBefore = now + wait;
        run.problem = message;
        this.counters.retries += entries.length;
        if (!run.loggedProblem) {
          this.log.warn({ account, err: error, retryInMs: wait, pending: this.state.pending.get(account)?.size }, "Trakt is not answering; the queue waits and retries");
          run.loggedProblem = true;
        }
        return this.write(attempts());
      }
      case "hold": {
        run.notBefore = now + this.settings.accountHoldMinutes * MINUTE;
        run.problem = failure.problem;
        if (!run.loggedProblem) {
          this.log.error({ account, pending: this.state.pending.get(account)?.size }, `${failure.problem}; the queue is kept and retried every ${this.settings.accountHoldMinutes} min`);
          run.loggedProblem = true;
        }
        return this.write(attempts());
      }
      case "dead": {
        if (entries.length > 1 && failure.reason !== "account_limit") {
          // One bad item can sink a whole batch: send each alone to find it.
          for (const e of entries) e.solo = true;
          return this.write(attempts());
        }
        await this.write(attempts());
        return this.deadLetter(entries, failure.reason, message);
      }
      case "accepted":
        return; // handled by the caller
    }
  }

  private async completeInHistory(entry: Entry, items: MediaItem[]): Promise<void> {
    const at = entry.intent.endedAt ?? entry.intent.createdAt;
    this.log.info({ id: entry.intent.id, account: entry.account, media: items.map(itemLabel).join(", ") }, "watch already on Trakt (sent before a crash or a lost answer); not added again");
    await this.complete(entry, "in_history", this.watchRecords(entry, items, at));
  }

  /**
   * Exactly once: which of these watches are already in the account's history? A watch sent live is stamped by
   * Trakt when the stop arrived (up to replayAfterMinutes after it ended); a replayed one carries its end time.
   * One paged range query covers the whole batch. Undefined when Trakt could not be asked (already handled).
   */
  private async findInHistory(account: string, run: AccountRun, candidates: Candidate[]): Promise<Set<string> | undefined> {
    const found = new Set<string>();
    if (candidates.length === 0) return found;
    const replayMs = this.settings.replayAfterMinutes * MINUTE;
    const endOf = (c: Candidate): number => c.entry.intent.endedAt ?? c.entry.intent.createdAt;
    const lo = Math.min(...candidates.map(endOf)) - HISTORY_SLACK_MS;
    const hi = Math.max(...candidates.map(endOf)) + replayMs + HISTORY_SLACK_MS;
    const entries: HistoryEntry[] = [];
    try {
      for (let page = 1; page <= HISTORY_MAX_PAGES; page++) {
        const result = await this.options.api.getHistory(account, { startAt: new Date(lo), endAt: new Date(hi), page, limit: HISTORY_PAGE_LIMIT }, this.abort.signal);
        this.count("history-check 200");
        entries.push(...result.items);
        if (page >= result.pageCount || result.items.length === 0) break;
      }
    } catch (error) {
      this.count(this.answerKey("history-check", error));
      const action = classifyFailure(error).action;
      // The check is a read: a refusal (or an unreadable answer) is a reason to wait, never to dead-letter the watch.
      const asWait = action === "dead" || action === "accepted" ? new Error(`history lookup failed: ${describeError(error)}`, { cause: error }) : error;
      await this.failed(account, run, candidates.map((c) => c.entry), asWait);
      return undefined;
    }
    const claimed = new Set<number>();
    // An earlier watch of the same item that we delivered ourselves is in that history too: claim its entry first,
    // so it is not taken for this one (a re-watch within the lookup window would otherwise never be sent).
    for (const c of candidates) {
      for (const item of c.items) {
        const key = itemKey(item);
        const prior = key === undefined ? undefined : this.state.watches.get(`${account}\u0000${key}`);
        if (prior === undefined || prior.playthroughId === c.entry.intent.playthroughId) continue;
        let best: { id: number; distance: number } | undefined;
        for (const h of entries) {
          if (claimed.has(h.id) || !entryMatches(item, h)) continue;
          const distance = Math.abs(Date.parse(h.watched_at) - prior.watchedAt);
          if (distance <= replayMs + HISTORY_SLACK_MS && (best === undefined || distance < best.distance)) best = { id: h.id, distance };
        }
        if (best !== undefined) claimed.add(best.id);
      }
    }
    for (const c of candidates) {
      const end = endOf(c);
      const all = c.items.every((item) => {
        const hit = entries.find((h) => {
          if (claimed.has(h.id) || !entryMatches(item, h)) return false;
          const t = Date.parse(h.watched_at);
          return t >= end - HISTORY_SLACK_MS && t <= end + replayMs + HISTORY_SLACK_MS;
        });
        if (hit) claimed.add(hit.id);
        return hit !== undefined;
      });
      if (all) found.add(c.entry.intent.id);
    }
    return found;
  }

  private async deliverHistory(account: string, run: AccountRun, head: Entry, queue: Map<string, Entry>, now: number): Promise<void> {
    const batch: Entry[] = [head];
    if (!head.solo) {
      for (const e of queue.values()) {
        if (batch.length >= this.settings.historyBatchSize) break;
        if (e === head || e.inFlight || e.solo || e.notBefore > now || !this.isHistoryMode(e, now)) continue;
        batch.push(e);
      }
    }
    for (const e of batch) e.inFlight = true;
    try {
      // Identify (cached), drop duplicates, and look up the ones that may already be on Trakt.
      const candidates: Candidate[] = [];
      const batchKeys = new Map<string, number>();
      for (const entry of batch) {
        const items = await this.identify(entry);
        if (this.closing) return;
        if (!items) continue;
        const dup = this.duplicateOf(entry, items, batchKeys);
        if (dup) {
          this.log.info({ id: entry.intent.id, account, why: dup }, "watch not sent again (duplicate)");
          await this.complete(entry, "deduped", [], { detail: dup });
          continue;
        }
        for (const item of items) {
          const key = itemKey(item);
          if (key) batchKeys.set(key, entry.intent.endedAt ?? entry.intent.createdAt);
        }
        candidates.push({ entry, items });
      }
      const maybeThere = candidates.filter((c) => c.entry.ambiguous);
      let toSend = candidates;
      if (maybeThere.length > 0) {
        const found = await this.findInHistory(account, run, maybeThere);
        if (!found) return;
        for (const c of candidates) if (found.has(c.entry.intent.id)) await this.completeInHistory(c.entry, c.items);
        toSend = candidates.filter((c) => !found.has(c.entry.intent.id));
      }
      if (toSend.length === 0 || this.closing) return;

      const at = this.now();
      const marks: JournalRecord[] = toSend.filter((c) => !c.entry.replayed).map((c) => ({ t: "replay", at, id: c.entry.intent.id }));
      marks.push({ t: "send", at, ids: toSend.map((c) => c.entry.intent.id), via: "history" });
      await this.write(marks);
      this.counters.replayed += marks.length - 1;

      const body = historyBody(toSend.flatMap((c) => c.items.map((item) => ({ item, watchedAt: c.entry.intent.endedAt ?? c.entry.intent.createdAt }))));
      let result: HistoryAddResult | undefined;
      try {
        result = await this.options.api.addHistory(account, body, this.abort.signal);
        this.count("history 201");
      } catch (error) {
        this.count(this.answerKey("history", error));
        if (classifyFailure(error).action !== "accepted") return await this.failed(account, run, toSend.map((c) => c.entry), error);
        this.log.warn({ account, err: error }, "Trakt accepted the history add but its answer was unreadable; counted as delivered");
      }
      this.accountOk(run);
      const notFound: Candidate[] = [];
      const unsure: Candidate[] = [];
      const records: JournalRecord[] = [];
      const done: Candidate[] = [];
      for (const c of toSend) {
        const missing = result ? c.items.map((item) => inNotFound(item, result)) : [];
        if (missing.includes(true) || (missing.includes("unknown") && toSend.length === 1)) {
          notFound.push(c);
          continue;
        }
        if (missing.includes("unknown")) {
          // Trakt listed an episode it did not find without saying which: look it up, then send it alone.
          unsure.push(c);
          c.entry.solo = true;
          records.push({ t: "attempt", at: this.now(), id: c.entry.intent.id, error: "not_found listed an episode without ids; checking", notReceived: false });
          continue;
        }
        const watchedAt = c.entry.intent.endedAt ?? c.entry.intent.createdAt;
        records.push(...this.watchRecords(c.entry, c.items, watchedAt), { t: "done", at: this.now(), id: c.entry.intent.id, outcome: "history", watchedAt });
        done.push(c);
      }
      await this.write(records);
      for (const c of done) this.finished(c.entry, "history");
      this.log.info({ account, added: done.length, notFound: notFound.length, unsure: unsure.length }, "watches recorded through /sync/history with their real times");
      for (const c of notFound) {
        await this.deadLetter([c.entry], "not_found", `Trakt did not find ${c.items.map(itemLabel).join(", ")} (sync/history not_found)`);
      }
    } finally {
      for (const e of batch) e.inFlight = false;
    }
  }
}
