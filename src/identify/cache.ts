// Remembers identifications (and misses, for less long) in a JSON file in the state dir, so a replayed or
// resumed item costs no Trakt request. Bounded: least recently used entries go first. Written atomically
// (temporary file + rename), one write at a time; a broken file is set aside and the cache starts empty.
import { mkdir, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { parseUntrustedJson } from "../util/json.js";
import type { Logger } from "../util/log.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readRegularFile } from "../util/safe-fs.js";
import type { IdentificationSource } from "./types.js";
import type { MediaItem } from "../core/media.js";

export type CachedIdentification =
  | { ok: true; items: MediaItem[]; source: IdentificationSource; confidence: number; reason: string }
  | { ok: false; reason: string };

export interface CacheOptions {
  file: string;
  maxEntries: number;
  /** How long a found item is trusted. */
  hitTtlMs: number;
  /** How long "not found" is remembered (short: the user may add an override, Trakt may add the title). */
  missTtlMs: number;
  now?: () => number;
  log?: Logger;
}

const entrySchema = z.object({
  key: z.string(),
  value: z.custom<CachedIdentification>((v) => typeof v === "object" && v !== null && typeof (v as { ok?: unknown }).ok === "boolean"),
  storedAt: z.number(),
  expiresAt: z.number(),
});
const fileSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });
type Entry = z.infer<typeof entrySchema>;

/** Far above a full cache (entries are a few hundred bytes); a larger file is not ours. */
const MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024;

export class IdentificationCache {
  readonly #opts: CacheOptions;
  readonly #now: () => number;
  /** Map order = recency: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  #loaded: Promise<void> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(options: CacheOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reads the file once; later calls share the first read. */
  load(): Promise<void> {
    this.#loaded ??= this.#read();
    return this.#loaded;
  }

  async #read(): Promise<void> {
    let text: string;
    try {
      // Not through a symlink, never a FIFO or a device (util/safe-fs.ts).
      text = await readRegularFile(this.#opts.file, MAX_CACHE_FILE_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.#opts.log?.warn({ err: error }, "identification cache unreadable; starting empty");
      return;
    }
    const parsed = fileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      const aside = `${this.#opts.file}.corrupt-${this.#now()}`;
      await rename(this.#opts.file, aside).catch(() => undefined);
      this.#opts.log?.warn({ file: aside }, "identification cache file was not valid; set aside, starting empty");
      return;
    }
    const now = this.#now();
    for (const e of parsed.data.entries) if (e.expiresAt > now) this.#entries.set(e.key, e);
    this.#trim();
  }

  async get(key: string): Promise<CachedIdentification | undefined> {
    await this.load();
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      this.#dirty = true;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: CachedIdentification): Promise<void> {
    await this.load();
    const now = this.#now();
    const ttl = value.ok ? this.#opts.hitTtlMs : this.#opts.missTtlMs;
    this.#entries.delete(key);
    this.#entries.set(key, { key, value, storedAt: now, expiresAt: now + ttl });
    this.#trim();
    this.#dirty = true;
    await this.flush();
  }

  /** Drops expired entries and trims to size; for the daemon's periodic job. Returns how many were removed. */
  async prune(): Promise<number> {
    await this.load();
    const before = this.#entries.size;
    const now = this.#now();
    for (const [key, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(key);
    this.#trim();
    const removed = before - this.#entries.size;
    if (removed > 0) this.#dirty = true;
    await this.flush();
    return removed;
  }

  async clear(): Promise<void> {
    await this.load();
    this.#entries.clear();
    this.#dirty = true;
    await this.flush();
  }

  /** Writes pending changes; concurrent callers share the queue so writes never interleave. */
  flush(): Promise<void> {
    const next = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const body = JSON.stringify({ version: 1, entries: [...this.#entries.values()] });
      await mkdir(dirname(this.#opts.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.#opts.file, body);
    });
    this.#writing = next.catch((error: unknown) => {
      this.#dirty = true;
      this.#opts.log?.warn({ err: error }, "could not write the identification cache");
    });
    return this.#writing;
  }

  #trim(): void {
    while (this.#entries.size > this.#opts.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return parseUntrustedJson(text);
  } catch {
    return undefined;
  }
}
