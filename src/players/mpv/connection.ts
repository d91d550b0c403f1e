// One connection to one running mpv: connect, identify the process, register observers (they belong to the
// connection, so every new connection registers them again), and feed everything to a tracker whose
// PlaybackEvents go to the adapter's listener. When the connection ends for any reason, what was playing is
// reported stopped at its last known position.
import type { Logger } from "../../util/log.js";
import type { PlaybackEvent } from "../../core/playback.js";
import { MpvClient, MpvCommandError } from "./client.js";
import { MpvPlaybackTracker, OBSERVED_PROPERTIES } from "./tracker.js";

export interface MpvConnectionOptions {
  path: string;
  player: string;
  account?: string | undefined;
  requestTimeoutMs: number;
  maxLineBytes: number;
  progressIntervalMs: number;
  log: Logger;
  now: () => number;
  emit: (event: PlaybackEvent) => void;
  /** Called once when an opened connection ends; `error` is undefined when mpv quit or we closed it. */
  onClosed: (connection: MpvConnection, error: Error | undefined) => void;
}

export class MpvConnection {
  private readonly client: MpvClient;
  private readonly tracker: MpvPlaybackTracker;
  private opened = false;
  pid: number | undefined;

  constructor(private readonly options: MpvConnectionOptions) {
    this.tracker = new MpvPlaybackTracker({
      player: options.player,
      socketPath: options.path,
      account: options.account,
      progressIntervalMs: options.progressIntervalMs,
    });
    this.client = new MpvClient({
      path: options.path,
      requestTimeoutMs: options.requestTimeoutMs,
      maxLineBytes: options.maxLineBytes,
      log: options.log,
      onEvent: (event) => this.publish(this.tracker.handle(event, this.options.now())),
      onClose: (error) => {
        this.publish(this.tracker.disconnect(this.options.now()));
        if (this.opened) this.options.onClosed(this, error);
      },
    });
  }

  /** Connected and subscribed. */
  get isOpen(): boolean {
    return this.opened && this.client.isOpen;
  }

  /** Connects and subscribes, unless `accept` refuses the mpv process found there (resolves false, closed).
   * Rejects (with the socket error, e.g. code ECONNREFUSED, or a protocol/timeout
   * error after which the connection is already closed) when this is not a working mpv. */
  async open(accept: (pid: number | undefined) => boolean = () => true): Promise<boolean> {
    await this.client.connect();
    try {
      this.pid = asInteger(await this.optionalProperty("pid"));
      if (!accept(this.pid)) {
        this.client.close();
        return false;
      }
      const playingPos = asInteger(await this.optionalProperty("playlist-playing-pos"));
      const currentEntryId =
        playingPos !== undefined && playingPos >= 0 ? asInteger(await this.optionalProperty(`playlist/${playingPos}/id`)) : undefined;
      this.tracker.attach({ pid: this.pid, currentEntryId });
      await Promise.all(OBSERVED_PROPERTIES.map((name, index) => this.client.observe(index + 1, name)));
      this.opened = true;
      return true;
    } catch (error) {
      this.client.close(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** Closes the connection; anything playing is reported stopped. */
  close(): void {
    this.client.close();
  }

  describe(): string {
    return this.tracker.describe(this.options.now());
  }

  private async optionalProperty(name: string): Promise<unknown> {
    try {
      return await this.client.getProperty(name);
    } catch (error) {
      // "property not found" on an older mpv: we can do without it.
      if (error instanceof MpvCommandError) return undefined;
      throw error;
    }
  }

  private publish(events: PlaybackEvent[]): void {
    for (const event of events) {
      try {
        this.options.emit(event);
      } catch (error) {
        this.options.log.error({ err: error }, "playback event listener failed");
      }
    }
  }
}

function asInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}
