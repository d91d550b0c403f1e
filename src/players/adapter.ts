// The adapter contract: what every player adapter is, and how a player's config section becomes adapters.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlaybackEventListener } from "../core/playback.js";
import type { Logger } from "../util/log.js";

export type AdapterConnectionState = "starting" | "connected" | "disconnected" | "stopped" | "failed";

export interface AdapterStatus {
  name: string;
  /** The kind of player: its config section ("mpv", "kodi", "plex"), or "simulated" (the demo). */
  kind: string;
  state: AdapterConnectionState;
  detail?: string;
  /** What a media server reports playing right now (Plex, Jellyfin, Emby servers), one entry per session. */
  sessions?: AdapterSession[];
}

export interface AdapterSession {
  /** The server's own id of the session (Plex: its sessionKey). */
  id?: string;
  /** The server's user. */
  user?: string;
  /** The client playing. */
  player?: string;
  item: string;
  state: string;
  progress?: number;
  /** The Trakt account it goes to; absent when it is ignored. */
  account?: string;
  /** Why nothing of it goes to Trakt (a pre-roll, Live TV, a user not mapped…). */
  ignored?: string;
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
  /**
   * Told when a connection changes state, at the moments the adapter logs them (connected, "unavailable" once,
   * "back" once; a webhook receiver when it starts and stops taking requests). Never called while nothing changes.
   * A throwing callback must not break the adapter: call it through `reportConnection`.
   */
  onConnectionChange?: (status: AdapterStatus) => void;
}

/** Calls the context's `onConnectionChange`, if any; a callback that throws is logged and ignored. */
export function reportConnection(context: AdapterContext, status: AdapterStatus, log?: Logger): void {
  try {
    context.onConnectionChange?.(status);
  } catch (error) {
    log?.error({ err: error, adapter: status.name }, "connection state listener failed");
  }
}

/**
 * An adapter its player tells of playback by HTTP requests (Plex webhooks): the daemon's HTTP server hands it every
 * request to `webhookPath` or below it (e.g. /plex/<secret>).
 */
export interface WebhookReceiver {
  readonly webhookPath: string;
  handleWebhook(req: IncomingMessage, res: ServerResponse): void;
}

export function receivesWebhooks(adapter: PlayerAdapter): adapter is PlayerAdapter & WebhookReceiver {
  const candidate = adapter as Partial<WebhookReceiver>;
  return typeof candidate.webhookPath === "string" && typeof candidate.handleWebhook === "function";
}

/** Settings from outside its own config section that a player may use. */
export interface SharedPlayerSettings {
  /** `scrobble.watchedThreshold` (%): a player that polls (Kodi) polls closer as playback nears it. */
  watchedThreshold: number;
  /** The daemon's private state directory (mpv's default socket directory lives there when $XDG_RUNTIME_DIR is unset). */
  stateDir: string;
  /** Tokens stored for media servers by `plex login` / `jellyfin login` (the secret store's; src/secrets/server-tokens.ts). */
  serverTokens?: ServerTokenSource;
}

/** Reads a media server's stored token; the shape of src/secrets/server-tokens.ts's ServerTokenStore.get. */
export interface ServerTokenSource {
  get(key: { kind: "plex" | "jellyfin" | "emby"; server: string }): Promise<{ token: string; user?: string; deviceId?: string } | undefined>;
}

/** One adapter the config asks for. */
export interface AdapterSpec<A extends PlayerAdapter = PlayerAdapter> {
  /** Unique among the running adapters (status, metrics and logs name it). */
  readonly name: string;
  /**
   * The settings that take a restart of the adapter: on a config reload an adapter whose fingerprint is unchanged
   * keeps running, so sessions in progress are not disturbed.
   */
  readonly fingerprint: string;
  /** Builds the adapter (no work: the supervisor starts it). */
  create(context: AdapterContext, log: Logger): A;
  /** Hands settings that apply live to the running adapter (on reload, when the fingerprint is unchanged). */
  update?(adapter: A): void;
}

/** The config section of a player: every player can be switched off. */
export interface PlayerSection {
  enabled: boolean;
}

/** One kind of player: the adapters its (enabled) config section asks for. */
export type PlayerFactory<Section extends PlayerSection> = (section: Section, shared: SharedPlayerSettings) => AdapterSpec[];
