// Guards the parser's measured accuracy (bench/identify-accuracy.ts prints the full table) against regressions.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_CORPUS, score, type Entry } from "../../bench/identify-accuracy.js";

const present = existsSync(DEFAULT_CORPUS);
if (!present) console.log(`SKIPPED: accuracy guard: corpus not found at ${DEFAULT_CORPUS} (set GUESSIT_CORPUS)`);

describe("file-name parsing accuracy on guessit's corpus", () => {
  it.skipIf(!present)("meets the goals: ≥ 98 % season+episode, ≥ 95 % title, ≥ 98 % year", () => {
    const corpus = JSON.parse(readFileSync(DEFAULT_CORPUS, "utf8")) as Entry[];
    const hits = score(corpus);
    const pct = (n: number) => (100 * n) / corpus.length;
    expect(pct(hits["s+e"])).toBeGreaterThanOrEqual(98);
    expect(pct(hits.title)).toBeGreaterThanOrEqual(95);
    expect(pct(hits.year)).toBeGreaterThanOrEqual(98);
  });
});
