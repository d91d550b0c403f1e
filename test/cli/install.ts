// Builds the CLI the way a user (and the Docker image) does — `npm run build` — but into a temp directory laid out
// like the installed package (/app in the image): package.json, bin/, dist/, config/, web/, node_modules.
// A separate copy per test file: vitest runs files in parallel, and the developer's own dist/ stays untouched.
import { execFile } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

export interface Installed {
  /** The install root (the image's /app). */
  dir: string;
  /** bin/trakt-scrobblerd.js inside it. */
  bin: string;
  remove(): void;
}

export async function buildInstall(prefix: string): Promise<Installed> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Readable by the unprivileged user the Docker contract test runs as.
  chmodSync(dir, 0o755);
  try {
    await run("npm", ["run", "build", "--", "--outDir", join(dir, "dist")], { cwd: repoRoot });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm run build failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`, { cause: error });
  }
  cpSync(join(repoRoot, "package.json"), join(dir, "package.json"));
  cpSync(join(repoRoot, "bin"), join(dir, "bin"), { recursive: true });
  cpSync(join(repoRoot, "config"), join(dir, "config"), { recursive: true });
  cpSync(join(repoRoot, "web"), join(dir, "web"), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, bin: join(dir, "bin", "trakt-scrobblerd.js"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
