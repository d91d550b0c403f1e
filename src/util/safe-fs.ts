// Opening state files without trusting what might have been planted in their place. The state directory is private
// (see private-dir.ts), but a mistake (a writable outbox/, a restored backup) must not turn into "a root daemon
// truncates /etc/shadow through a symlink" or "the first bytes of a root-only file end up in the log". So:
// - files are opened with O_NOFOLLOW: a symlink in the last component fails (ELOOP) instead of being followed;
// - temporary files get a random name and O_CREAT|O_EXCL (util/atomic-write.ts): nothing that already exists
//   (symlink included) is reused;
// - small control files are read only when they are regular files of a bounded size (never a FIFO or a device).
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** 0 where the platform has no such flag (Windows): there, opening falls back to the plain behaviour. */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

export class UnsafeFileError extends Error {
  override readonly name = "UnsafeFileError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} ${reason}; refusing to use it (remove it, the daemon recreates what it needs)`);
  }
}

function code(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined;
}

/** open(2) with O_NOFOLLOW added; a symlink in the last component becomes an UnsafeFileError. */
export async function openNoFollow(file: string, flags: number, mode?: number): Promise<FileHandle> {
  try {
    return await open(file, flags | O_NOFOLLOW, mode);
  } catch (error) {
    // Linux says ELOOP; the BSDs and macOS EMLINK (with O_NOFOLLOW). Either way: a symlink was planted there.
    if (code(error) === "ELOOP" || code(error) === "EMLINK") throw new UnsafeFileError(file, "is a symbolic link");
    throw error;
  }
}

/**
 * Reads a small file that must be a regular file of at most `maxBytes`, without following a symlink and without
 * blocking on a FIFO. Throws UnsafeFileError otherwise (its message never quotes the file's content).
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<string> {
  const handle = await openNoFollow(file, constants.O_RDONLY | O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnsafeFileError(file, "is not a regular file");
    if (info.size > maxBytes) throw new UnsafeFileError(file, `is larger than ${maxBytes} bytes (${info.size})`);
    const content = await handle.readFile();
    if (content.length > maxBytes) throw new UnsafeFileError(file, `is larger than ${maxBytes} bytes`);
    return content.toString("utf8");
  } finally {
    await handle.close();
  }
}
