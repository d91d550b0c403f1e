// Starts each player adapter in its own try/catch and keeps trying the ones that fail, with backoff.
// One dead player never takes the daemon down.
import type { AdapterStatus, PlayerAdapter } from "../players/adapter.js";
import { backoffMs } from "../util/backoff.js";
import type { Logger } from "../util/log.js";

interface Supervised {
  adapter: PlayerAdapter;
  kind: string;
  controller: AbortController;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  lastError: string | undefined;
}

export interface SupervisorOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told when an adapter fails to start (once per run of failures), starts after failing, or is removed. */
  onConnectionChange?: (status: AdapterStatus) => void;
}

export class Supervisor {
  private readonly adapters = new Map<string, Supervised>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onConnectionChange: (status: AdapterStatus) => void;

  constructor(
    private readonly log: Logger,
    options: SupervisorOptions = {},
  ) {
    this.initialDelayMs = options.initialDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.onConnectionChange = options.onConnectionChange ?? (() => undefined);
  }

  names(): string[] {
    return [...this.adapters.keys()];
  }

  has(name: string): boolean {
    return this.adapters.has(name);
  }

  get(name: string): PlayerAdapter | undefined {
    return this.adapters.get(name)?.adapter;
  }

  /**
   * Start an adapter now; if it fails, it is retried in the background. Resolves after the first attempt.
   * `kind` (its player's config section) is what status shows while it is not running.
   */
  async add(adapter: PlayerAdapter, kind: string = adapter.name): Promise<void> {
    if (this.adapters.has(adapter.name)) throw new Error(`adapter ${adapter.name} is already running`);
    const entry: Supervised = { adapter, kind, controller: new AbortController(), attempts: 0, timer: undefined, running: false, lastError: undefined };
    this.adapters.set(adapter.name, entry);
    await this.attempt(entry);
  }

  async remove(name: string): Promise<void> {
    const entry = this.adapters.get(name);
    if (!entry) return;
    this.adapters.delete(name);
    await this.stopEntry(entry);
    this.report({ name, kind: entry.kind, state: "stopped" });
  }

  async stopAll(): Promise<void> {
    const entries = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.all(entries.map((entry) => this.stopEntry(entry)));
  }

  status(): AdapterStatus[] {
    return [...this.adapters.values()].flatMap((entry) => {
      if (!entry.running) {
        return [{ name: entry.adapter.name, kind: entry.kind, state: "failed" as const, detail: entry.lastError ?? "starting" }];
      }
      try {
        return entry.adapter.status();
      } catch (error) {
        return [{ name: entry.adapter.name, kind: entry.kind, state: "failed" as const, detail: String(error) }];
      }
    });
  }

  private async attempt(entry: Supervised): Promise<void> {
    entry.timer = undefined;
    if (entry.controller.signal.aborted) return;
    entry.attempts += 1;
    try {
      await entry.adapter.start(entry.controller.signal);
      entry.running = true;
      entry.lastError = undefined;
      if (entry.attempts > 1) {
        this.log.info({ adapter: entry.adapter.name }, "adapter started after retrying");
        const own = this.status().find((s) => s.name === entry.adapter.name);
        if (own) this.report(own);
      }
      entry.attempts = 0;
    } catch (error) {
      entry.lastError = error instanceof Error ? error.message : String(error);
      if (entry.attempts === 1) this.report({ name: entry.adapter.name, kind: entry.kind, state: "failed", detail: entry.lastError });
      const jittered = backoffMs(entry.attempts - 1, { initialMs: this.initialDelayMs, maxMs: this.maxDelayMs, jitter: 0.2 });
      this.log.warn({ adapter: entry.adapter.name, err: error, retryInMs: jittered }, "adapter failed to start; retrying");
      entry.timer = setTimeout(() => void this.attempt(entry), jittered);
      entry.timer.unref();
    }
  }

  private report(status: AdapterStatus): void {
    try {
      this.onConnectionChange(status);
    } catch (error) {
      this.log.error({ err: error, adapter: status.name }, "connection state listener failed");
    }
  }

  private async stopEntry(entry: Supervised): Promise<void> {
    entry.controller.abort();
    if (entry.timer) clearTimeout(entry.timer);
    if (!entry.running) return;
    entry.running = false;
    try {
      await entry.adapter.stop();
    } catch (error) {
      this.log.warn({ adapter: entry.adapter.name, err: error }, "adapter failed to stop cleanly");
    }
  }
}
