// Where a config file can be created when the daemon runs without one (Docker configured by environment alone):
// the first place a config file is looked for whose directory exists and this user may write, so the next load
// finds it. Used to save a match fixed in the dashboard.
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { configCandidates, type PathContext } from "../config/paths.js";

export function writableConfigCandidate(ctx: PathContext): string | undefined {
  for (const candidate of configCandidates(ctx)) {
    const dir = dirname(candidate.path);
    try {
      if (!statSync(dir).isDirectory()) continue;
      accessSync(dir, constants.W_OK);
      return candidate.path;
    } catch {
      continue;
    }
  }
  return undefined;
}
