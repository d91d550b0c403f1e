// moistari/rls (Go, MIT): the movies of tests.yaml, release and file names with the whole parse the test expects
// ("type", "title", "year", …). The test compares every field and the file leaves out a field that is empty or 0,
// so an absent year means none. Kept: the entries typed "movie", with their title and year. Left out: episodes and
// everything else rls parses (music, games, apps, books), the lexer tests that are no file name (control
// characters, rls's own `[[meta]]` and `{{password}}` markup), and the listed names that name no Trakt movie or are
// made-up forms of one (see LEFT_OUT).
//   npx tsx scripts/corpora/rls.ts <git dir> <commit>
import { EARLIER_CORPORA, args, gitShow, namesIn, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "tests.yaml";

/** Typed "movie" by rls, but no film Trakt lists under that title and year, or a made-up name. */
const LEFT_OUT = new Set([
  // placeholders and made-up forms of a title, written to test the lexer
  "a file.mkv",
  "Movie.Title.2015.DVD-R-Pate",
  "Quality for Movie.Title.2004.PAL.DVD9-IL.Anonymous-DownRev",
  "cool stuff: the next generation (yeah [tag!] bluray) -group.mkv",
  "(2001)A Space Odyssey(1961).mkv",
  "(2001)A Space Odyssey.mkv",
  "under.the.sea:.20,000.leagues.1080p",
  // sports events, software and test discs
  "Fussball.1.Bundesliga.2011-2012.04.Spieltag.Hannover.96.vs.FSV.Mainz.05.GERMAN.WS.HDTV.720p.x264-SPORTSBAR",
  "Haandbold.EHF.Cup.Herrer.GOG.vs.Saint.Raphael.DANiSH.720p.HDTV.x264-SKANK",
  "UEFA.Super.Cup.FC.Bayern.Muenchen.vs.FC.Sevilla.2020.GERMAN.720p.HDTV.x264-SKYHD",
  "THX.DTS.Dolby.Digital.Audio.Experience.Tester.DVDR-WANTED",
  "Toontrack.dfh.SUPERIOR.Vintage.Addon.Limited.Edition.DVDR.D1-DYNAMiCS",
  // sets of TV episodes on disc
  "Beavis.and.Butt-Head.The.Mike.Judge.Collectors.Edition.D03.R2.PAL.DVD5.TVV-Grzechsin",
  "Beavis.and.Butt-Head.The.Mike.Judge.Collectors.Edition.R2.PAL.9xDVD.BOX.TVV-Grzechsin",
  "Tom_And_Jerry_The_Collection_12DVD-DUTCH_COVER-ToP",
  "Der.Denver.Clan.Staffel4.DVD7.German.FS.PAL.DVDR-RSG",
  "WWE: 30 Years Of SummerSlam 3xDVD9 NTSC (ISO)",
  "[Dekinai]_Dungeon_Ni_Deai_O_Motomeru_No_Wa_Machigatte_Iru_Darouka_~Familia_Myth~_(2015)_[BD_1080p_x264_10bit_-_FLAC_2_0]",
]);
const NOT_A_FILE_NAME = /[\t\n\f\r]|\[\[|\{\{/;

/** tests.yaml: `"name":` then `  field: value` lines, strings quoted as Go's %q writes them (JSON-compatible here). */
function parseTests(text: string): { name: string; fields: Map<string, string | number> }[] {
  const tests: { name: string; fields: Map<string, string | number> }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith('"')) {
      tests.push({ name: JSON.parse(line.slice(0, line.lastIndexOf('"') + 1)) as string, fields: new Map() });
    } else if (line.startsWith("  ")) {
      const colon = line.indexOf(":");
      const [key, raw] = [line.slice(2, colon), line.slice(colon + 2)];
      tests.at(-1)?.fields.set(key, raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw));
    }
  }
  return tests;
}

const known = namesIn([...EARLIER_CORPORA, "oleoo-corpus.json", "release-corpus.json", "tmm-corpus.json", "scene-corpus.json"]);
const entries: Entry[] = [];
for (const { name, fields } of parseTests(gitShow(gitDir, commit, SOURCE))) {
  const title = fields.get("title");
  if (fields.get("type") !== "movie" || typeof title !== "string") continue;
  if (NOT_A_FILE_NAME.test(name) || LEFT_OUT.has(name) || known.has(name)) continue;
  const e: Entry = { name, source: SOURCE, type: "movie", title };
  const year = fields.get("year");
  if (typeof year === "number") e.year = year;
  entries.push(e);
}
writeCorpus("rls-corpus.json", entries);
