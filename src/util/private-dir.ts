// Directories the daemon trusts: where it picks up mpv sockets and where it keeps its state. A directory another local
// user can write into (or swap for a symbolic link) is a way in: a socket planted there is followed as if it were the
// user's mpv (fake watches on their Trakt account), a symlink planted there is written through (a root daemon
// truncating a root-only file). Such a directory is refused, or, when it is our own, tightened.
import type { Stats } from "node:fs";
import { chmod, lstat, mkdir, stat } from "node:fs/promises";

export class UntrustedDirectoryError extends Error {
  override readonly name = "UntrustedDirectoryError";
  constructor(
    readonly dir: string,
    /** What is wrong, e.g. "is a symbolic link". */
    readonly reason: string,
    /** What to do about it. */
    readonly fix: string,
  ) {
    super(`${dir} ${reason}; ${fix}`);
  }
}

/** This process's effective uid; undefined where there is none (Windows: no modes or owners to check). */
function currentUid(): number | undefined {
  return typeof process.geteuid === "function" ? process.geteuid() : undefined;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  return group && others ? "its group and every other user" : others ? "every other user" : "its group";
}

/**
 * Why a directory (from lstat) cannot be trusted by a process with `uid`, or undefined when it can: it must be a real
 * directory (not a symlink), owned by this user or root, and writable by nobody else.
 */
export function whyUntrusted(info: Stats, uid: number | undefined = currentUid()): string | undefined {
  if (info.isSymbolicLink()) return "is a symbolic link";
  if (!info.isDirectory()) return "is not a directory";
  if (uid === undefined) return undefined;
  if (info.uid !== uid && info.uid !== 0) return `belongs to uid ${info.uid}, not to this user (uid ${uid}) or root`;
  if ((info.mode & 0o022) !== 0) return `can be written by ${writers(info.mode)} (mode ${octal(info.mode)})`;
  return undefined;
}

/** Throws UntrustedDirectoryError unless `dir` exists and passes whyUntrusted. `fix` says what the user should do. */
export async function assertTrustedDir(dir: string, fix: string): Promise<void> {
  const reason = whyUntrusted(await lstat(dir));
  if (reason !== undefined) throw new UntrustedDirectoryError(dir, reason, fix);
}

export interface SecureDirOptions {
  /** Called when a directory of ours was writable by others and has been tightened. */
  onTightened?: (dir: string, from: string, to: string) => void;
  /** The top directory may be a symlink (e.g. a state dir moved to a USB disk); its target is what is checked. */
  allowSymlink?: boolean;
}

/**
 * Creates `dir` (0700) if missing; if it exists and is ours, takes write permission away from group and others;
 * refuses (UntrustedDirectoryError) a symlink, a non-directory, or a directory another user owns.
 */
export async function securePrivateDir(dir: string, options: SecureDirOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const uid = currentUid();
  let info = await lstat(dir);
  if (info.isSymbolicLink() && options.allowSymlink) info = await stat(dir);
  const reason = whyUntrusted(info, uid);
  if (reason === undefined) return;
  const ours = uid !== undefined && info.uid === uid && info.isDirectory() && !info.isSymbolicLink();
  if (ours && (info.mode & 0o022) !== 0) {
    const tightened = info.mode & 0o7755;
    await chmod(dir, tightened);
    options.onTightened?.(dir, octal(info.mode), octal(tightened));
    return;
  }
  const fix = info.isSymbolicLink()
    ? "replace the link by a real directory (or point --state-dir at the link's target)"
    : info.isDirectory()
      ? `chown ${uid ?? "<daemon user>"} ${dir} (or use another --state-dir)`
      : "move it away, or use another --state-dir";
  throw new UntrustedDirectoryError(dir, reason, fix);
}
