// guessit's guesses on the same names, for the side-by-side rows of `npm run accuracy`. Needs Debian's
// python3-guessit; without it the rows are skipped with the reason. Answers are cached per guessit version and
// name list in node_modules/.cache (a full run takes about a minute on a small machine).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Guess } from "./corpus.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = join(HERE, "..", "..", "node_modules", ".cache", "trakt-scrobblerd-accuracy");

export type GuessitRun = { ok: true; version: string; guesses: Guess[] } | { ok: false; reason: string };

/** The first python3 that can import guessit (Debian's lives in /usr/bin, not in a pyenv shim), with its version. */
function findGuessit(): { python: string; version: string } | undefined {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const version = execFileSync(python, ["-c", "import guessit; print(guessit.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      return { python, version };
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function runGuessit(names: readonly string[]): GuessitRun {
  const found = findGuessit();
  if (!found) return { ok: false, reason: "python3-guessit is not installed (apt-get install python3-guessit)" };
  const key = createHash("sha256").update(found.version).update("\0").update(JSON.stringify(names)).digest("hex").slice(0, 16);
  const cached = join(CACHE_DIR, `guessit-${key}.json`);
  if (existsSync(cached)) return { ok: true, version: found.version, guesses: JSON.parse(readFileSync(cached, "utf8")) as Guess[] };
  const out = execFileSync(found.python, [join(HERE, "guessit-batch.py")], {
    input: JSON.stringify(names),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const raw = (JSON.parse(out) as { guesses: (Guess & { title: string | null; year: number | null })[] }).guesses;
  const guesses: Guess[] = raw.map((g) => ({ type: g.type, title: g.title ?? undefined, year: g.year ?? undefined, seasons: g.seasons, episodes: g.episodes }));
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cached, JSON.stringify(guesses));
  return { ok: true, version: found.version, guesses };
}
