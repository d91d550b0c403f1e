import type { MediaHints } from "../core/playback.js";
import type { MediaItem } from "../core/media.js";

export type IdentificationSource =
  | "override"
  | "trakt-ids"
  | "kodi-uniqueid"
  | "plex-guid"
  | "legacy-guid"
  | "path-ids"
  | "title-season-episode"
  | "title-year"
  | "filename-search"
  | "cache";

export type Identification =
  | {
      ok: true;
      /** One item, or several for a multi-episode file (S02E01E02). */
      items: MediaItem[];
      source: IdentificationSource;
      /** 0–1; only confident matches are returned as ok. */
      confidence: number;
      /** Human-readable: why this item. */
      reason: string;
    }
  | {
      ok: false;
      /** Human-readable: what was tried and why it was not good enough. */
      reason: string;
      /** True when a later retry might succeed (Trakt unreachable); false when the media is unknown/doubtful. */
      retryable: boolean;
    };

/** Turns player hints into Trakt items. Implemented in identify/; the outbox calls it before sending. */
export interface Identifier {
  identify(hints: MediaHints, signal?: AbortSignal): Promise<Identification>;
  /**
   * The items as /sync/history needs them: an episode known only by its show and absolute number (anime) gets its
   * season and number. Undefined when one cannot be placed (Trakt does not number the show that way); throws when
   * Trakt cannot be asked. Absent: the items go as they are.
   */
  forHistory?(items: MediaItem[], signal?: AbortSignal): Promise<MediaItem[] | undefined>;
}
