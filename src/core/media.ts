// What is scrobbled: a movie or an episode, known by Trakt ids or by its show's ids plus season and number.
// The shared vocabulary of identify/, scrobble/, outbox/ and trakt/; it imports nothing.

export interface TraktIds {
  trakt?: number;
  slug?: string;
  imdb?: string;
  tmdb?: number;
  tvdb?: number;
}

export interface TraktMovie {
  title?: string;
  year?: number;
  ids: TraktIds;
}

export interface TraktShow {
  title?: string;
  year?: number;
  ids: TraktIds;
}

export interface TraktEpisode {
  season?: number;
  number?: number;
  /** Absolute episode number (anime); /scrobble and /checkin accept it with the show instead of season/number. */
  number_abs?: number;
  title?: string;
  ids?: TraktIds;
}

/**
 * What we scrobble: a movie, or an episode. An episode is known either by its own ids, or by its show's ids plus
 * season and number (Trakt accepts `{show, episode: {season, number}}` in scrobble and history bodies).
 */
export type MediaItem =
  | { type: "movie"; movie: TraktMovie }
  | { type: "episode"; episode: TraktEpisode; show?: TraktShow };
