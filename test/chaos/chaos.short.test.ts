// The short chaos run in the normal test suite: the real daemon process (built like an install), real mpv, Plex
// webhooks, a faulty emulator, 5 SIGKILLs over ≈ 20 watches (see scripts/chaos.ts; `npm run chaos` prints the
// same figures, CHAOS_LONG=1 for the long form). Nothing lost, nothing delivered twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaosOptionsFromEnv, formatResult, hasCommand, runChaos } from "../../scripts/chaos.js";
import { buildInstall, type Installed } from "../cli/install.js";

const missing = ["mpv", "ffmpeg"].filter((c) => !hasCommand(c));
if (missing.length > 0) console.log(`SKIPPED: chaos short form needs ${missing.join(" and ")} (scripts/install-system-deps.sh)`);

describe.skipIf(missing.length > 0)("chaos, short form", () => {
  let installed: Installed;
  beforeAll(async () => {
    installed = await buildInstall("tsd-chaos-install-");
  }, 120_000);
  afterAll(() => installed?.remove());

  it("≈ 20 watches through mpv and Plex, 5 SIGKILLs, faults and an outage: 0 lost, 0 duplicated", async () => {
    const lines: string[] = [];
    const options = { ...chaosOptionsFromEnv({}), bin: installed.bin, watches: 20, kills: 5, log: (l: string) => lines.push(l) };
    const result = await runChaos(options);
    console.log(`chaos (seed ${options.seed}):\n${formatResult(result)}`);
    if (result.lost > 0 || result.duplicated > 0) console.log(lines.join("\n"));
    // The run really happened: most watches were seen end to end, and every kill was done.
    expect(result.kills).toBe(5);
    expect(result.completed).toBeGreaterThanOrEqual(8);
    expect(result.lostWatches).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
  }, 300_000);
});
