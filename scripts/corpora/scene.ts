// pr0pz/scene-release-parser (JavaScript, MIT): the hand-picked scene releases of test/ReleaseParser.test.js with
// the whole description the parser must print ("Title: … / Year: … / Season: … / Episode: … / Type: Movie").
// Kept: movies, TV and anime; the show's name is "Show:" when the release names an episode title, else "Title:".
// An anime release without an episode states no type (a film or a special). Left out: games, apps, music, books,
// sports and adult releases, which name no Trakt item. The description lists every field found, so an absent
// year, season or episode means none.
//   npx tsx scripts/corpora/scene.ts <git dir> <commit>
import { EARLIER_CORPORA, args, gitShow, namesIn, single, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "test/ReleaseParser.test.js";
const JS_STRING = String.raw`'((?:[^'\\]|\\.)*)'`;
const CASE = new RegExp(String.raw`ReleaseParser\(\s*${JS_STRING}\s*,\s*${JS_STRING}\s*\)\.toString\(\),\s*${JS_STRING}`, "g");
const unescape = (s: string): string => s.replace(/\\(.)/g, "$1");

/** "01-02" → [1, 2]; "7" → [7]. */
function numbers(v: string | undefined): number[] {
  if (v === undefined) return [];
  const [from, to] = v.split("-").map(Number) as [number, number | undefined];
  if (to === undefined) return [from];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const known = namesIn([...EARLIER_CORPORA, "release-corpus.json", "tmm-corpus.json"]);
const entries: Entry[] = [];
for (const m of gitShow(gitDir, commit, SOURCE).matchAll(CASE)) {
  const name = unescape(m[1]!);
  const fields = new Map(unescape(m[3]!).split(" / ").map((f) => f.split(": ", 2) as [string, string]));
  const type = fields.get("Type");
  if (known.has(name) || (type !== "Movie" && type !== "TV" && type !== "Anime")) continue;
  const title = fields.get("Show") ?? fields.get("Title");
  if (title === undefined) continue;
  const seasons = numbers(fields.get("Season"));
  const episodes = numbers(fields.get("Episode"));
  const episodic = seasons.length > 0 || episodes.length > 0;
  const e: Entry = { name, source: SOURCE, title };
  if (type === "Movie") e.type = "movie";
  else if (episodic) e.type = "episode";
  if (fields.has("Year")) e.year = Number(fields.get("Year"));
  const season = single(seasons);
  if (season !== undefined) e.season = season;
  const episode = single(episodes);
  if (episode !== undefined) e.episode = episode;
  entries.push(e);
}
writeCorpus("scene-corpus.json", entries);
