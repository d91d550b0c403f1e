// peterhellberg/release (Go, MIT): the table of release_test.go, scene release names with the title, year, season
// and episode the parser must return. The test compares every field, so a year, season or episode of 0 means none.
// For the few episodes the table's "title" is the parser's whole remainder ("Mr Robot S01E07"), not a show's name,
// so an episode states only its type, season and episode.
//   npx tsx scripts/corpora/release.ts <git dir> <commit>
import { EARLIER_CORPORA, args, gitShow, namesIn, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "release_test.go";
const GO_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const ROW = new RegExp(String.raw`^\s*\{(${GO_STRING}),\s*(${GO_STRING}),\s*(\d+),\s*(\d+),\s*(\d+),`, "gm");

const known = namesIn(EARLIER_CORPORA);
const entries: Entry[] = [];
for (const m of gitShow(gitDir, commit, SOURCE).matchAll(ROW)) {
  // Go's interpreted string literals escape like JSON for everything this table uses
  const name = JSON.parse(m[1]!) as string;
  if (known.has(name)) continue;
  const [year, season, episode] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (season > 0 || episode > 0) {
    const e: Entry = { name, source: SOURCE, type: "episode", only: ["type", "season", "episode"] };
    if (season > 0) e.season = season;
    if (episode > 0) e.episode = episode;
    entries.push(e);
    continue;
  }
  const e: Entry = { name, source: SOURCE, type: "movie", title: JSON.parse(m[2]!) as string };
  if (year > 0) e.year = year;
  entries.push(e);
}
writeCorpus("release-corpus.json", entries);
