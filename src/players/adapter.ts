import type { PlaybackEventListener } from "../core/playback.js";

export type AdapterConnectionState = "starting" | "connected" | "disconnected" | "stopped" | "failed";

export interface AdapterStatus {
  name: string;
  kind: "mpv" | "kodi" | "plex" | "simulated";
  state: AdapterConnectionState;
  detail?: string;
}

/**
 * A player adapter. The constructor does no work; `start` acquires resources (and registers their cleanup),
 * `stop` releases them and, before resolving, emits final `stopped` events for anything still playing so the
 * engine can record them. A failing `start` is retried by the supervisor; it must never throw from a callback.
 */
export interface PlayerAdapter {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  status(): AdapterStatus[];
}

export interface AdapterContext {
  emit: PlaybackEventListener;
  now: () => number;
}
