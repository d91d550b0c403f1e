// Watches the config file and asks for a reload when it changes. Editors save in different ways (write in place,
// or write a temp file and rename it over), so the directory is watched and changes to the file's name count.
import { basename, dirname, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Logger } from "../util/log.js";

export type ReloadOutcome =
  | { applied: true; restartNeeded: string[]; started: string[]; stopped: string[]; at: string }
  | { applied: false; error: string; at?: string };

export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onChange: () => void,
    private readonly log: Logger,
    private readonly debounceMs = 300,
  ) {}

  async start(): Promise<void> {
    const file = resolve(this.file);
    const name = basename(file);
    this.watcher = watch(dirname(file), {
      ignoreInitial: true,
      depth: 0,
      ignored: (path: string) => path !== dirname(file) && basename(path) !== name,
    });
    this.watcher.on("all", (event, path) => {
      if (basename(path) !== name) return;
      if (event === "unlink") {
        this.log.warn({ file }, "config file removed; keeping the running config");
        return;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.log.info({ file }, "config file changed; reloading");
        this.onChange();
      }, this.debounceMs);
    });
    this.watcher.on("error", (error) => this.log.warn({ err: error }, "config watcher error"));
    await new Promise<void>((resolveReady) => this.watcher?.once("ready", () => resolveReady()));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
