// `queue retry|drop` while the daemon runs leaves a request file in <stateDir>/outbox/control/ (outbox/control.ts).
// The daemon watches that directory (inotify, through fs.watch) and drains the outbox when a request arrives, so the
// request is applied at once and nothing wakes up while nobody asks. Where the directory cannot be watched (no
// inotify watch left, a file system without events) it is looked at once a minute instead, as it was before.
import { watch, type FSWatcher } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { Logger } from "../util/log.js";

/** How often the directory is looked at where it cannot be watched. */
export const QUEUE_REQUESTS_POLL_MS = 60_000;
/** Requests written together (a script retrying several ids) are applied in one drain. */
const SETTLE_MS = 50;

export class QueueRequestWatcher {
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    /** Applies what is waiting (Outbox.drain). */
    private readonly apply: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Watches the directory (creating it, private, when missing); falls back to polling if it cannot be watched. */
  async start(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        // Request files are renamed into place; their hidden temp files are not requests.
        if (name === null || (name.endsWith(".json") && !name.startsWith("."))) this.requested();
      });
      this.watcher.on("error", (error) => this.fallBack(error));
    } catch (error) {
      this.fallBack(error);
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.poll);
    clearTimeout(this.settle);
  }

  private requested(): void {
    if (this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.run();
    }, SETTLE_MS);
    this.settle.unref();
  }

  private run(): void {
    this.apply().catch((error: unknown) => this.log.warn({ err: error }, "applying queue requests failed"));
  }

  private fallBack(error: unknown): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll) return;
    this.log.info({ dir: this.dir, err: error }, `cannot watch for queue requests; looking every ${QUEUE_REQUESTS_POLL_MS / 1000} s instead`);
    this.poll = setInterval(() => this.run(), QUEUE_REQUESTS_POLL_MS);
    this.poll.unref();
  }
}
