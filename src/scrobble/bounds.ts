// What a playback event may carry into the outbox. Events come from peers we do not control (a Plex webhook, a Kodi
// on the LAN) and their hints end up in the journal, kept for up to 30 days as a dead letter: one webhook with a
// 20,000-entry Guid array used to become a 475 KB journal record. Real values are far below these bounds (Plex sends
// 3–4 guids; titles, ids and paths are short), so bounding never changes what a real player reports.
import type { MediaHints, PlaybackEvent } from "../core/playback.js";

export const EVENT_LIMITS = {
  /** Titles, show titles, media titles. */
  textChars: 512,
  /** File paths and URLs (PATH_MAX is 4096). */
  pathChars: 4096,
  /** Player names and session keys (an mpv player is named after its socket path). */
  keyChars: 4096,
  /** One id value (imdb tt…, tmdb/tvdb numbers, slugs). */
  idChars: 128,
  /** Guids kept, in the order sent; Plex sends 3–4. */
  guids: 32,
  /** One guid (`imdb://tt…`, `plex://movie/5d776…`, `com.plexapp.agents.imdb://tt…?lang=en`). */
  guidChars: 256,
} as const;

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function boundIds(ids: MediaHints["ids"]): MediaHints["ids"] {
  if (typeof ids !== "object" || ids === null) return undefined;
  const out: NonNullable<MediaHints["ids"]> = {};
  for (const key of ["trakt", "imdb", "tmdb", "tvdb", "slug"] as const) {
    const value = ids[key];
    // An id that long is not an id: dropped rather than cut into a different one.
    if (typeof value === "string" && value.length <= EVENT_LIMITS.idChars) out[key] = value;
  }
  return out;
}

/** The hints with every string, list and id bounded (a copy; unbounded fields are kept as they are). */
export function boundHints(hints: MediaHints): MediaHints {
  const out: MediaHints = { ...hints };
  for (const key of ["title", "showTitle", "mediaTitle"] as const) {
    const value = hints[key];
    if (typeof value === "string") out[key] = cut(value, EVENT_LIMITS.textChars);
  }
  if (typeof hints.path === "string") out.path = cut(hints.path, EVENT_LIMITS.pathChars);
  const ids = boundIds(hints.ids);
  const showIds = boundIds(hints.showIds);
  if (ids !== undefined) out.ids = ids;
  if (showIds !== undefined) out.showIds = showIds;
  if (Array.isArray(hints.guids)) {
    out.guids = hints.guids.filter((g) => typeof g === "string" && g.length <= EVENT_LIMITS.guidChars).slice(0, EVENT_LIMITS.guids);
  }
  return out;
}

/**
 * The event as the engine keeps it: hints, player and session key bounded. Never throws: a malformed event (no
 * hints, a non-string key) is passed on as it is, for the state machine to refuse and count.
 */
export function boundEvent(event: PlaybackEvent): PlaybackEvent {
  const loose = event as Partial<Record<keyof PlaybackEvent, unknown>>;
  return {
    ...event,
    ...(typeof loose.player === "string" ? { player: cut(loose.player, EVENT_LIMITS.keyChars) } : {}),
    ...(typeof loose.sessionKey === "string" ? { sessionKey: cut(loose.sessionKey, EVENT_LIMITS.keyChars) } : {}),
    ...(typeof loose.hints === "object" && loose.hints !== null ? { hints: boundHints(loose.hints) } : {}),
  };
}
