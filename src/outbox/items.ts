// Pure helpers over identified Trakt items: a stable key for the dedupe window, request bodies, and matching
// what Trakt returns (history entries, not_found lists) back to our items.
import type { HistoryAddItem, HistoryAddResult, HistoryBody, HistoryEntry, ScrobbleBody } from "../trakt/types.js";
import type { MediaItem, TraktEpisode, TraktIds, TraktShow } from "../core/media.js";

const ID_ORDER = ["trakt", "imdb", "tmdb", "tvdb", "slug"] as const;

function idKey(ids: TraktIds | undefined): string | undefined {
  if (!ids) return undefined;
  for (const name of ID_ORDER) {
    const value = ids[name];
    if (value !== undefined && value !== null && value !== "") return `${name}:${String(value)}`;
  }
  return undefined;
}

/** A stable key for one item, e.g. `movie:trakt:12601` or `episode:show:tvdb:81189:1x2`. Undefined if it has no ids. */
export function itemKey(item: MediaItem): string | undefined {
  if (item.type === "movie") {
    const k = idKey(item.movie.ids);
    return k ? `movie:${k}` : undefined;
  }
  const own = idKey(item.episode.ids);
  if (own) return `episode:${own}`;
  const show = idKey(item.show?.ids);
  const { season, number } = item.episode;
  if (show && season !== undefined && number !== undefined) return `episode:show:${show}:${season}x${number}`;
  if (show && item.episode.number_abs !== undefined) return `episode:show:${show}:abs${item.episode.number_abs}`;
  return undefined;
}

/** Short human label for logs and `queue list`. */
export function itemLabel(item: MediaItem): string {
  if (item.type === "movie") return `${item.movie.title ?? idKey(item.movie.ids) ?? "?"}${item.movie.year ? ` (${item.movie.year})` : ""}`;
  const e = item.episode;
  const se = e.season !== undefined && e.number !== undefined ? ` S${String(e.season).padStart(2, "0")}E${String(e.number).padStart(2, "0")}` : "";
  return `${item.show?.title ?? idKey(item.show?.ids) ?? "?"}${se}`;
}

export function scrobbleBody(item: MediaItem, progress: number, appVersion?: string): ScrobbleBody {
  const base = { progress, ...(appVersion ? { app_version: appVersion } : {}) };
  if (item.type === "movie") return { ...base, movie: item.movie };
  return item.show ? { ...base, episode: item.episode, show: item.show } : { ...base, episode: item.episode };
}

export interface HistoryWatch {
  item: MediaItem;
  watchedAt: number;
}

/** One /sync/history body for many watches. Episodes known only by show + season/number go under `shows`. */
export function historyBody(watches: HistoryWatch[]): HistoryBody {
  const movies: HistoryAddItem[] = [];
  const episodes: HistoryAddItem[] = [];
  const shows = new Map<string, { show: TraktShow; seasons: Map<number, { number: number; watched_at: string }[]> }>();
  for (const { item, watchedAt } of watches) {
    const watched_at = new Date(watchedAt).toISOString();
    if (item.type === "movie") {
      movies.push({ ids: item.movie.ids, watched_at });
    } else if (idKey(item.episode.ids) && item.episode.ids) {
      episodes.push({ ids: item.episode.ids, watched_at });
    } else if (item.show && item.episode.season !== undefined && item.episode.number !== undefined) {
      const key = idKey(item.show.ids) ?? "";
      let entry = shows.get(key);
      if (!entry) shows.set(key, (entry = { show: item.show, seasons: new Map() }));
      let list = entry.seasons.get(item.episode.season);
      if (!list) entry.seasons.set(item.episode.season, (list = []));
      list.push({ number: item.episode.number, watched_at });
    }
  }
  const body: HistoryBody = {};
  if (movies.length) body.movies = movies;
  if (episodes.length) body.episodes = episodes;
  if (shows.size) {
    body.shows = [...shows.values()].map(({ show, seasons }) => ({
      ids: show.ids,
      seasons: [...seasons.entries()].map(([number, eps]) => ({ number, episodes: eps })),
    }));
  }
  return body;
}

function idsOverlap(a: TraktIds | undefined, b: TraktIds | undefined): boolean {
  if (!a || !b) return false;
  return ID_ORDER.some((name) => a[name] !== undefined && a[name] !== null && a[name] !== "" && String(a[name]) === String(b[name]));
}

function sameEpisode(ours: { episode: TraktEpisode; show?: TraktShow }, theirs: { episode?: TraktEpisode; show?: TraktShow }): boolean {
  if (!theirs.episode) return false;
  if (idsOverlap(ours.episode.ids, theirs.episode.ids)) return true;
  return (
    ours.episode.season !== undefined &&
    ours.episode.season === theirs.episode.season &&
    ours.episode.number === theirs.episode.number &&
    idsOverlap(ours.show?.ids, theirs.show?.ids)
  );
}

/** Is this history entry a play of `item`? */
export function entryMatches(item: MediaItem, entry: HistoryEntry): boolean {
  if (item.type === "movie") return entry.type === "movie" && idsOverlap(item.movie.ids, entry.movie?.ids);
  return entry.type === "episode" && sameEpisode(item, { ...(entry.episode ? { episode: entry.episode } : {}), ...(entry.show ? { show: entry.show } : {}) });
}

/**
 * Was `item` in the add result's not_found lists? "unknown" when the list has entries that cannot be told apart
 * (an episode sent as show + season/number comes back as just `{number}`): it may or may not have been added.
 */
export function inNotFound(item: MediaItem, result: HistoryAddResult): boolean | "unknown" {
  const nf = result.not_found;
  if (item.type === "movie") return (nf.movies ?? []).some((m) => idsOverlap(item.movie.ids, m.ids));
  const episodes = nf.episodes ?? [];
  if (episodes.some((e) => idsOverlap(item.episode.ids, e.ids))) return true;
  if (idKey(item.episode.ids)) return false;
  // A show-form episode: the whole show, or that season/episode, was not found.
  const showMissing = (nf.shows ?? []).some((s) => {
    if (!idsOverlap(item.show?.ids, s.ids)) return false;
    if (!s.seasons || s.seasons.length === 0) return true;
    return s.seasons.some(
      (season) => season.number === item.episode.season && (!season.episodes || season.episodes.some((e) => e.number === item.episode.number)),
    );
  });
  if (showMissing) return true;
  return episodes.some((e) => !idKey(e.ids)) ? "unknown" : false;
}
