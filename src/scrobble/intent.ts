import type { MediaHints } from "../core/playback.js";

/**
 * What the state machine decides, and what the outbox persists and delivers.
 * - start / pause / stop map to /scrobble/{start,pause,stop}
 * - watched is a watch recorded through /sync/history (a threshold below Trakt's 80 %, or a replayed stop)
 */
export type IntentKind = "start" | "pause" | "stop" | "watched";

export interface ScrobbleIntent {
  /** Unique id of this intent (e.g. a ULID/UUID). */
  id: string;
  kind: IntentKind;
  /** Named Trakt account; undefined = the default account. */
  account?: string;
  player: string;
  sessionKey: string;
  /** Identifies one playthrough of one item: at most one watch is ever delivered per playthrough. */
  playthroughId: string;
  /** Always within [1, 100]. */
  progress: number;
  hints: MediaHints;
  /** When the decision was made (ms since epoch). */
  createdAt: number;
  /** For stop/watched: when playback really ended (ms since epoch); used as watched_at on replay. */
  endedAt?: number;
}

/** Where the engine hands intents. The promise resolves once the intent is durably persisted (fsync'd). */
export interface IntentSink {
  submit(intent: ScrobbleIntent): Promise<void>;
}
