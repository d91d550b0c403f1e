// Turns Kodi's Player.GetItem answer (and the show's details for episodes) into MediaHints. Pure.
// Kodi fills unknown fields with sentinels: -1 (season, episode, tvshowid), "" (text) and year 0 or 1601.
import type { MediaHints } from "../../core/playback.js";
import { pathMatcher } from "../../util/glob.js";
import type { KodiItem } from "./protocol.js";

type IdMap = NonNullable<MediaHints["ids"]>;

const ID_FORMATS: Record<"imdb" | "tmdb" | "tvdb" | "trakt", RegExp> = {
  imdb: /^tt\d+$/,
  tmdb: /^\d+$/,
  tvdb: /^\d+$/,
  trakt: /^\d+$/,
};

/** Keeps the uniqueid entries Trakt understands, as strings; drops `unknown`, empty and malformed values. */
export function idsFromUniqueId(uniqueid: Record<string, unknown> | undefined): IdMap | undefined {
  if (!uniqueid) return undefined;
  const ids: IdMap = {};
  for (const [provider, format] of Object.entries(ID_FORMATS) as [keyof typeof ID_FORMATS, RegExp][]) {
    const raw = uniqueid[provider];
    const value = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
    if (format.test(value)) ids[provider] = value;
  }
  return Object.keys(ids).length > 0 ? ids : undefined;
}

function text(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function count(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function year(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 1800 && value !== 1601 ? value : undefined;
}

export interface ShowDetails {
  uniqueid?: Record<string, unknown> | undefined;
}

/**
 * What we fill:
 * - kind: "movie" / "episode" from the item type, else "unknown" (plain files, add-ons);
 * - title, showTitle, season, episode, year, runtimeSeconds: when not a sentinel;
 * - ids: the item's own `uniqueid` (imdb/tmdb/tvdb/trakt; the episode's ids for episodes);
 * - showIds: the show's `uniqueid` (from VideoLibrary.GetTVShowDetails);
 * - guids: `kodi-imdbnumber://<imdbnumber>` when set (Kodi's *default* id: tvdb for episodes, not always IMDb);
 * - path: the file (path or URL); mediaTitle: the label when it is not the title (a file name for plain files).
 */
export function hintsFromItem(item: KodiItem, show?: ShowDetails): MediaHints {
  const hints: MediaHints = {};
  hints.kind = item.type === "movie" ? "movie" : item.type === "episode" ? "episode" : "unknown";
  const title = text(item.title);
  if (title) hints.title = title;
  const label = text(item.label);
  if (label && label !== title) hints.mediaTitle = label;
  const y = year(item.year);
  if (y) hints.year = y;
  const showTitle = text(item.showtitle);
  if (showTitle) hints.showTitle = showTitle;
  const season = count(item.season);
  if (season !== undefined) hints.season = season;
  const episode = count(item.episode);
  if (episode !== undefined) hints.episode = episode;
  const ids = idsFromUniqueId(item.uniqueid);
  if (ids) hints.ids = ids;
  const showIds = idsFromUniqueId(show?.uniqueid);
  if (showIds) hints.showIds = showIds;
  const imdbnumber = text(item.imdbnumber);
  if (imdbnumber) hints.guids = [`kodi-imdbnumber://${imdbnumber}`];
  const file = text(item.file);
  if (file) hints.path = file;
  if (item.runtime !== undefined && item.runtime > 0) hints.runtimeSeconds = item.runtime;
  return hints;
}

/** PVR / live TV: a `channel` item or a pvr:// path. */
export function isLiveTv(item: Pick<KodiItem, "type" | "file">): boolean {
  return item.type === "channel" || (item.file ?? "").toLowerCase().startsWith("pvr://");
}

/** Item types that are never scrobbled (Trakt knows movies and episodes only). */
export function isIgnoredType(type: string | undefined): boolean {
  return type === "song" || type === "picture" || type === "musicvideo";
}

/** Path exclusion: each pattern is a glob or a substring, as `src/util/glob.ts` defines them. */
export function compileExclusions(patterns: readonly string[]): (path: string | undefined) => boolean {
  const matchers = patterns.filter((p) => p.trim() !== "").map((p) => pathMatcher(p));
  return (path) => path !== undefined && matchers.some((m) => m(path));
}
