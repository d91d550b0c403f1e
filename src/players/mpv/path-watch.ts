// Watches one explicitly configured socket path, so that an mpv starting there is noticed at once without polling:
// its directory is watched (inotify, through fs.watch) and every event that names the socket — created, replaced,
// removed — is reported as "an mpv may be listening there now". mpv removes a socket it finds left behind and binds
// a new one, so each start gives an event; an mpv that quits leaves the file and gives none.
//
// Plain fs.watch rather than chokidar (which watches socket directories, discovery.ts): here one name in one
// directory matters, and that directory may be /tmp, whose every file chokidar would stat and track.
// Where a directory cannot be watched — it does not exist (yet), no inotify watch is left, a Windows named pipe —
// `start()` says so and the adapter polls the socket instead (mpv.reconnectSeconds), trying to watch again each time.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/** \\.\pipe\name (or \\?\pipe\name): not a file in a directory. */
const NAMED_PIPE = /^\\\\[.?]\\pipe\\/i;

export interface SocketPathWatcherOptions {
  path: string;
  /** Something happened to the socket file. */
  onEvent: () => void;
  /** The watch ended by itself (its directory was removed or renamed, or the watch failed): poll from now on. */
  onLost: (reason: string) => void;
}

export class SocketPathWatcher {
  private watcher: FSWatcher | undefined;
  private readonly name: string;
  private readonly dir: string;

  constructor(private readonly options: SocketPathWatcherOptions) {
    this.name = basename(options.path);
    this.dir = dirname(options.path);
  }

  get active(): boolean {
    return this.watcher !== undefined;
  }

  /** Starts watching (a no-op when already watching). Returns why it cannot watch, or undefined when it does. */
  start(): string | undefined {
    if (this.watcher) return undefined;
    if (NAMED_PIPE.test(this.options.path)) return "a named pipe cannot be watched";
    let watcher: FSWatcher;
    try {
      watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        // filename may be missing on some platforms: then any event may be ours.
        if (filename === null || filename === this.name) this.options.onEvent();
        // The directory itself was removed or renamed: inotify says so once (naming the directory), then never again.
        else if (filename === basename(this.dir)) this.lose(`${this.dir} was removed or renamed`);
      });
    } catch (error) {
      return `cannot watch ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
    watcher.on("error", (error: NodeJS.ErrnoException) => this.lose(`watching ${this.dir} failed: ${error.code ?? error.message}`));
    this.watcher = watcher;
    return undefined;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private lose(reason: string): void {
    if (!this.watcher) return;
    this.close();
    this.options.onLost(reason);
  }
}
