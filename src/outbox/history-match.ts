// Exactly once, the pure part: which of our watches are already in an account's /sync/history? A watch sent live is
// stamped by Trakt when the stop arrived (up to replayAfterMinutes after playback ended); a replayed one carries its
// end time. One paged range query covers a whole batch; this module says which range, how many pages, and which
// watches the entries it returned account for. history.ts does the asking.
import type { MediaItem } from "../core/media.js";
import type { HistoryEntry } from "../trakt/types.js";
import { entryMatches, itemKey } from "./items.js";

/** A watch that may already be on Trakt (an earlier send's answer is unknown). */
export interface WatchToFind {
  /** The intent's id: what `findInHistory` returns for a watch it found. */
  id: string;
  playthroughId: string;
  /** When playback ended (the time a replay carries, and about when a live stop was stamped). */
  endedAt: number;
  /** What it was identified as; every item must be found (a multi-episode file has several). */
  items: MediaItem[];
}

/** The latest watch of an item this account delivered before (from the journal). */
export interface PriorWatch {
  watchedAt: number;
  playthroughId: string;
}

export interface HistoryWindow {
  /** How long after playback ended a live stop can have reached Trakt (outbox.replayAfterMinutes). */
  replayMs: number;
  /** Slack either side, for clock skew and request time. */
  slackMs: number;
}

/** Slack around a watch's time when looking for it in /sync/history (clock skew, request time). */
export const HISTORY_SLACK_MS = 5 * 60_000;
export const HISTORY_PAGE_LIMIT = 100;
/** 50 pages of 100: a lookup never reads more than 5,000 entries. */
export const HISTORY_MAX_PAGES = 50;

/** The one time range that covers every watch of a batch. */
export function historyRange(watches: readonly WatchToFind[], window: HistoryWindow): { startAt: number; endAt: number } {
  const ends = watches.map((w) => w.endedAt);
  return { startAt: Math.min(...ends) - window.slackMs, endAt: Math.max(...ends) + window.replayMs + window.slackMs };
}

/** After reading page `page` (1-based) of `pageCount`, holding `itemsOnPage` entries: read the next one? */
export function wantsNextPage(page: number, pageCount: number, itemsOnPage: number): boolean {
  return page < HISTORY_MAX_PAGES && page < pageCount && itemsOnPage > 0;
}

/**
 * The ids of the `watches` that `entries` (the account's history over `historyRange`) already hold. Each history
 * entry accounts for at most one watch. An earlier watch of the same item that we delivered ourselves is in that
 * history too: its entry (the one nearest its time) is claimed first, so a re-watch within the window is not taken
 * for it. Then each watch, in order, takes the first unclaimed entry of its item within
 * [end − slack, end + replay + slack]; a watch is found when all its items are.
 */
export function findInHistory(
  watches: readonly WatchToFind[],
  entries: readonly HistoryEntry[],
  priorWatch: (itemKey: string) => PriorWatch | undefined,
  window: HistoryWindow,
): Set<string> {
  const found = new Set<string>();
  const claimed = new Set<number>();
  const reach = window.replayMs + window.slackMs;
  for (const w of watches) {
    for (const item of w.items) {
      const key = itemKey(item);
      const prior = key === undefined ? undefined : priorWatch(key);
      if (prior === undefined || prior.playthroughId === w.playthroughId) continue;
      let best: { id: number; distance: number } | undefined;
      for (const h of entries) {
        if (claimed.has(h.id) || !entryMatches(item, h)) continue;
        const distance = Math.abs(Date.parse(h.watched_at) - prior.watchedAt);
        if (distance <= reach && (best === undefined || distance < best.distance)) best = { id: h.id, distance };
      }
      if (best !== undefined) claimed.add(best.id);
    }
  }
  for (const w of watches) {
    const all = w.items.every((item) => {
      const hit = entries.find((h) => {
        if (claimed.has(h.id) || !entryMatches(item, h)) return false;
        const t = Date.parse(h.watched_at);
        return t >= w.endedAt - window.slackMs && t <= w.endedAt + reach;
      });
      if (hit) claimed.add(hit.id);
      return hit !== undefined;
    });
    if (all) found.add(w.id);
  }
  return found;
}
