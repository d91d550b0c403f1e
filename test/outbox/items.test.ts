import { describe, expect, it } from "vitest";
import { entryMatches, historyBody, inNotFound, itemKey } from "../../src/outbox/items.js";
import type { HistoryAddResult } from "../../src/trakt/types.js";
import type { MediaItem } from "../../src/core/media.js";

const movie: MediaItem = { type: "movie", movie: { title: "TRON: Legacy", ids: { trakt: 12601, imdb: "tt1104001" } } };
const epById: MediaItem = { type: "episode", episode: { ids: { trakt: 73482 } } };
const epByShow: MediaItem = { type: "episode", episode: { season: 1, number: 1 }, show: { ids: { tvdb: 81189 } } };
const noIds: MediaItem = { type: "movie", movie: { ids: {} } };
const empty = (): HistoryAddResult => ({ added: { movies: 0, episodes: 0 }, not_found: { movies: [], shows: [], seasons: [], episodes: [] } });

describe("items", () => {
  it.each<[MediaItem, string | undefined]>([
    [movie, "movie:trakt:12601"],
    [epById, "episode:trakt:73482"],
    [epByShow, "episode:show:tvdb:81189:1x1"],
    [noIds, undefined],
  ])("itemKey %#", (item, key) => {
    expect(itemKey(item)).toBe(key);
  });

  it("one history body for movies, id-form and show-form episodes, grouped per show and season", () => {
    const at = Date.parse("2026-11-27T20:00:00Z");
    const body = historyBody([
      { item: movie, watchedAt: at },
      { item: epById, watchedAt: at + 1000 },
      { item: epByShow, watchedAt: at + 2000 },
      { item: { type: "episode", episode: { season: 1, number: 2 }, show: { ids: { tvdb: 81189 } } }, watchedAt: at + 3000 },
    ]);
    expect(body).toEqual({
      movies: [{ ids: movie.movie.ids, watched_at: "2026-11-27T20:00:00.000Z" }],
      episodes: [{ ids: { trakt: 73482 }, watched_at: "2026-11-27T20:00:01.000Z" }],
      shows: [
        {
          ids: { tvdb: 81189 },
          seasons: [{ number: 1, episodes: [{ number: 1, watched_at: "2026-11-27T20:00:02.000Z" }, { number: 2, watched_at: "2026-11-27T20:00:03.000Z" }] }],
        },
      ],
    });
  });

  it("matches history entries by any shared id, or show + season/number", () => {
    const entry = (e: object) => ({ id: 1, watched_at: "", action: "watch", ...e }) as Parameters<typeof entryMatches>[1];
    expect(entryMatches(movie, entry({ type: "movie", movie: { ids: { imdb: "tt1104001" } } }))).toBe(true);
    expect(entryMatches(movie, entry({ type: "movie", movie: { ids: { trakt: 1 } } }))).toBe(false);
    expect(entryMatches(epByShow, entry({ type: "episode", episode: { season: 1, number: 1, ids: { trakt: 73482 } }, show: { ids: { trakt: 1, tvdb: 81189 } } }))).toBe(true);
    expect(entryMatches(epByShow, entry({ type: "episode", episode: { season: 1, number: 2 }, show: { ids: { tvdb: 81189 } } }))).toBe(false);
    expect(entryMatches(epById, entry({ type: "movie", movie: { ids: { trakt: 73482 } } }))).toBe(false);
  });

  it("not_found: attributable items are true, an id-less episode entry makes show-form episodes 'unknown'", () => {
    const r = empty();
    r.not_found.movies.push({ ids: { trakt: 12601 } });
    expect(inNotFound(movie, r)).toBe(true);
    expect(inNotFound(epById, r)).toBe(false);
    expect(inNotFound(epByShow, r)).toBe(false);
    r.not_found.episodes.push({ number: 9 } as never);
    expect(inNotFound(epByShow, r)).toBe("unknown");
    expect(inNotFound(epById, r)).toBe(false);
    const s = empty();
    s.not_found.shows.push({ ids: { tvdb: 81189 } });
    expect(inNotFound(epByShow, s)).toBe(true);
  });
});

describe("outboxSettings", () => {
  it("takes the outbox section and the scrobble dedupe window from the loaded config", async () => {
    const { defaultConfig } = await import("../../src/config/schema.js");
    const { outboxSettings, DEFAULT_OUTBOX_SETTINGS } = await import("../../src/outbox/index.js");
    const config = defaultConfig();
    expect(outboxSettings(config)).toEqual(DEFAULT_OUTBOX_SETTINGS);
    expect(outboxSettings({ ...config, scrobble: { ...config.scrobble, dedupeWindowMinutes: 5 } }).dedupeWindowMinutes).toBe(5);
  });
});
