// Finds mpv sockets in a directory where each mpv instance puts its own (input-ipc-server=<dir>/<name>).
// chokidar (rather than bare fs.watch) gives us the initial scan, stats with each event and the rename/replace
// coalescing across platforms. Facts measured with mpv 0.35 and chokidar 5:
// - the directory is watched, not socket paths: watching a path that does not exist yet misses the socket;
// - mpv leaves its socket file behind when it exits and the next mpv replaces it, which chokidar reports as
//   `change`, not `add`; so both mean "maybe a new mpv is listening here";
// - sockets come with stats (isSocket()), so ordinary files in the directory are ignored.
//
// The directory must be private: any socket in it is taken for the user's mpv, so a directory another local user can
// write into (or swap for a symlink) would let them scrobble fake watches to the user's Trakt account.
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Stats } from "node:fs";
import type { Logger } from "../../util/log.js";
import { assertTrustedDir } from "../../util/private-dir.js";

/** What to do about a socket directory that is refused (also shown by `doctor`). */
export const SOCKET_DIR_FIX =
  "another local user could put a fake mpv socket there and scrobble to your Trakt account. Use a directory only you can write to (mkdir -m 700, owned by you), e.g. $XDG_RUNTIME_DIR/mpv, and set mpv.socketDir";

export interface SocketDirWatcherOptions {
  dir: string;
  log: Logger;
  /** A socket appeared or was replaced: an mpv may be listening on it (or it is left over from one that quit). */
  onSocket: (path: string) => void;
}

export class SocketDirWatcher {
  private watcher: FSWatcher | undefined;

  constructor(private readonly options: SocketDirWatcherOptions) {}

  /** Creates the directory if it is missing (private to this user), watches it, and resolves once the initial
   * scan is done (existing sockets have been reported). */
  async start(): Promise<void> {
    const { dir, log } = this.options;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new Error(`cannot create the mpv socket directory ${dir}; create it or set mpv.socketDir`, { cause });
    }
    // Checked after mkdir: a directory someone else created first (or a symlink put in its place) is refused.
    await assertTrustedDir(dir, SOCKET_DIR_FIX);
    const watcher = watch(dir, { depth: 0, ignoreInitial: false, alwaysStat: true, persistent: true });
    this.watcher = watcher;
    const onFile = (path: string, stats?: Stats): void => {
      void this.report(path, stats);
    };
    watcher.on("add", onFile);
    watcher.on("change", onFile);
    watcher.on("error", (error) => log.warn({ err: error, dir }, "watching the mpv socket directory failed"));
    await new Promise<void>((resolve) => watcher.once("ready", resolve));
  }

  async close(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }

  private async report(path: string, stats: Stats | undefined): Promise<void> {
    try {
      const s = stats ?? (await stat(path));
      if (s.isSocket()) this.options.onSocket(path);
    } catch (error) {
      this.options.log.debug({ err: error, path }, "socket vanished before it could be checked");
    }
  }
}

/**
 * Where sockets are looked for when mpv.socketDir is not set: $XDG_RUNTIME_DIR/mpv (private to the user), else
 * `<stateDir>/mpv` — never a shared directory such as /tmp, where another user could create it first.
 */
export function defaultSocketDir(env: NodeJS.ProcessEnv, stateDir: string): string;
export function defaultSocketDir(env: NodeJS.ProcessEnv, stateDir: string | undefined): string | undefined;
export function defaultSocketDir(env: NodeJS.ProcessEnv, stateDir: string | undefined): string | undefined {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, "mpv");
  return stateDir === undefined ? undefined : join(stateDir, "mpv");
}

/** The directory the adapter watches: mpv.socketDir, else the default when no explicit sockets are configured. */
export function resolveSocketDir(mpv: { socketDir?: string | undefined; sockets: readonly string[] }, env: NodeJS.ProcessEnv, stateDir: string): string | undefined {
  if (mpv.socketDir) return mpv.socketDir;
  return mpv.sockets.length > 0 ? undefined : defaultSocketDir(env, stateDir);
}
