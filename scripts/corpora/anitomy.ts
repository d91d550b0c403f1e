// erengy/anitomy (MPL-2.0): test/data.json, anime file names with the elements anitomy must find.
// Kept: title, year, season, episode (a range "01-04" is every episode in it). Left out: entries that name no
// Trakt item (openings, endings, previews, PVs, volumes, episode numbers such as "3.5" or "4a") or have no title.
// Type: "Movie" (or a Japanese "Gekijouban") is a movie; an episode or season number makes an episode; otherwise
// the type is not stated.
//   npx tsx scripts/corpora/anitomy.ts <git dir> <commit>
import { args, gitShow, single, toNumber, writeCorpus, type Entry, type Stated } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "test/data.json";
const data = JSON.parse(gitShow(gitDir, commit, SOURCE)) as { input: string; output: Record<string, unknown> }[];

const NOT_AN_ITEM = /^(?:op|ed|pv|preview|cm|menu|nced|ncop|trailer)$/i;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const entries: Entry[] = [];
let skipped = 0;
for (const { input, output: o } of data) {
  const types = asList(o.type).map(String);
  const rawEpisodes = asList(o.episode);
  const episodes = rawEpisodes.map(toNumber);
  const seasons = asList(o.season).map(toNumber);
  if (
    typeof o.title !== "string" ||
    types.some((t) => NOT_AN_ITEM.test(t)) ||
    o.volume !== undefined ||
    episodes.some((n) => n === undefined) ||
    seasons.some((n) => n === undefined)
  ) {
    skipped++;
    continue;
  }
  let episodeList = episodes as number[];
  // anitomy lists a range by its two ends
  const [from, to] = episodeList as [number, number];
  if (episodeList.length === 2 && to > from && new RegExp(`(?<!\\d)0*${from}(?:v\\d)?\\s*[-~]\\s*0*${to}(?!\\d)`).test(input)) {
    episodeList = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const movie = types.some((t) => /^(?:movie|gekijouban)$/i.test(t));
  const episodic = episodeList.length > 0 || seasons.length > 0;
  const e: Entry = { name: input, source: SOURCE, title: o.title };
  if (movie && !episodic) e.type = "movie";
  else if (episodic) e.type = "episode";
  const year = toNumber(o.year);
  if (year !== undefined) e.year = year;
  const season = single(seasons as number[]);
  if (season !== undefined) e.season = season;
  const episode = single(episodeList);
  if (episode !== undefined) e.episode = episode;
  if (e.type === undefined) e.only = ["title", "year", "season", "episode"] satisfies Stated[];
  entries.push(e);
}
console.log(`left out ${skipped} entries (no title, or not a Trakt item)`);
writeCorpus("anitomy-corpus.json", entries);
