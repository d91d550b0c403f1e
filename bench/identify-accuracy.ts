// Per-field accuracy of the file-name parser on every corpus in bench/accuracy/corpora.ts, beside the library it
// builds on and beside guessit (Debian's python3-guessit) on the same names.
//   npm run accuracy [-- --no-guessit] [-- --tuned-only] [-- --failures LABEL]
// --tuned-only leaves the held-out corpora out altogether: while rules are being written, even their totals are
// not looked at (choosing rules by a held-out score would tune on it too).
//
// How each field is scored (bench/accuracy/corpus.ts), over the entries whose source states that field:
//   title    normalised equality: case, accents and punctuation ignored, "&" = "and" (normalizeTitle)
//   year     equal, or both absent
//   season   the list of seasons equal (absent = empty list); episode likewise (multi-episode files: every one)
//   s+e      season and episode both right, over episodes
//   type     movie / episode
//   mov t+y  title and year both right, over movies
//   all      every field the entry states right
// "held out": the rules were written without looking at that corpus's failures (see corpora.ts).
import { pathToFileURL } from "node:url";
import { CORPORA, corpusPath, libraryAlone, ours, type CorpusInfo } from "./accuracy/corpora.js";
import { FIELDS, pct, readCorpus, score, sum, type Entry, type Guess, type Score, check, list } from "./accuracy/corpus.js";
import { FIRST_SIGHT, firstSightScore } from "./accuracy/first-sight.js";
import { runGuessit } from "./accuracy/guessit.js";

// the regression guard imports these
export { CORPORA, corpusPath, ours, readCorpus, score, pct };

const COLUMN = 8;
const fmt = (v: number | undefined): string => (v === undefined ? "–" : v.toFixed(1)).padStart(COLUMN);
const LEFT = 34;
const PARSER = 16;

function row(left: string, parser: string, s: Score): string {
  return `${left.padEnd(LEFT)} ${parser.padEnd(PARSER)}${FIELDS.map((f) => fmt(pct(s, f))).join("")}`;
}

function counts(s: Score): string {
  return `${"".padEnd(LEFT)} ${"(entries scored)".padEnd(PARSER)}${FIELDS.map((f) => String(s.n[f]).padStart(COLUMN)).join("")}`;
}

interface Measured {
  corpus: CorpusInfo;
  entries: Entry[];
  ours: Score;
  library: Score;
  guessit?: Score;
}

function main(): void {
  const args = process.argv.slice(2);
  const chosen = args.includes("--tuned-only") ? CORPORA.filter((c) => c.status === "tuned") : CORPORA;
  const loaded = chosen.map((corpus) => ({ corpus, entries: readCorpus(corpusPath(corpus)) }));

  const failuresArg = args.indexOf("--failures");
  if (failuresArg >= 0) {
    const label = args[failuresArg + 1] ?? "";
    const found = loaded.find((c) => c.corpus.label.toLowerCase() === label.toLowerCase());
    if (!found) throw new Error(`--failures: no corpus "${label}" (one of ${CORPORA.map((c) => c.label).join(", ")})`);
    if (found.corpus.status === "held out") {
      console.error(`${found.corpus.label} is held out: its failures are not shown. Mark it "tuned" in bench/accuracy/corpora.ts and docs/identify.md first; its figure then stops being a held-out one.`);
      process.exitCode = 1;
      return;
    }
    printFailures(found.entries);
    return;
  }

  const all = loaded.flatMap((c) => c.entries);
  const guessit = args.includes("--no-guessit") ? ({ ok: false, reason: "--no-guessit" } as const) : runGuessit(all.map((e) => e.name));
  let offset = 0;
  const measured: Measured[] = loaded.map(({ corpus, entries }) => {
    const m: Measured = { corpus, entries, ours: score(entries, entries.map((e) => ours(e.name))), library: score(entries, entries.map((e) => libraryAlone(e.name))) };
    if (guessit.ok) m.guessit = score(entries, guessit.guesses.slice(offset, offset + entries.length));
    offset += entries.length;
    return m;
  });

  const guessitLabel = guessit.ok ? `guessit ${guessit.version}` : "guessit";
  console.log("File-name parsing accuracy: % of the entries that state a field, right on it");
  console.log(`${"corpus (names)".padEnd(LEFT)} ${"parser".padEnd(PARSER)}${FIELDS.map((f) => f.padStart(COLUMN)).join("")}`);
  const block = (left: string, parts: Measured[]): void => {
    const o = sum(parts.map((p) => p.ours));
    console.log(row(left, "ours", o));
    console.log(row("", "library alone", sum(parts.map((p) => p.library))));
    if (parts.every((p) => p.guessit)) console.log(row("", guessitLabel, sum(parts.map((p) => p.guessit!))));
    console.log(counts(o));
  };
  for (const m of measured) {
    const mark = m.corpus.status === "held out" ? "HELD OUT" : "tuned";
    block(`${m.corpus.label} (${m.entries.length}) ${mark}`, [m]);
  }
  const heldOut = measured.filter((m) => m.corpus.status === "held out");
  const tuned = measured.filter((m) => m.corpus.status === "tuned");
  if (heldOut.length > 0) block(`all held out (${heldOut.reduce((n, m) => n + m.entries.length, 0)}) HELD OUT`, heldOut);
  if (tuned.length > 0) block(`all tuned (${tuned.reduce((n, m) => n + m.entries.length, 0)})`, tuned);
  block(`all corpora (${all.length})`, measured);
  if (!guessit.ok) console.log(`guessit rows skipped: ${guessit.reason}`);
  console.log("held out = rules written without looking at that corpus's failures; library alone = @viren070/parse-torrent-title on the file name");
  printLeaveOneOut(measured);
}

/**
 * Leave-one-corpus-out: every corpus as it scored before any rule looked at its failures — a tuned corpus as
 * recorded when it was first measured, a held-out corpus as measured now — and the pool of them.
 */
function printLeaveOneOut(measured: readonly Measured[]): void {
  const rows: { left: string; parser: string; score: Score }[] = [];
  for (const m of measured) {
    if (m.corpus.status === "held out") {
      rows.push({ left: `${m.corpus.label} (${m.entries.length})`, parser: "ours, now", score: m.ours });
      continue;
    }
    const record = FIRST_SIGHT[m.corpus.label];
    if (record) rows.push({ left: `${m.corpus.label} (${m.entries.length})`, parser: `ours, ${record.parser}`, score: firstSightScore(record) });
  }
  if (rows.length === 0) return;
  console.log("");
  console.log("Leave-one-corpus-out: each corpus before any rule was written looking at its failures (tuned ones as first measured)");
  console.log(`${"corpus (names)".padEnd(LEFT)} ${"parser".padEnd(PARSER)}${FIELDS.map((f) => f.padStart(COLUMN)).join("")}`);
  for (const r of rows) console.log(row(r.left, r.parser, r.score));
  const pooled = sum(rows.map((r) => r.score));
  console.log(row(`pooled (${rows.length} corpora)`, "ours", pooled));
  console.log(counts(pooled));
  const unrecorded = measured.filter((m) => m.corpus.status === "tuned" && !FIRST_SIGHT[m.corpus.label]).map((m) => m.corpus.label);
  if (unrecorded.length > 0) console.log(`not in this table: ${unrecorded.join(", ")} (tuned on from the start; no first-sight figure)`);
}

function printFailures(entries: Entry[]): void {
  for (const e of entries) {
    const g: Guess = ours(e.name);
    const r = check(e, g);
    if (r.all !== false) continue;
    const bad = (["type", "title", "year", "season", "episode"] as const).filter((f) => r[f] === false);
    console.log(`FAIL [${bad.join(",")}] ${e.name}\n     want ${JSON.stringify([e.type, e.title, e.year, list(e.season), list(e.episode)])} got ${JSON.stringify([g.type, g.title, g.year, g.seasons, g.episodes])}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
