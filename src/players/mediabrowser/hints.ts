// What a Jellyfin/Emby item tells us about itself, and which items are scrobbled at all.
import type { MediaHints } from "../../core/playback.js";
import { providerId, TICKS_PER_MS, type MediaItem } from "./messages.js";

type Ids = NonNullable<MediaHints["ids"]>;

/** imdb/tmdb/tvdb from ProviderIds (an episode's are the episode's own ids; a series' are the show's). */
export function idsOf(item: Pick<MediaItem, "ProviderIds">): Ids | undefined {
  const ids: Ids = {};
  const imdb = providerId(item.ProviderIds, "Imdb");
  const tmdb = providerId(item.ProviderIds, "Tmdb");
  const tvdb = providerId(item.ProviderIds, "Tvdb");
  if (imdb !== undefined && /^tt\d+$/.test(imdb)) ids.imdb = imdb;
  if (tmdb !== undefined && /^\d+$/.test(tmdb)) ids.tmdb = tmdb;
  if (tvdb !== undefined && /^\d+$/.test(tvdb)) ids.tvdb = tvdb;
  return Object.keys(ids).length > 0 ? ids : undefined;
}

export function hintsFromItem(item: MediaItem): MediaHints {
  const hints: MediaHints = {};
  const ids = idsOf(item);
  if (ids) hints.ids = ids;
  if (item.ProductionYear != null) hints.year = item.ProductionYear;
  if (item.RunTimeTicks != null) hints.runtimeSeconds = Math.round(item.RunTimeTicks / TICKS_PER_MS / 1000);
  if (item.Path) hints.path = item.Path;
  if (item.Name) hints.title = item.Name;
  if (item.Type === "Episode") {
    hints.kind = "episode";
    if (item.SeriesName) hints.showTitle = item.SeriesName;
    if (item.ParentIndexNumber != null) hints.season = item.ParentIndexNumber;
    if (item.IndexNumber != null) hints.episode = item.IndexNumber;
  } else {
    hints.kind = "movie";
  }
  return hints;
}

/** Why an item is not scrobbled, or undefined when it is (a movie or an episode, not an extra). */
export function notScrobbled(item: MediaItem): string | undefined {
  if (item.Type !== "Movie" && item.Type !== "Episode") return `${item.Type ?? "no type"}, not a movie or an episode`;
  if (item.MediaType != null && item.MediaType !== "Video") return `${item.MediaType} media`;
  if (item.IsThemeMedia === true) return "theme media";
  if (item.ExtraType != null) return `an extra (${item.ExtraType})`;
  return undefined;
}
