// Finds mpv sockets in a directory where each mpv instance puts its own (input-ipc-server=<dir>/<name>).
// chokidar (rather than bare fs.watch) gives us the initial scan, stats with each event and the rename/replace
// coalescing across platforms. Facts measured with mpv 0.35 and chokidar 5:
// - the directory is watched, not socket paths: watching a path that does not exist yet misses the socket;
// - mpv leaves its socket file behind when it exits and the next mpv replaces it, which chokidar reports as
//   `change`, not `add`; so both mean "maybe a new mpv is listening here";
// - sockets come with stats (isSocket()), so ordinary files in the directory are ignored.
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Stats } from "node:fs";
import type { Logger } from "../../util/log.js";

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

/** Where sockets are looked for when mpv.socketDir is not set: $XDG_RUNTIME_DIR/mpv, else /tmp/mpv-sockets. */
export function defaultSocketDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, "mpv") : "/tmp/mpv-sockets";
}
