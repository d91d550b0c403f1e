// tinyMediaManager (Apache-2.0): the movie names of ParserUtilsTest.testNamingDetection, with the clean title and
// year tinyMediaManager must find ("Title | Year"). Kept: the first block (file names) and the "RELEASE NAMES" block.
// Left out: the checks of its tokenizer on made-up strings ("my movie framerate 24.000fps bla bla", "RES 100x100"),
// the OTR recordings (broadcast captures whose expected name keeps the air date) and the TV names (returned
// uncleaned, episode marker and all). tinyMediaManager stops a title only at the year, so its answer keeps a
// language word written before the year ("Die Hochzeit meiner Eltern GERMAN | 2016"); that word is dropped here.
//   npx tsx scripts/corpora/tmm.ts <git dir> <commit>
import { EARLIER_CORPORA, args, gitShow, namesIn, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();
const SOURCE = "src/test/java/org/tinymediamanager/core/ParserUtilsTest.java";
const JAVA_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const ASSERT = new RegExp(String.raw`assertEqual\(\s*(${JAVA_STRING}),\s*detectTY\(\s*(${JAVA_STRING})\s*\)\s*\)`, "g");

const text = gitShow(gitDir, commit, SOURCE);
const method = text.slice(text.indexOf("public void testNamingDetection()"), text.indexOf("public void TestNamingDetectionWithBadWords()"));
const kept = [method.slice(0, method.indexOf("framerate")), method.slice(method.indexOf("// RELEASE NAMES"), method.indexOf("// OTR recording naming"))];

const known = namesIn([...EARLIER_CORPORA, "release-corpus.json"]);
const entries: Entry[] = [];
for (const block of kept) {
  // commented-out assertions are not tests
  const live = block.split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n");
  for (const m of live.matchAll(ASSERT)) {
    const name = JSON.parse(m[2]!) as string;
    if (known.has(name)) continue;
    const [title, year] = (JSON.parse(m[1]!) as string).split(" | ");
    const e: Entry = { name, source: SOURCE, type: "movie", title: title!.replace(/\s+german$/i, "") };
    if (year !== undefined) e.year = Number(year);
    entries.push(e);
  }
}
writeCorpus("tmm-corpus.json", entries);
