// Replacing a file so that a crash or power cut at any moment leaves either the old content or the new, never a
// mix: write a temp file beside it, fsync it, rename it over the target, fsync the directory. The temp file gets a
// fresh random name and is created exclusively (O_EXCL), so a file or symlink already at that name is never
// followed or reused. Temp files are hidden (`.<name>.<pid>.<random>.tmp`); a writer killed mid-way leaves one
// behind, which `removeStaleTempFiles` clears.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";

const TEMP_SUFFIX = ".tmp";

export interface AtomicWriteOptions {
  /** Permissions of the new file (default 0600: everything this daemon writes is private). */
  mode?: number;
}

/**
 * Replaces `file` with `data` atomically and durably. `data` may be given in pieces (written one after the other,
 * so a large file need not be one string in memory).
 */
export async function writeFileAtomic(file: string, data: string | Iterable<string>, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o600);
  try {
    try {
      // writeFile continues from the current position and retries short writes.
      for (const piece of typeof data === "string" ? [data] : data) await handle.writeFile(piece, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}

/**
 * Makes a rename in `dir` durable. Some file systems refuse to fsync a directory (some network and FUSE mounts,
 * Windows): the rename is still atomic there, so that refusal is not an error.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    if (!["EISDIR", "EINVAL", "EPERM", "EBADF"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

/** Removes the temp files killed writers left in `dir`, those older than `olderThanMs` (a live writer may own a fresh one). */
export async function removeStaleTempFiles(dir: string, olderThanMs = 10 * 60_000): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(".") || !name.endsWith(TEMP_SUFFIX)) continue;
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (info && now - info.mtimeMs >= olderThanMs) await unlink(full).catch(() => undefined);
  }
}
