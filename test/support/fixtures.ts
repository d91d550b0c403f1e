// The captured real payloads every test, bench and script reads: test/fixtures/ (provenance in its SOURCES.md).
// One place that knows where they live, so nothing reaches outside the repository.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Absolute path of a fixture, e.g. `fixturePath("plex", "movie.media.scrobble.plexagent-guidarray.json")`. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), "utf8");
}

export function readJsonFixture<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts)) as T;
}
