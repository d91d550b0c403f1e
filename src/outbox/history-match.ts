// Exactly once, the pure part: which of our watches are already in an account's /sync/history? A watch sent live is
// stamped by Trakt when the stop arrived (up to replayAfterMinutes after playback ended); a replayed one carries its
// end time, to the second — so a watch never sent live is only found at that time, never taken for a neighbouring
// play of the same item. One paged range query covers a whole batch; this module says which range, how many pages, and which
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
  /** A /scrobble/stop for it may have reached Trakt (stamped on arrival): look in the wide window, not only at endedAt. */
  live: boolean;
  /** What it was identified as; every item must be found (a multi-episode file has several). */
  items: MediaItem[];
}

/** A watch of an item this account delivered before (from the journal). */
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
/** A replayed watch's entry carries our end time; Trakt keeps it to the second. */
export const HISTORY_EXACT_MS = 1_000;
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
 * entry accounts for at most one watch. The watches of the same items that we delivered ourselves are in that
 * history too: each claims its entry (the one nearest its time) first, so no other play within the window is taken
 * for them. Then every watch takes an unclaimed entry of its item at its own end time (± HISTORY_EXACT_MS: what a
 * replay leaves); then each watch that may have been sent live, in order, the first unclaimed one within
 * [end − slack, end + replay + slack]. A watch is found when all its items are.
 */
export function findInHistory(
  watches: readonly WatchToFind[],
  entries: readonly HistoryEntry[],
  priorWatches: (itemKey: string) => readonly PriorWatch[],
  window: HistoryWindow,
): Set<string> {
  const found = new Set<string>();
  const claimed = new Set<number>();
  const reach = window.replayMs + window.slackMs;
  const looking = new Set(watches.map((w) => w.playthroughId));
  const keys = new Map<string, MediaItem>();
  for (const w of watches) for (const item of w.items) {
    const key = itemKey(item);
    if (key !== undefined && !keys.has(key)) keys.set(key, item);
  }
  for (const [key, item] of keys) {
    for (const prior of priorWatches(key)) {
      if (looking.has(prior.playthroughId)) continue;
      let best: { id: number; distance: number } | undefined;
      for (const h of entries) {
        if (claimed.has(h.id) || !entryMatches(item, h)) continue;
        const distance = Math.abs(Date.parse(h.watched_at) - prior.watchedAt);
        if (distance <= reach && (best === undefined || distance < best.distance)) best = { id: h.id, distance };
      }
      if (best !== undefined) claimed.add(best.id);
    }
  }
  // An entry at a watch's own end time is its replay: matched first, so no other watch takes it in its wider window.
  const hits = new Set<string>();
  const take = (i: number, j: number, item: MediaItem, at: (t: number) => boolean): void => {
    const hit = entries.find((h) => !claimed.has(h.id) && entryMatches(item, h) && at(Date.parse(h.watched_at)));
    if (!hit) return;
    claimed.add(hit.id);
    hits.add(`${i}:${j}`);
  };
  watches.forEach((w, i) => w.items.forEach((item, j) => take(i, j, item, (t) => Math.abs(t - w.endedAt) <= HISTORY_EXACT_MS)));
  watches.forEach((w, i) => {
    if (!w.live) return;
    w.items.forEach((item, j) => {
      if (!hits.has(`${i}:${j}`)) take(i, j, item, (t) => t >= w.endedAt - window.slackMs && t <= w.endedAt + reach);
    });
  });
  watches.forEach((w, i) => {
    if (w.items.every((_, j) => hits.has(`${i}:${j}`))) found.add(w.id);
  });
  return found;
}
