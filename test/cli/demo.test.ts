// `trakt-scrobblerd demo` as a user runs it: a real child process (the CLI through tsx, no build needed) that must
// finish on its own — a leaked handle would keep it alive and fail the test by its timeout.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/emulator/index.js";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "src/cli/entry.ts"), ...args],
      // A clean environment: no TRAKT_* of the developer's may leak into the demo.
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", HOME: tmpdir() }, timeout: 40_000 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function stateDirOf(stdout: string): string {
  const dir = /state in (\S+) \(removed afterwards\)/.exec(stdout)?.[1];
  expect(dir, stdout).toBeDefined();
  return dir ?? "";
}

describe("trakt-scrobblerd demo", () => {
  it.concurrent("plays a movie from its file name through to a watch on the emulator and exits 0", async () => {
    const result = await cli(["demo"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Recorded on "Trakt"`);
    const movie = catalogue.movies.find((m) => result.stdout.includes(`  ${m.title} (trakt id ${m.ids.trakt}), watched_at `));
    expect(movie, result.stdout).toBeDefined();
    // The whole story, in order: identification by search, start, pause, resume, stop at 100 %.
    const requests = result.stdout.split("\n").filter((l) => l.includes(" trakt ")).map((l) => /(GET|POST) (\/[a-z/]+)/.exec(l)?.slice(1).join(" "));
    expect(requests).toEqual(["GET /search/movie", "POST /scrobble/start", "POST /scrobble/pause", "POST /scrobble/start", "POST /scrobble/stop"]);
    expect(result.stdout).toMatch(/POST \/scrobble\/stop .*progress 100%\) → 201/);
    expect(result.stdout).toMatch(/engine +decides: pause at 4\d/);
    expect(result.stdout).toMatch(/watched_at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z, via scrobble/);
    expect(existsSync(stateDirOf(result.stdout))).toBe(false);
    console.log(result.stdout.split("\n").find((l) => l.startsWith("Demo finished")));
  });

  it.concurrent("with --by-ids needs no search, and a too-short timeout fails with a clear message", async () => {
    const [byIds, short] = await Promise.all([cli(["demo", "--by-ids"]), cli(["demo", "--timeout", "0.5"])]);
    expect(byIds.code, byIds.stderr).toBe(0);
    expect(byIds.stdout).not.toContain("/search/");
    expect(byIds.stdout).toContain("Recorded on");

    expect(short.code).toBe(1);
    expect(short.stderr).toContain("demo failed: no watch reached the emulator within 0.5 s");
    expect(short.stdout).not.toContain("Recorded on");
    expect(existsSync(stateDirOf(short.stdout))).toBe(false);
  });

  it.concurrent("Ctrl-C stops it early, exits 1 and still removes its temporary state", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "src/cli/entry.ts"), "demo"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: tmpdir() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | string | null>((done) => child.once("exit", (code, signal) => done(code ?? signal)));
    await new Promise<void>((done) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        // Interrupt once the first scrobble has reached the emulator: mid-story, with state on disk.
        if (!child.killed && stdout.includes("POST /scrobble/start")) {
          child.kill("SIGINT");
          done();
        }
      });
    });
    expect(await exited).toBe(1);
    expect(stderr).toContain("demo failed: interrupted");
    expect(stdout).not.toContain("Recorded on");
    expect(existsSync(stateDirOf(stdout))).toBe(false);
  });
});
