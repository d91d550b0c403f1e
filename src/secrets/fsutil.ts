// Private files for secrets: a 0700 directory and 0600 files. They are replaced with util/atomic-write.ts, so a
// crash at any moment leaves the old or the new content, never a torn file.
import { chmod, lstat, mkdir } from "node:fs/promises";
import type { Logger } from "../util/log.js";
import { SecretStoreError } from "./store.js";

/** Creates `dir` (0700) or tightens an existing one with wider permissions. Refuses a directory owned by
 * someone else or a non-directory. */
export async function ensurePrivateDir(dir: string, logger?: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory()) {
    throw new SecretStoreError("permissions", `${dir} is not a directory; move it away so the token directory can be created`);
  }
  if (typeof process.getuid === "function" && info.uid !== process.getuid()) {
    throw new SecretStoreError("permissions", `${dir} belongs to uid ${info.uid}, not to this user (uid ${process.getuid()}); fix its owner (chown) or use another --state-dir`);
  }
  if ((info.mode & 0o077) !== 0) {
    await chmod(dir, 0o700);
    logger?.warn({ dir, mode: octal(info.mode) }, "token directory was readable by others; tightened to 0700");
  }
}

/** Tightens an existing secret file to 0600 (writeFile's `mode` only applies to new files). */
export async function tightenFile(file: string, logger?: Logger): Promise<void> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (!info.isFile()) {
    throw new SecretStoreError("permissions", `${file} is not a regular file (a symlink or directory?); remove it and log in again`);
  }
  if (typeof process.getuid === "function" && info.uid !== process.getuid()) {
    throw new SecretStoreError("permissions", `${file} belongs to uid ${info.uid}, not to this user; fix its owner (chown) or remove it`);
  }
  if ((info.mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    logger?.warn({ file, mode: octal(info.mode) }, "token file was readable by others; tightened to 0600");
  }
}

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT";
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}
