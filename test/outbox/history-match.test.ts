// Table tests of the exactly-once lookup's pure part. Episode entries are the captured /sync/history payload
// (test/fixtures/trakt/sync.history.get.episodes.response-200.json: Parks and Recreation S02E01–E03), re-timed per
// case; movie entries follow the same shape.
import { describe, expect, it } from "vitest";
import type { MediaItem, TraktIds } from "../../src/core/media.js";
import {
  findInHistory,
  HISTORY_MAX_PAGES,
  HISTORY_SLACK_MS,
  historyRange,
  wantsNextPage,
  type HistoryWindow,
  type PriorWatch,
  type WatchToFind,
} from "../../src/outbox/history-match.js";
import { itemKey } from "../../src/outbox/items.js";
import type { HistoryEntry } from "../../src/trakt/types.js";
import { readJsonFixture } from "../support/fixtures.js";

const MIN = 60_000;
const window: HistoryWindow = { replayMs: 10 * MIN, slackMs: HISTORY_SLACK_MS };
/** When playback of the watch we look for ended. */
const END = Date.parse("2026-11-27T20:00:00Z");

const captured = readJsonFixture<HistoryEntry[]>("trakt", "sync.history.get.episodes.response-200.json");
const [s02e01, s02e02] = captured as [HistoryEntry, HistoryEntry, HistoryEntry];

function at(entry: HistoryEntry, time: number, id = entry.id): HistoryEntry {
  return { ...entry, id, watched_at: new Date(time).toISOString() };
}

const tron = { title: "TRON: Legacy", year: 2010, ids: { trakt: 12601, slug: "tron-legacy-2010", imdb: "tt1104001", tmdb: 20526 } };
function movieEntry(time: number, id = 9001): HistoryEntry {
  return { id, watched_at: new Date(time).toISOString(), action: "scrobble", type: "movie", movie: tron };
}

const movie = (ids: TraktIds): MediaItem => ({ type: "movie", movie: { ids } });
const episode = (ids: TraktIds): MediaItem => ({ type: "episode", episode: { ids } });
const showEpisode = (showIds: TraktIds, season: number, number: number): MediaItem => ({
  type: "episode",
  episode: { season, number },
  show: { ids: showIds },
});

/** By default the watch may have been sent live (the wide window applies); `live: false` = only ever replayed. */
function watch(items: MediaItem[], options: { id?: string; playthroughId?: string; endedAt?: number; live?: boolean } = {}): WatchToFind {
  return { id: options.id ?? "w", playthroughId: options.playthroughId ?? "pt-now", endedAt: options.endedAt ?? END, live: options.live ?? true, items };
}

interface Case {
  name: string;
  watches: WatchToFind[];
  entries: HistoryEntry[];
  /** Watches this account delivered before, by item. */
  prior?: [MediaItem, PriorWatch][];
  found: string[];
}

const byIdKind: Case[] = [
  { name: "movie by trakt id", watches: [watch([movie({ trakt: 12601 })])], entries: [movieEntry(END)], found: ["w"] },
  { name: "movie by imdb id", watches: [watch([movie({ imdb: "tt1104001" })])], entries: [movieEntry(END)], found: ["w"] },
  { name: "movie by tmdb id", watches: [watch([movie({ tmdb: 20526 })])], entries: [movieEntry(END)], found: ["w"] },
  { name: "movie by slug", watches: [watch([movie({ slug: "tron-legacy-2010" })])], entries: [movieEntry(END)], found: ["w"] },
  { name: "movie whose ids disagree", watches: [watch([movie({ trakt: 12602, imdb: "tt0000001" })])], entries: [movieEntry(END)], found: [] },
  { name: "episode by its trakt id", watches: [watch([episode({ trakt: 251 })])], entries: [at(s02e01, END)], found: ["w"] },
  { name: "episode by its tvdb id", watches: [watch([episode({ tvdb: 797571 })])], entries: [at(s02e01, END)], found: ["w"] },
  { name: "episode by its tmdb id", watches: [watch([episode({ tmdb: 397629 })])], entries: [at(s02e01, END)], found: ["w"] },
  { name: "episode by another episode's id", watches: [watch([episode({ trakt: 252 })])], entries: [at(s02e01, END)], found: [] },
];

const byShow: Case[] = [
  { name: "show tvdb id + S02E01", watches: [watch([showEpisode({ tvdb: 84912 }, 2, 1)])], entries: [at(s02e01, END)], found: ["w"] },
  { name: "show slug + S02E02 picks E02 among E01/E02", watches: [watch([showEpisode({ slug: "parks-and-recreation" }, 2, 2)])], entries: [at(s02e01, END), at(s02e02, END)], found: ["w"] },
  { name: "right show, other episode number", watches: [watch([showEpisode({ tvdb: 84912 }, 2, 9)])], entries: [at(s02e01, END)], found: [] },
  { name: "right show, other season", watches: [watch([showEpisode({ tvdb: 84912 }, 1, 1)])], entries: [at(s02e01, END)], found: [] },
  { name: "same numbers, other show", watches: [watch([showEpisode({ tvdb: 1 }, 2, 1)])], entries: [at(s02e01, END)], found: [] },
];

const tronItem = movie({ trakt: 12601 });
const timeWindow: Case[] = [
  { name: "stamped at the end time (a replay)", watches: [watch([tronItem])], entries: [movieEntry(END)], found: ["w"] },
  { name: "stamped replayAfter later (a late live stop)", watches: [watch([tronItem])], entries: [movieEntry(END + 10 * MIN)], found: ["w"] },
  { name: "at end − slack", watches: [watch([tronItem])], entries: [movieEntry(END - HISTORY_SLACK_MS)], found: ["w"] },
  { name: "1 s before end − slack", watches: [watch([tronItem])], entries: [movieEntry(END - HISTORY_SLACK_MS - 1000)], found: [] },
  { name: "at end + replay + slack", watches: [watch([tronItem])], entries: [movieEntry(END + 10 * MIN + HISTORY_SLACK_MS)], found: ["w"] },
  { name: "1 s after end + replay + slack", watches: [watch([tronItem])], entries: [movieEntry(END + 10 * MIN + HISTORY_SLACK_MS + 1000)], found: [] },
];

// A watch only ever sent through /sync/history carries its end time: only an entry at that time is it. A
// neighbouring play of the same item (in the long chaos run items come back about a minute apart) is not.
const replayedOnly: Case[] = [
  { name: "at its end time: found", watches: [watch([tronItem], { live: false })], entries: [movieEntry(END)], found: ["w"] },
  { name: "Trakt keeps whole seconds: 0.9 s off is still it", watches: [watch([tronItem], { live: false, endedAt: END + 900 })], entries: [movieEntry(END)], found: ["w"] },
  { name: "a play of the same item 50 s later is not it", watches: [watch([tronItem], { live: false })], entries: [movieEntry(END + 50_000)], found: [] },
  { name: "a play of the same item 2 s earlier is not it", watches: [watch([tronItem], { live: false })], entries: [movieEntry(END - 2_000)], found: [] },
  {
    name: "a batch of three plays of one item, two added: the two are found, the third is not taken for a neighbour",
    watches: [watch([tronItem], { id: "a", live: false, endedAt: END }), watch([tronItem], { id: "b", live: false, endedAt: END + 50_000 }), watch([tronItem], { id: "c", live: false, endedAt: END + 100_000 })],
    entries: [movieEntry(END + 100_000, 3), movieEntry(END, 1)],
    found: ["a", "c"],
  },
  {
    name: "sent live too: its exact entry first, else the wide window",
    watches: [watch([tronItem], { id: "a", endedAt: END }), watch([tronItem], { id: "b", endedAt: END + 50_000 })],
    entries: [movieEntry(END + 50_000, 2), movieEntry(END + 20_000, 1)],
    found: ["a", "b"],
  },
];

const earlierWatch: Case[] = [
  {
    name: "an earlier delivered watch claims the only entry: a re-watch 3 min later is not taken for it",
    watches: [watch([tronItem])],
    entries: [movieEntry(END - 3 * MIN)],
    prior: [[tronItem, { watchedAt: END - 3 * MIN, playthroughId: "pt-before" }]],
    found: [],
  },
  {
    name: "both plays in the history: the earlier watch claims the one nearest its time, the re-watch finds its own",
    watches: [watch([tronItem])],
    entries: [movieEntry(END + 2 * MIN, 2), movieEntry(END - 8 * MIN, 1)],
    prior: [[tronItem, { watchedAt: END - 8 * MIN, playthroughId: "pt-before" }]],
    found: ["w"],
  },
  {
    name: "every earlier delivered play claims its own entry, not only the latest: none is taken for the re-watch",
    watches: [watch([tronItem])],
    entries: [movieEntry(END - 1 * MIN, 2), movieEntry(END - 2 * MIN, 1)],
    prior: [
      [tronItem, { watchedAt: END - 2 * MIN, playthroughId: "pt-first" }],
      [tronItem, { watchedAt: END - 1 * MIN, playthroughId: "pt-second" }],
    ],
    found: [],
  },
  {
    name: "the earlier watch is this playthrough itself: it claims nothing",
    watches: [watch([tronItem], { playthroughId: "pt-now" })],
    entries: [movieEntry(END)],
    prior: [[tronItem, { watchedAt: END, playthroughId: "pt-now" }]],
    found: ["w"],
  },
  {
    name: "the earlier watch is too far from the entry to be it",
    watches: [watch([tronItem])],
    entries: [movieEntry(END)],
    prior: [[tronItem, { watchedAt: END - 2 * 60 * MIN, playthroughId: "pt-before" }]],
    found: ["w"],
  },
  {
    name: "an earlier watch of another item claims nothing",
    watches: [watch([tronItem])],
    entries: [movieEntry(END)],
    prior: [[movie({ trakt: 1 }), { watchedAt: END, playthroughId: "pt-before" }]],
    found: ["w"],
  },
  {
    name: "two watches of the same item in one batch, one entry: only the first is found",
    watches: [watch([tronItem], { id: "a", playthroughId: "pa" }), watch([tronItem], { id: "b", playthroughId: "pb", endedAt: END + MIN })],
    entries: [movieEntry(END)],
    found: ["a"],
  },
];

const kinds: Case[] = [
  { name: "a movie is not an episode with the same trakt id", watches: [watch([movie({ trakt: 251 })])], entries: [at(s02e01, END)], found: [] },
  { name: "an episode is not a movie with the same trakt id", watches: [watch([episode({ trakt: 12601 })])], entries: [movieEntry(END)], found: [] },
  {
    name: "a multi-episode file is found when every episode is there",
    watches: [watch([showEpisode({ tvdb: 84912 }, 2, 1), showEpisode({ tvdb: 84912 }, 2, 2)])],
    entries: [at(s02e01, END), at(s02e02, END)],
    found: ["w"],
  },
  {
    name: "a multi-episode file with one episode missing is not found",
    watches: [watch([showEpisode({ tvdb: 84912 }, 2, 1), showEpisode({ tvdb: 84912 }, 2, 3)])],
    entries: [at(s02e01, END), at(s02e02, END)],
    found: [],
  },
  { name: "empty history", watches: [watch([tronItem])], entries: [], found: [] },
  { name: "no watches", watches: [], entries: [movieEntry(END)], found: [] },
];

describe("findInHistory", () => {
  describe.each([
    ["the same item by each id kind", byIdKind],
    ["episodes by show + season/number", byShow],
    ["the time window and its slack", timeWindow],
    ["watches only ever replayed: at their end time only", replayedOnly],
    ["earlier delivered watches of the same item", earlierWatch],
    ["episodes vs movies, several items, nothing to match", kinds],
  ])("%s", (_, cases) => {
    it.each(cases)("$name", ({ watches, entries, prior = [], found }) => {
      const priors = (key: string): PriorWatch[] => prior.filter(([item]) => itemKey(item) === key).map(([, w]) => w);
      expect([...findInHistory(watches, entries, priors, window)].sort()).toEqual(found);
    });
  });
});

describe("the lookup query", () => {
  it("one range covers every watch of a batch: earliest end − slack to latest end + replay + slack", () => {
    const watches = [watch([tronItem], { endedAt: END + 60 * MIN }), watch([tronItem], { endedAt: END })];
    expect(historyRange(watches, window)).toEqual({ startAt: END - HISTORY_SLACK_MS, endAt: END + 60 * MIN + 10 * MIN + HISTORY_SLACK_MS });
  });

  it.each([
    { page: 1, pageCount: 3, items: 100, next: true },
    { page: 3, pageCount: 3, items: 100, next: false },
    { page: 1, pageCount: 3, items: 0, next: false },
    { page: 1, pageCount: 1, items: 7, next: false },
    { page: HISTORY_MAX_PAGES - 1, pageCount: 1000, items: 100, next: true },
    { page: HISTORY_MAX_PAGES, pageCount: 1000, items: 100, next: false },
  ])("after page $page of $pageCount with $items entries: next page = $next", ({ page, pageCount, items, next }) => {
    expect(wantsNextPage(page, pageCount, items)).toBe(next);
  });
});
