// Shapes of the Trakt objects a scrobbler sends and receives (API v2). Ids that Trakt may omit are optional;
// Trakt also sends `null` (and sometimes "") for a missing external id, which parsers normalise away.
import type { TraktEpisode, TraktIds, TraktMovie, TraktShow } from "../core/media.js";

export type ScrobbleAction = "start" | "pause" | "stop";

/** Body of POST /scrobble/{start,pause,stop}. */
export type ScrobbleBody = {
  progress: number;
  app_version?: string;
  app_date?: string;
} & ({ movie: TraktMovie } | { episode: TraktEpisode; show?: TraktShow });

/**
 * Body of POST /checkin. (`Omit<ScrobbleBody, "progress">` cannot express this: Omit over a union keeps only
 * the keys common to all members, so `movie`/`episode` were lost.)
 */
export type CheckinBody = {
  app_version?: string;
  app_date?: string;
  message?: string;
  sharing?: Record<string, boolean>;
} & ({ movie: TraktMovie } | { episode: TraktEpisode; show?: TraktShow });

export interface ScrobbleResponse {
  id: number;
  /** "start" | "pause" | "scrobble" in practice; Trakt's own docs disagree, so any string is accepted. */
  action: string;
  progress: number;
  movie?: TraktMovie;
  episode?: TraktEpisode;
  show?: TraktShow;
}

/** Parsed body of a 409 from /scrobble/stop (or /checkin, which has only expires_at). */
export interface ConflictInfo {
  watchedAt?: Date;
  expiresAt?: Date;
}

export interface HistoryAddItem {
  ids: TraktIds;
  title?: string;
  year?: number;
  watched_at?: string;
}

export interface HistoryShowEntry {
  ids: TraktIds;
  title?: string;
  year?: number;
  seasons?: { number: number; watched_at?: string; episodes?: { number: number; watched_at?: string }[] }[];
}

/** Body of POST /sync/history and POST /sync/history/remove. */
export interface HistoryBody {
  movies?: HistoryAddItem[];
  shows?: HistoryShowEntry[];
  episodes?: HistoryAddItem[];
}

export interface HistoryAddResult {
  added: { movies: number; episodes: number };
  not_found: {
    movies: HistoryAddItem[];
    shows: HistoryShowEntry[];
    seasons: unknown[];
    episodes: HistoryAddItem[];
  };
}

export interface HistoryEntry {
  id: number;
  watched_at: string;
  action: string;
  type: "movie" | "episode";
  movie?: TraktMovie;
  episode?: TraktEpisode;
  show?: TraktShow;
}

export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_url: string;
  expires_in: number;
  interval: number;
}

export type SearchType = "movie" | "show" | "episode" | "person" | "list";
export type IdType = "trakt" | "imdb" | "tmdb" | "tvdb";

export interface SearchResult {
  type: SearchType;
  score: number | null;
  movie?: TraktMovie;
  show?: TraktShow;
  episode?: TraktEpisode;
}

/** One season of a show with its episodes (GET /shows/{id}/seasons?extended=full,episodes). */
export interface ShowSeason {
  number: number;
  episodes: TraktEpisode[];
}
