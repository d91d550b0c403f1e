import type { MediaHints } from "../../core/playback.js";
import type { PlexMetadata } from "./payload.js";

/** What a Plex item tells us about itself. Guids are passed on raw; identify/ knows how to read each scheme. */
export function hintsFromMetadata(metadata: PlexMetadata): MediaHints {
  const hints: MediaHints = {};
  const guids = [metadata.guid, ...(metadata.Guid ?? []).map((g) => g.id)].filter(
    (g): g is string => typeof g === "string" && g.length > 0,
  );
  if (guids.length > 0) hints.guids = guids;
  if (metadata.year !== undefined && metadata.year > 0) hints.year = metadata.year;
  if (metadata.duration !== undefined) hints.runtimeSeconds = Math.round(metadata.duration / 1000);
  if (metadata.type === "episode") {
    hints.kind = "episode";
    if (metadata.title) hints.title = metadata.title;
    if (metadata.grandparentTitle) hints.showTitle = metadata.grandparentTitle;
    if (metadata.parentIndex !== undefined) hints.season = metadata.parentIndex;
    if (metadata.index !== undefined) hints.episode = metadata.index;
  } else {
    hints.kind = "movie";
    if (metadata.title) hints.title = metadata.title;
  }
  return hints;
}

/** Movies and TV episodes only: music, photos, trailers, clips and extras are never scrobbled. */
export function isScrobblableVideo(metadata: PlexMetadata): boolean {
  if (metadata.type !== "movie" && metadata.type !== "episode") return false;
  if (metadata.extraType !== undefined || metadata.subtype === "trailer") return false;
  const section = metadata.librarySectionType;
  return section === undefined || section === "movie" || section === "show";
}

type ShowIds = NonNullable<MediaHints["showIds"]>;

/**
 * A show's ids from its guids (`GET /library/metadata/{grandparentRatingKey}`): the new agents' Guid array
 * (imdb://tt…, tmdb://N, tvdb://N) or a legacy agent's guid (com.plexapp.agents.thetvdb://N?lang=en). Opaque guids
 * (plex://show/…, local://…) carry no id.
 */
export function showIdsFromGuids(guids: readonly string[]): ShowIds | undefined {
  const ids: ShowIds = {};
  for (const raw of guids) {
    const m = /^(?:com\.plexapp\.agents\.)?([a-z]+):\/\/([^/?#]+)(?:\?.*)?$/i.exec(raw.trim());
    if (!m?.[1] || !m[2]) continue;
    const scheme = m[1].toLowerCase();
    const value = m[2];
    if (scheme === "imdb" && /^tt\d+$/.test(value)) ids.imdb ??= value;
    else if ((scheme === "tmdb" || scheme === "themoviedb") && /^\d+$/.test(value)) ids.tmdb ??= value;
    else if ((scheme === "tvdb" || scheme === "thetvdb") && /^\d+$/.test(value)) ids.tvdb ??= value;
  }
  return Object.keys(ids).length > 0 ? ids : undefined;
}
