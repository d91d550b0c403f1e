// The `match` command end to end: parse-only JSON lines, and a real search against the emulator via a config file.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";

async function runCli(args: string[]): Promise<{ out: string[]; err: string[]; exitCode: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await buildProgram().exitOverride().parseAsync(["node", "trakt-scrobblerd", ...args]);
    return { out, err, exitCode: process.exitCode };
  } finally {
    process.exitCode = before;
    log.mockRestore();
    error.mockRestore();
  }
}

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startTraktEmulator();
  dir = await mkdtemp(join(tmpdir(), "identify-match-"));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe("match --parse-only --json", () => {
  it("prints one JSON line per name, episodes as an array for multi-episode files, without any request", async () => {
    emulator.clearRequests();
    const { out } = await runCli(["match", "--parse-only", "--json", "Show.Name.S02E01E02.720p.mkv", "Movie (2010)/movie.mkv", "[Group] Show Name - 123 [1080p].mkv"]);
    expect(out.map((l) => JSON.parse(l))).toEqual([
      { name: "Show.Name.S02E01E02.720p.mkv", type: "episode", title: "Show Name", year: null, season: 2, episode: [1, 2] },
      { name: "Movie (2010)/movie.mkv", type: "movie", title: "Movie", year: 2010, season: null, episode: null },
      { name: "[Group] Show Name - 123 [1080p].mkv", type: "episode", title: "Show Name", year: null, season: null, episode: 123, absolute: true },
    ]);
    expect(emulator.requests).toEqual([]);
  });
});

describe("match", () => {
  it("searches Trakt with the configured client and says what, from where and why; caches in the state dir", async () => {
    const config = join(dir, "config.yaml");
    await writeFile(config, `trakt:\n  clientId: ${emulator.clientId}\n  apiUrl: ${emulator.url}\n`);
    const stateDir = join(dir, "state");
    emulator.clearRequests();
    const { out, exitCode } = await runCli(["--config", config, "--state-dir", stateDir, "match", "/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.2160p.UHD.BluRay.x265.mkv"]);
    const text = out.join("\n");
    expect(text).toContain('scrobble: movie "Blade Runner 2049" (2017) [trakt:900001');
    expect(text).toContain("source:  filename-search");
    expect(text).toContain('Trakt search for movie "Blade Runner 2049" (2017)');
    expect(exitCode).toBeUndefined();
    expect(emulator.requests.map((r) => r.path)).toEqual(["/search/movie"]);
    expect(await readdir(stateDir)).toContain("identify-cache.json");

    emulator.clearRequests();
    const again = await runCli(["--config", config, "--state-dir", stateDir, "match", "--json", "/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.2160p.UHD.BluRay.x265.mkv"]);
    expect(JSON.parse(again.out[0]!).result).toMatchObject({ ok: true, source: "cache" });
    expect(emulator.requests).toEqual([]);
  });

  it("exits 1 and explains when a name is not recognised", async () => {
    const config = join(dir, "config2.yaml");
    await writeFile(config, `trakt:\n  clientId: ${emulator.clientId}\n  apiUrl: ${emulator.url}\n`);
    const { out, exitCode } = await runCli(["--config", config, "match", "--no-cache", "X-Men '97 - S01E01.mkv"]);
    expect(exitCode).toBe(1);
    expect(out.join("\n")).toMatch(/scrobble: nothing\n\s+why:\s+not scrobbled: .*"Mad Men" \(2007\) rejected/);
  });

  it("a bad override in the config is reported, with exit code 2, before any request", async () => {
    const config = join(dir, "bad.yaml");
    await writeFile(config, `identify:\n  overrides:\n    - path: /x\n      to: { type: movie }\n`);
    emulator.clearRequests();
    const { err, exitCode } = await runCli(["--config", config, "match", "--no-cache", "Some.Movie.2010.mkv"]);
    expect(exitCode).toBe(2);
    expect(err.join("\n")).toContain("needs at least one id");
    expect(emulator.requests).toEqual([]);
  });
});
