// jellyfin/jellyfin (GPL-2.0): the Emby.Naming tests in tests/Jellyfin.Naming.Tests — paths and file names as
// Jellyfin users store them, with the series name, season, episode, or movie name and year Jellyfin must find.
// Each test states only some fields, so every entry lists the ones it states (`only`). Left out: tests that need
// outside knowledge (AbsoluteEpisodeNumberTests tells the parser the show counts absolutely), folder-only tests
// (SeasonPathParserTests: the daemon reads paths of played files), and expected names that keep a date.
//   npx tsx scripts/corpora/jellyfin.ts <git dir> <commit>
import { args, gitShow, mergeByName, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const DIR = "tests/Jellyfin.Naming.Tests";

type Value = string | number | boolean | null;

/** The arguments of one `[InlineData(…)]` line (C# string, verbatim string, number, bool, null). */
function inlineArgs(text: string): Value[] {
  const out: Value[] = [];
  const re = /\s*(?:@"((?:[^"]|"")*)"|"((?:[^"\\]|\\.)*)"|(-?\d+)|(true|false)|(null))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0].length > 0) {
    if (m[1] !== undefined) out.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, "$1"));
    else if (m[3] !== undefined) out.push(Number(m[3]));
    else if (m[4] !== undefined) out.push(m[4] === "true");
    else out.push(null);
  }
  return out;
}

/** InlineData rows of one test method (commented-out rows, TODO and FIXME, are skipped). */
function rows(file: string, method: string): Value[][] {
  const text = gitShow(gitDir, commit, `${DIR}/${file}`);
  const out: Value[][] = [];
  let pending: Value[][] = [];
  for (const line of text.split("\n")) {
    const data = /^\s*\[InlineData\((.*)\)\]\s*$/.exec(line);
    if (data) pending.push(inlineArgs(data[1]!));
    const def = /public\s+(?:async\s+)?\w+\s+(\w+)\s*\(/.exec(line);
    if (def) {
      if (def[1] === method) out.push(...pending);
      pending = [];
    }
  }
  if (out.length === 0) throw new Error(`${file}: no rows for ${method}`);
  return out;
}

const str = (v: Value | undefined): string => (typeof v === "string" ? v : "");
const num = (v: Value | undefined): number | undefined => (typeof v === "number" ? v : undefined);
/** Jellyfin keeps a folder's "(2019)" in the series name; the title is what comes before it. */
const seriesTitle = (name: string): string => name.replace(/\s*\(\d{4}\)$/, "");
const MEDIA_EXTENSION = /\.(?:mkv|mp4|avi|m4v)$/i;

const entries: Entry[] = [];
const add = (file: string, e: Omit<Entry, "source">): void => void entries.push({ ...e, source: `${DIR}/${file}` });

for (const [path, series, season, episode, end] of rows("TV/SimpleEpisodeTests.cs", "TestSimple")) {
  const first = num(episode);
  const last = num(end) ?? first;
  const episodes = first !== undefined && last !== undefined ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : [];
  const e: Omit<Entry, "source"> = { name: str(path), type: "episode", only: ["type", "season", "episode"] };
  if (str(series)) {
    e.title = seriesTitle(str(series));
    e.only!.push("title");
  }
  if (num(season) !== undefined) e.season = num(season)!;
  if (episodes.length > 0) e.episode = episodes.length === 1 ? episodes[0]! : episodes;
  add("TV/SimpleEpisodeTests.cs", e);
}
for (const [path, , series, season, episode] of rows("TV/EpisodePathParserTest.cs", "ParseEpisodesCorrectly")) {
  add("TV/EpisodePathParserTest.cs", {
    name: str(path), type: "episode", title: seriesTitle(str(series)), season: num(season)!, episode: num(episode)!,
    firstEpisode: true, only: ["type", "title", "season", "episode"],
  });
}
for (const [path, episode] of rows("TV/EpisodeNumberTests.cs", "GetEpisodeNumberFromFileTest")) {
  add("TV/EpisodeNumberTests.cs", { name: str(path), type: "episode", episode: num(episode)!, firstEpisode: true, only: ["type", "episode"] });
}
for (const [episode, path] of rows("TV/EpisodeNumberWithoutSeasonTests.cs", "GetEpisodeNumberFromFileTest")) {
  add("TV/EpisodeNumberWithoutSeasonTests.cs", { name: str(path), type: "episode", episode: num(episode)!, firstEpisode: true, only: ["type", "episode"] });
}
for (const [path, season] of rows("TV/SeasonNumberTests.cs", "GetSeasonNumberFromEpisodeFileTest")) {
  const e: Omit<Entry, "source"> = { name: str(path), type: "episode", only: ["type", "season"] };
  if (num(season) !== undefined) e.season = num(season)!;
  add("TV/SeasonNumberTests.cs", e);
}
for (const [path, series] of rows("TV/DailyEpisodeTests.cs", "Test")) {
  add("TV/DailyEpisodeTests.cs", { name: str(path), type: "episode", title: str(series), only: ["type", "title", "season", "episode"] });
}
for (const [file, method] of [["TV/SeriesResolverTests.cs", "SeriesResolverResolveTest"], ["TV/SeriesPathParserTest.cs", "SeriesPathParserParseTest"]] as const) {
  for (const [path, series] of rows(file, method)) add(file, { name: str(path), title: seriesTitle(str(series)), only: ["title"] });
}
for (const [input, name, year] of rows("Video/CleanDateTimeTests.cs", "CleanDateTimeTest")) {
  const title = str(name).replace(MEDIA_EXTENSION, "");
  if (!title || /\d{4}[-.]?\d\d[-.]?\d\d/.test(title)) continue;
  const e: Omit<Entry, "source"> = { name: str(input), type: "movie", title, only: ["type", "title", "year"] };
  if (num(year) !== undefined) e.year = num(year)!;
  add("Video/CleanDateTimeTests.cs", e);
}
for (const [input, name] of rows("Video/CleanStringTests.cs", "CleanStringTest_NeedsCleaning_Success")) {
  add("Video/CleanStringTests.cs", { name: str(input), title: str(name), only: ["title"] });
}

writeCorpus("jellyfin-corpus.json", mergeByName(entries));
