// An fsync'd append-only journal with atomic compaction.
//
// Why not SQLite: better-sqlite3 is a native module that builds from source per Node major (≈2 min here) and would
// break the arm/v7 Docker image; Node 20 has no node:sqlite. A journal of checksummed JSON lines needs nothing but
// node:fs, survives kill -9 and power cuts (a torn last line is detected by its checksum and ignored), and is
// easy to inspect by hand.
//
// Line format: `<crc32 of the JSON, 8 hex digits> <JSON>\n`.
// Appends are group-committed: every record queued while a write+fdatasync is in flight goes out in the next one.
// Compaction replaces the journal with the live set through util/atomic-write.ts (temp file with a random name
// created exclusively, fsync, rename, fsync of the directory). Files are opened without following symlinks
// (util/safe-fs.ts): a symlink planted in a writable outbox/ is refused, never written through.
import { constants, createReadStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { crc32 } from "node:zlib";
import { writeFileAtomic } from "../util/atomic-write.js";
import { parseUntrustedJson } from "../util/json.js";
import { securePrivateDir } from "../util/private-dir.js";
import { openNoFollow } from "../util/safe-fs.js";
import { recordSchema, type JournalRecord } from "./records.js";

export function encodeRecord(record: JournalRecord): string {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

/** The records as text, 2,000 lines at a time (a large live set is never one string). */
function* chunks(records: JournalRecord[]): Generator<string> {
  for (let i = 0; i < records.length; i += 2000) yield records.slice(i, i + 2000).map(encodeRecord).join("");
}

export type DecodeResult = { ok: true; record: JournalRecord } | { ok: false; why: string };

/** Decodes one line (without its newline). Never throws. */
export function decodeLine(line: string): DecodeResult {
  if (line.length < 10 || line[8] !== " ") return { ok: false, why: "not a journal line" };
  const sum = line.slice(0, 8);
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, "0") !== sum) return { ok: false, why: "checksum mismatch" };
  let value: unknown;
  try {
    value = parseUntrustedJson(json);
  } catch {
    return { ok: false, why: "invalid JSON" };
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, why: `unknown record shape (${parsed.error.issues[0]?.message ?? "?"})` };
  return { ok: true, record: parsed.data };
}

export interface ReadReport {
  records: number;
  /** A damaged last line (power cut mid-write): ignored, and cut off when the journal is opened for writing. */
  tornTail: boolean;
  /** Damaged lines before the end (should never happen): skipped, each reported. */
  damaged: { line: number; why: string }[];
  /** Byte length of the intact prefix. */
  goodBytes: number;
  totalBytes: number;
}

/** Streams the journal's records to `onRecord` (bounded memory however long the file is). A missing file is empty. */
export async function readJournal(file: string, onRecord: (record: JournalRecord) => void): Promise<ReadReport> {
  const report: ReadReport = { records: 0, tornTail: false, damaged: [], goodBytes: 0, totalBytes: 0 };
  let stream;
  try {
    const fh = await openNoFollow(file, constants.O_RDONLY);
    stream = createReadStream("", { fd: fh, encoding: "utf8" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return report;
    throw error;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let pendingBad: { line: number; why: string } | undefined;
  for await (const line of lines) {
    lineNo += 1;
    const bytes = Buffer.byteLength(line) + 1;
    report.totalBytes += bytes;
    if (pendingBad) report.damaged.push({ line: pendingBad.line, why: pendingBad.why });
    pendingBad = undefined;
    if (line.length === 0) continue;
    const decoded = decodeLine(line);
    if (decoded.ok) {
      onRecord(decoded.record);
      report.records += 1;
      report.goodBytes = report.totalBytes;
    } else {
      pendingBad = { line: lineNo, why: decoded.why };
    }
  }
  // A damaged line with nothing good after it is a torn tail (a write cut short), not corruption.
  if (pendingBad) report.tornTail = true;
  return report;
}

export class Journal {
  private fh: FileHandle | undefined;
  private queue: { data: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private compacting = false;
  /** Records appended since the last compaction (a compaction trigger). */
  appended = 0;

  private constructor(readonly file: string) {}

  /**
   * Opens for appending; cuts a torn tail off first so new records never follow garbage. The directory is created
   * private, or tightened / refused when others can write to it (see util/private-dir.ts).
   */
  static async open(file: string, goodBytes?: number): Promise<Journal> {
    await securePrivateDir(path.dirname(file));
    const journal = new Journal(file);
    const fh = await openNoFollow(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
    journal.fh = fh;
    const { size } = await fh.stat();
    // readline counts a newline after the last line even when the file has none, so clamp to the real size.
    const keep = Math.min(goodBytes ?? size, size);
    if (keep < size) await fh.truncate(keep);
    if (keep > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, keep - 1);
      // A record cut just before its newline is intact; end it so the next record starts on its own line.
      if (last[0] !== 0x0a) await fh.write("\n");
    }
    return journal;
  }

  /** Appends records; resolves once they are on disk (write + fdatasync, shared with concurrent appends). */
  append(records: JournalRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("outbox journal is closed"));
    if (records.length === 0) return Promise.resolve();
    const data = records.map(encodeRecord).join("");
    this.appended += records.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      if (!this.compacting) this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const fh = this.fh;
          if (!fh) throw new Error("outbox journal is closed");
          await fh.write(batch.map((b) => b.data).join(""));
          await fh.datasync();
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Waits for every queued append to reach the disk. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Atomically replaces the journal with the live set. `snapshot` is taken after every earlier append is on disk;
   * appends made meanwhile wait and follow the snapshot (replaying a record twice is harmless: applying is idempotent).
   */
  async compact(snapshot: () => JournalRecord[]): Promise<void> {
    this.compacting = true;
    try {
      await this.flush();
      const records = snapshot();
      await writeFileAtomic(this.file, chunks(records));
      // The old handle points at the replaced file now: append to the new one.
      await this.fh?.close();
      this.fh = undefined;
      this.fh = await openNoFollow(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      this.appended = records.length;
    } finally {
      this.compacting = false;
      if (this.queue.length > 0) this.flushing ??= this.flushLoop();
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
  }
}
