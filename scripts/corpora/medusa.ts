// pymedusa/Medusa (GPL-3.0): tests/test_guessit.yml, the release names Medusa's guessit rules are checked against.
// Each answer is compared with guessit's whole output, so an absent year, season or episode means none. Entries
// that pass parser options or are disabled are left out.
//   npx tsx scripts/corpora/medusa.ts <git dir> <commit>
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { args, gitShow, single, toNumber, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "tests/test_guessit.yml";
const doc = parseDocument(gitShow(gitDir, commit, SOURCE), { uniqueKeys: false });
if (!isMap(doc.contents)) throw new Error(`${SOURCE}: not a mapping`);

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(toNumber).filter((n): n is number => n !== undefined);

const entries: Entry[] = [];
let skipped = 0;
for (const pair of doc.contents.items) {
  const key = pair.key;
  const names = isSeq(key) ? key.items.map((k) => (isScalar(k) ? String(k.value) : "")) : isScalar(key) ? [String(key.value)] : [];
  const a = (isMap(pair.value) ? pair.value.toJSON() : {}) as Record<string, unknown>;
  if (a.options !== undefined || a.disabled || (a.type !== "episode" && a.type !== "movie") || typeof a.title !== "string") {
    skipped += names.length;
    continue;
  }
  for (const name of names.filter((n) => n.length > 0)) {
    const e: Entry = { name, source: SOURCE, type: a.type, title: a.title };
    const year = toNumber(a.year);
    if (year !== undefined) e.year = year;
    const season = single(numbers(a.season));
    if (season !== undefined) e.season = season;
    const episode = single(numbers(a.episode));
    if (episode !== undefined) e.episode = episode;
    entries.push(e);
  }
}
console.log(`left out ${skipped} names (parser options, disabled, or no title/type)`);
writeCorpus("medusa-corpus.json", entries);
