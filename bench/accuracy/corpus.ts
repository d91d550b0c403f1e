// The accuracy corpora: real release and file names with the answers a person (or another project's test suite)
// gave them, and how a parser's guesses are scored against them. Read by `npm run accuracy` and the regression
// guard in test/identify/corpus.test.ts; written by scripts/corpora/ (provenance in test/fixtures/filenames/SOURCES.md).
import { readFileSync } from "node:fs";
import { normalizeTitle } from "../../src/identify/similarity.js";

/** The fields an entry can state. */
export const STATED = ["type", "title", "year", "season", "episode"] as const;
export type Stated = (typeof STATED)[number];

export interface Entry {
  /** A file name, a path (Kodi/Jellyfin style) or a release name, exactly as the source gives it. */
  name: string;
  /** The file of the source project the entry comes from. */
  source?: string;
  type?: "movie" | "episode";
  title?: string;
  /** Absent (when the field is stated) means the name has no year. */
  year?: number;
  season?: number | number[];
  episode?: number | number[];
  /** The fields the source states (a test that checks only the episode number, say); absent: all of them. */
  only?: Stated[];
  /** The source states only the first episode of the file (Jellyfin's episode-number tests). */
  firstEpisode?: boolean;
}

export interface Guess {
  type: "movie" | "episode";
  title?: string | undefined;
  year?: number | undefined;
  seasons: number[];
  episodes: number[];
}

/** Scored fields. s+e counts episodes only, mov t+y movies only; all = every stated field right. */
export const FIELDS = ["title", "year", "season", "episode", "s+e", "type", "mov t+y", "all"] as const;
export type Field = (typeof FIELDS)[number];

export const list = (v: number | number[] | undefined): number[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function states(entry: Entry, field: Stated): boolean {
  if (field === "type" && entry.type === undefined) return false;
  if (field === "title" && entry.title === undefined) return false;
  return entry.only === undefined || entry.only.includes(field);
}

/** For each field the entry is scored on: right or wrong. Fields it does not state are left out. */
export function check(entry: Entry, guess: Guess): Partial<Record<Field, boolean>> {
  const r: Partial<Record<Field, boolean>> = {};
  if (states(entry, "title")) r.title = normalizeTitle(guess.title ?? "") === normalizeTitle(entry.title ?? "");
  if (states(entry, "year")) r.year = guess.year === entry.year;
  if (states(entry, "season")) r.season = same(guess.seasons, list(entry.season));
  if (states(entry, "episode")) {
    r.episode = entry.firstEpisode ? guess.episodes[0] === list(entry.episode)[0] : same(guess.episodes, list(entry.episode));
  }
  if (states(entry, "type")) r.type = guess.type === entry.type;
  // an entry that states no type but a season or an episode number is an episode
  const episode = entry.type === "episode" || (entry.type === undefined && list(entry.season).length + list(entry.episode).length > 0);
  if (episode && r.season !== undefined && r.episode !== undefined) r["s+e"] = r.season && r.episode;
  if (entry.type === "movie" && r.title !== undefined && r.year !== undefined) r["mov t+y"] = r.title && r.year;
  const stated = STATED.map((f) => r[f]).filter((x): x is boolean => x !== undefined);
  if (stated.length > 0) r.all = stated.every(Boolean);
  return r;
}

export interface Score {
  /** Entries scored on each field. */
  n: Record<Field, number>;
  /** Entries right on each field. */
  hits: Record<Field, number>;
}

const zero = (): Record<Field, number> => Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;

export function score(entries: readonly Entry[], guesses: readonly Guess[]): Score {
  const n = zero();
  const hits = zero();
  entries.forEach((e, i) => {
    const r = check(e, guesses[i]!);
    for (const f of FIELDS) {
      if (r[f] === undefined) continue;
      n[f]++;
      if (r[f]) hits[f]++;
    }
  });
  return { n, hits };
}

export function sum(scores: readonly Score[]): Score {
  const total = { n: zero(), hits: zero() };
  for (const s of scores) for (const f of FIELDS) {
    total.n[f] += s.n[f];
    total.hits[f] += s.hits[f];
  }
  return total;
}

/** Percentage right, or undefined when no entry states the field. */
export function pct(s: Score, field: Field): number | undefined {
  return s.n[field] === 0 ? undefined : (100 * s.hits[field]) / s.n[field];
}

export function readCorpus(path: string): Entry[] {
  return JSON.parse(readFileSync(path, "utf8")) as Entry[];
}
