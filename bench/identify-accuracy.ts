// Per-field accuracy of the file-name parser on guessit's corpus (767 real names with human answers).
// Run: npm run accuracy [-- --failures[=all] [--corpus FILE]]
//
// How each field is scored, over every entry of the set (movies included, so a season "found" in a movie name
// counts as wrong):
//   title    normalised equality: lower case, accents and punctuation removed, "&" = "and" (normalizeTitle)
//   year     equal, or both absent
//   season   the list of seasons equal (a number is a list of one; absent = empty list)
//   episode  the list of episodes equal (multi-episode files must yield every episode)
//   s+e      season and episode both right
//   type     movie / episode
//   all      every field above right
// The corpus is split in two halves by position (even / odd index). Rules were tuned while looking only at the
// failures of the even half; the odd half is held out, so a large gap between the halves would show overfitting.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseTorrentTitle } from "@viren070/parse-torrent-title";
import { parseMediaName } from "../src/identify/parse/name.js";
import { normalizeTitle } from "../src/identify/similarity.js";
import { fixturePath } from "../test/support/fixtures.js";

export interface Entry {
  name: string;
  type: "movie" | "episode";
  title: string;
  year?: number;
  season?: number | number[];
  episode?: number | number[];
}

interface Guess {
  type: "movie" | "episode";
  title?: string | undefined;
  year?: number | undefined;
  seasons: number[];
  episodes: number[];
}

export const FIELDS = ["title", "year", "season", "episode", "s+e", "type", "all"] as const;
export type Field = (typeof FIELDS)[number];

const list = (v: number | number[] | undefined): number[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function check(entry: Entry, guess: Guess): Record<Field, boolean> {
  const title = normalizeTitle(guess.title ?? "") === normalizeTitle(entry.title);
  const year = guess.year === entry.year;
  const season = same(guess.seasons, list(entry.season));
  const episode = same(guess.episodes, list(entry.episode));
  const type = guess.type === entry.type;
  return { title, year, season, episode, "s+e": season && episode, type, all: title && year && season && episode && type };
}

export function ours(name: string): Guess {
  const p = parseMediaName(name);
  return { type: p.type, title: p.title, year: p.year, seasons: p.seasons ?? [], episodes: p.episodes ?? [] };
}

function libraryAlone(name: string): Guess {
  const r = parseTorrentTitle(name.split(/[\\/]/).pop() ?? name);
  const seasons = r.seasons ?? [];
  const episodes = r.episodes ?? [];
  return {
    type: seasons.length + episodes.length > 0 ? "episode" : "movie",
    title: r.title,
    year: r.year ? Number(r.year) : undefined,
    seasons,
    episodes,
  };
}

export function score(entries: Entry[], parse: (name: string) => Guess = ours): Record<Field, number> {
  const hits = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;
  for (const e of entries) {
    const r = check(e, parse(e.name));
    for (const f of FIELDS) if (r[f]) hits[f]++;
  }
  return hits;
}

function row(label: string, n: number, hits: Record<Field, number>): string {
  return `${label.padEnd(26)} ${String(n).padStart(4)}  ${FIELDS.map((f) => `${((100 * hits[f]) / n).toFixed(1).padStart(6)}`).join(" ")}`;
}

/** The guessit corpus, copied into test/fixtures/filenames (see its SOURCES.md). */
export const DEFAULT_CORPUS =
  process.env.GUESSIT_CORPUS ?? fixturePath("filenames", "guessit-corpus.json");

function main(): void {
  const args = process.argv.slice(2);
  const corpusArg = args.indexOf("--corpus");
  const corpusPath = corpusArg >= 0 && args[corpusArg + 1] ? args[corpusArg + 1]! : DEFAULT_CORPUS;
  const corpus = JSON.parse(readFileSync(corpusPath, "utf8")) as Entry[];
  const even = corpus.filter((_, i) => i % 2 === 0);
  const odd = corpus.filter((_, i) => i % 2 === 1);
  console.log(`File-name parsing accuracy on ${corpusPath} (${corpus.length} names), % of entries right`);
  console.log(`${"".padEnd(26)} ${"n".padStart(4)}  ${FIELDS.map((f) => f.padStart(6)).join(" ")}`);
  console.log(row("ours, all", corpus.length, score(corpus, ours)));
  console.log(row("ours, tuning half (even)", even.length, score(even, ours)));
  console.log(row("ours, held-out half (odd)", odd.length, score(odd, ours)));
  console.log(row("library alone, all", corpus.length, score(corpus, libraryAlone)));
  const failures = args.find((a) => a.startsWith("--failures"));
  if (failures) {
    const set = failures === "--failures=all" ? corpus : even;
    for (const e of set) {
      const g = ours(e.name);
      const r = check(e, g);
      if (r.all) continue;
      const bad = FIELDS.filter((f) => f !== "all" && f !== "s+e" && !r[f]);
      console.log(`FAIL [${bad.join(",")}] ${e.name}\n     want ${JSON.stringify([e.type, e.title, e.year, list(e.season), list(e.episode)])} got ${JSON.stringify([g.type, g.title, g.year, g.seasons, g.episodes])}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
