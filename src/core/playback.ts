// The one event type every player adapter emits, and the vocabulary of the core: adapters translate their player's
// protocol into this and know nothing about Trakt; the scrobble engine consumes it. Imports nothing.

export type PlaybackState = "playing" | "paused" | "stopped" | "ended";

/** Everything a player told us that may help identify the media. All optional: players know different things. */
export interface MediaHints {
  /** What the player believes it is playing. */
  kind?: "movie" | "episode" | "unknown";
  title?: string;
  year?: number;
  /** Show title, for episodes. */
  showTitle?: string;
  season?: number;
  /** Episode number(s); a multi-episode file carries several. */
  episode?: number;
  /** Ids of the item itself (the episode's own ids for episodes). Values as strings, as players send them. */
  ids?: Partial<Record<"trakt" | "imdb" | "tmdb" | "tvdb" | "slug", string>>;
  /** Ids of the show, for episodes. */
  showIds?: Partial<Record<"trakt" | "imdb" | "tmdb" | "tvdb" | "slug", string>>;
  /** Raw guids as the player sent them (Plex `guid` and `Guid[].id`, Kodi default uniqueid…), parsed by identify/. */
  guids?: string[];
  /** Absolute file path or URL. */
  path?: string;
  /** mpv's media-title or a label that may be a file name. */
  mediaTitle?: string;
  /** Runtime from the library, seconds, when the player knows it. */
  runtimeSeconds?: number;
}

export interface PlaybackEvent {
  /** Adapter kind and instance, e.g. "mpv:/run/user/1000/mpv/tv.sock" or "kodi:living-room". */
  player: string;
  /** Stable per playback session within a player (e.g. Plex session, Kodi player id, mpv socket). */
  sessionKey: string;
  state: PlaybackState;
  /** Milliseconds; undefined when the player did not say. */
  positionMs?: number;
  durationMs?: number;
  /** 0–100; derived from position/duration when the player does not give it. */
  progress?: number;
  /** Playback rate while playing (1 = normal, 2 = double speed). Lets the engine tell fast playback from a seek. */
  speed?: number;
  /** When the player observed this (ms since epoch). */
  observedAt: number;
  hints: MediaHints;
  /** Named Trakt account this playback belongs to; undefined = the default account. */
  account?: string;
  /**
   * The player's own verdict that it counted this item as watched: Kodi raised the playcount of the item being
   * played, Plex sent media.scrobble or marked it played, Jellyfin/Emby reported PlayedToCompletion or Played. Set
   * only when the player said so; it may come with any state, also on an event sent after the stop. Players
   * without a verdict (mpv) never set it.
   */
  playerWatched?: true;
}

export type PlaybackEventListener = (event: PlaybackEvent) => void;

/** A short human label for logs and status: "Show S01E02", "Title (2010)", or the file name. */
export function describeItem(h: MediaHints): string {
  if (h.showTitle && h.season !== undefined && h.episode !== undefined) {
    const pad = (n: number): string => String(n).padStart(2, "0");
    return `${h.showTitle} S${pad(h.season)}E${pad(h.episode)}`;
  }
  if (h.title) return h.year !== undefined ? `${h.title} (${h.year})` : h.title;
  if (h.mediaTitle) return h.mediaTitle;
  if (h.path) return h.path.split(/[\\/]/).filter(Boolean).pop() ?? h.path;
  return "unknown item";
}
