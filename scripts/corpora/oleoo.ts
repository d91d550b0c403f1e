// thcolin/oleoo (JavaScript scene-release parser, MIT): tests/fixtures/accepted.json, real release names (mostly
// French movies) whose parse a person checked and accepted one by one (the test script asks "Correct parsing?" for
// each name of releases.txt; refused.json holds the ones found wrong, left out here). The whole parse is kept, so an
// absent year, season or episode means none. oleoo writes titles without accents and mostly without apostrophes
// ("L Academie", but "Smokin'Aces") and drops "&"; the title's words are joined as the name joins them, by an
// apostrophe where the name has one between two words ("L'Academie"), by " & " where it has "&", else by a space
// (normalised titles keep "l'academie" one word and read "&" as "and"). A set of films is given its run of years
// ("1976-2006"); such an entry states no year. Names already in another corpus are left out.
//   npx tsx scripts/corpora/oleoo.ts <git dir> <commit>
import { EARLIER_CORPORA, args, gitShow, namesIn, single, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "tests/fixtures/accepted.json";

interface Parse {
  type: "movie" | "tvshow";
  title: string;
  year: string | null;
  season: number | null;
  episodes: number[];
}

const bare = (s: string): string => s.normalize("NFKD").replace(/\p{M}/gu, "");
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * oleoo's title, its words joined as the name joins them: by an apostrophe where the name has one between them
 * ("Maman, j'ai rate l'avion" → "Maman J'Ai Rate L'Avion"), by " & " where it has "&" ("Marley.&.Me" → "Marley & Me"),
 * else by a space ("Smokin' Aces" → "Smokin Aces").
 */
function withApostrophes(title: string, name: string): string {
  const words = title.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  const re = new RegExp(words.map(escape).join("([^\\p{L}\\p{N}]+)"), "iu");
  const m = re.exec(bare(name));
  if (!m) return title;
  const joint = (sep: string): string => (/^['’]$/.test(sep) ? "'" : sep.includes("&") ? " & " : " ");
  return words.reduce((out, word, i) => (i === 0 ? word : `${out}${joint(m[i] ?? "")}${word}`), "");
}

const accepted = JSON.parse(gitShow(gitDir, commit, SOURCE)) as Record<string, Parse>;
const known = namesIn([...EARLIER_CORPORA, "release-corpus.json", "tmm-corpus.json", "scene-corpus.json"]);
const entries: Entry[] = [];
for (const [name, p] of Object.entries(accepted)) {
  if (known.has(name) || !p.title) continue;
  const e: Entry = { name, source: SOURCE, type: p.type === "tvshow" ? "episode" : "movie", title: withApostrophes(p.title, name) };
  // a set of films gives its run of years ("1976-2006"): no one year is stated
  if (p.year && !/^\d{4}$/.test(p.year)) e.only = ["type", "title", "season", "episode"];
  else if (p.year) e.year = Number(p.year);
  const season = single(p.season === null ? [] : [p.season]);
  if (season !== undefined) e.season = season;
  const episode = single(p.episodes);
  if (episode !== undefined) e.episode = episode;
  entries.push(e);
}
writeCorpus("oleoo-corpus.json", entries);
