// platelminto/parse-torrent-title (PTN, MIT): tests/files/input.json with the answers in output_raw.json.
// Each answer lists every field the parser must return, so an absent year, season or episode means none.
//   npx tsx scripts/corpora/ptn.ts <git dir> <commit>
import { args, gitShow, single, toNumber, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const names = JSON.parse(gitShow(gitDir, commit, "tests/files/input.json")) as string[];
const answers = JSON.parse(gitShow(gitDir, commit, "tests/files/output_raw.json")) as Record<string, unknown>[];

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(toNumber).filter((n): n is number => n !== undefined);

const entries: Entry[] = names.map((name, i) => {
  const a = answers[i]!;
  const seasons = numbers(a.season);
  const episodes = numbers(a.episode);
  // a dated show (day and month given) is an episode too
  const episodic = seasons.length > 0 || episodes.length > 0 || a.day !== undefined;
  const e: Entry = { name, source: "tests/files/output_raw.json", type: episodic ? "episode" : "movie", title: String(a.title) };
  const year = toNumber(a.year);
  if (year !== undefined) e.year = year;
  const season = single(seasons);
  if (season !== undefined) e.season = season;
  const episode = single(episodes);
  if (episode !== undefined) e.episode = episode;
  return e;
});
writeCorpus("ptn-corpus.json", entries);
