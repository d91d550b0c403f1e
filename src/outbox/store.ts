// The journal's lifecycle: take the lock, rebuild the live set from the journal, append records (applied to the
// live set at once, durable when the promise resolves), compact when the journal has grown, release on close.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { removeStaleTempFiles } from "../util/atomic-write.js";
import type { Logger } from "../util/log.js";
import { Journal, readJournal, type ReadReport } from "./journal.js";
import { acquireLock } from "./lock.js";
import type { JournalRecord } from "./records.js";
import { OutboxState } from "./state.js";

export interface StoreOptions {
  dir: string;
  /** Read the journal without the lock and never write. */
  readOnly: boolean;
  defaultAccount: string;
  log: Logger;
  now: () => number;
  /** How long delivered watches are remembered (dedupe window, one watch per playthrough). */
  keepWatchesMs: number;
  /** Aborted when the outbox closes: no compaction starts after that. */
  signal: AbortSignal;
  /** Called after records that change the queue's content (intents in or out, dead letters, retries) were applied. */
  onQueueChange?: () => void;
}

export interface JournalReport {
  file: string;
  loadedRecords: number;
  tornTail: boolean;
  damagedLines: number;
}

/** A journal appended this many records past the live set (and ×4 its size) is compacted. */
const COMPACT_AFTER = 1000;

export class OutboxStore {
  readonly state: OutboxState;
  private journal: Journal | undefined;
  private releaseLock: (() => Promise<void>) | undefined;
  private compacting: Promise<void> | undefined;
  private loadReport: ReadReport | undefined;

  private constructor(private readonly options: StoreOptions) {
    this.state = new OutboxState(options.defaultAccount);
  }

  static journalFile(dir: string): string {
    return path.join(dir, "journal.jsonl");
  }

  /** Loads the journal (taking the lock unless read-only) and compacts it. */
  static async open(options: StoreOptions): Promise<OutboxStore> {
    const store = new OutboxStore(options);
    await store.load();
    return store;
  }

  get file(): string {
    return OutboxStore.journalFile(this.options.dir);
  }

  /** False for a read-only open: nothing may be written or sent. */
  get writable(): boolean {
    return this.journal !== undefined;
  }

  private async load(): Promise<void> {
    const { dir, readOnly, log } = this.options;
    if (!readOnly) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      this.releaseLock = await acquireLock(path.join(dir, "lock"));
    }
    try {
      // A compaction killed mid-way left its temp file; holding the lock, no other writer can own one.
      if (!readOnly) await removeStaleTempFiles(dir, 0);
      const started = performance.now();
      const report = await readJournal(this.file, (r) => this.state.apply(r));
      this.state.settleAfterLoad();
      this.loadReport = report;
      if (report.tornTail) log.warn({ file: this.file }, "outbox journal: ignored a torn last record (the process or machine stopped mid-write); nothing else was affected");
      for (const d of report.damaged) log.error({ file: this.file, line: d.line, why: d.why }, "outbox journal: skipped a damaged record");
      log.info(
        { pending: this.state.pendingCount(), deadLetters: this.state.dead.size, records: report.records, ms: Math.round(performance.now() - started) },
        "outbox loaded",
      );
      if (readOnly) return;
      this.journal = await Journal.open(this.file, report.goodBytes);
      this.state.pruneWatches(this.options.now(), this.options.keepWatchesMs);
      await this.journal.compact(() => this.state.snapshot(this.options.now()));
    } catch (error) {
      await this.releaseLock?.();
      throw error;
    }
  }

  /** Applies the records to the live set at once and resolves when they are durable on disk. */
  write(records: JournalRecord[]): Promise<void> {
    if (!this.journal) return Promise.reject(new Error("the outbox is open read-only"));
    for (const r of records) this.state.apply(r);
    const durable = this.journal.append(records);
    this.maybeCompact();
    if (records.some(changesQueue)) this.options.onQueueChange?.();
    return durable;
  }

  private maybeCompact(): void {
    const j = this.journal;
    if (!j || this.compacting || this.options.signal.aborted) return;
    const live = this.state.byId.size + this.state.deliveredCount();
    if (j.appended < COMPACT_AFTER || j.appended < 4 * live) return;
    const { now, keepWatchesMs, log } = this.options;
    this.compacting = j
      .compact(() => {
        this.state.pruneWatches(now(), keepWatchesMs);
        return this.state.snapshot(now());
      })
      .catch((error: unknown) => log.error({ err: error }, "outbox compaction failed; the journal keeps growing until the next try"))
      .finally(() => (this.compacting = undefined));
  }

  report(): JournalReport {
    return {
      file: this.file,
      loadedRecords: this.loadReport?.records ?? 0,
      tornTail: this.loadReport?.tornTail ?? false,
      damagedLines: this.loadReport?.damaged.length ?? 0,
    };
  }

  /** Waits for a running compaction, flushes the journal and releases the lock. */
  async close(): Promise<void> {
    await this.compacting;
    await this.journal?.close();
    await this.releaseLock?.();
  }
}

/** Records that add an entry to the queue, take one out, or move one between pending and dead letters. */
function changesQueue(record: JournalRecord): boolean {
  return record.t === "intent" || record.t === "done" || record.t === "dead" || record.t === "retry";
}
