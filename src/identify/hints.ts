// Player hints cleaned of the placeholders players use for "unknown" (Kodi: -1, "", year 0 or 1601).
import type { MediaHints } from "../core/playback.js";
import type { ExternalIds } from "./guids.js";

type IdKey = "trakt" | "imdb" | "tmdb" | "tvdb" | "slug";
type RawIds = Partial<Record<IdKey, string>>;

export interface CleanHints {
  kind: "movie" | "episode" | "unknown";
  title?: string;
  year?: number;
  showTitle?: string;
  season?: number;
  episode?: number;
  ids: ExternalIds;
  showIds: ExternalIds;
  guids: string[];
  path?: string;
  mediaTitle?: string;
}

const text = (v: string | undefined): string | undefined => {
  const t = v?.trim();
  return t ? t : undefined;
};

const FILE_NAME = /\.(?:mkv|avi|mp4|m4v|mov|wmv|ts|m2ts|iso|mpg|mpeg|webm|flv|strm)$/i;

const count = (v: number | undefined): number | undefined => (v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined);

const maxYear = (): number => new Date().getUTCFullYear() + 2;

/** Player ids arrive as strings ("335984"); Trakt wants numbers for trakt/tmdb/tvdb and tt… for imdb. */
export function cleanIds(raw: RawIds | undefined): ExternalIds {
  const ids: ExternalIds = {};
  if (!raw) return ids;
  const num = (v: string | undefined): number | undefined => {
    const t = v?.trim();
    if (!t || !/^\d+$/.test(t)) return undefined;
    const n = Number(t);
    return n > 0 && Number.isSafeInteger(n) ? n : undefined;
  };
  const trakt = num(raw.trakt);
  const tmdb = num(raw.tmdb);
  const tvdb = num(raw.tvdb);
  const imdb = raw.imdb?.trim();
  const slug = raw.slug?.trim();
  if (trakt !== undefined) ids.trakt = trakt;
  if (imdb && /^tt\d{5,}$/.test(imdb)) ids.imdb = imdb;
  if (tmdb !== undefined) ids.tmdb = tmdb;
  if (tvdb !== undefined) ids.tvdb = tvdb;
  if (slug && /^[a-z0-9-]+$/.test(slug)) ids.slug = slug;
  return ids;
}

export function cleanHints(h: MediaHints): CleanHints {
  const out: CleanHints = {
    kind: h.kind ?? "unknown",
    ids: cleanIds(h.ids),
    showIds: cleanIds(h.showIds),
    guids: (h.guids ?? []).map((g) => g.trim()).filter((g) => g.length > 0),
  };
  const title = text(h.title);
  const showTitle = text(h.showTitle);
  const path = text(h.path);
  const mediaTitle = text(h.mediaTitle);
  if (title !== undefined) out.title = title;
  // Kodi add-ons sometimes put the file name in showtitle ("10_e_01.avi"): it is something to parse, not a show
  if (showTitle !== undefined && FILE_NAME.test(showTitle)) {
    if (mediaTitle === undefined) out.mediaTitle = showTitle;
  } else if (showTitle !== undefined) out.showTitle = showTitle;
  if (path !== undefined) out.path = path;
  if (mediaTitle !== undefined) out.mediaTitle = mediaTitle;
  if (h.year !== undefined && Number.isInteger(h.year) && h.year >= 1870 && h.year <= maxYear()) out.year = h.year;
  const season = count(h.season);
  const episode = count(h.episode);
  if (season !== undefined) out.season = season;
  if (episode !== undefined) out.episode = episode;
  return out;
}

export function hasIds(ids: ExternalIds): boolean {
  return Object.keys(ids).length > 0;
}

/** Only the ids a Trakt movie object has (TVDB numbers for movies, which Plex sends, are not Trakt movie ids). */
export function movieIds(ids: ExternalIds): ExternalIds {
  const { tvdb: _tvdb, ...rest } = ids;
  return rest;
}
