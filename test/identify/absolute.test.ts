// Absolute anime numbers: identified as the show's number_abs, and placed in a season and number for
// /sync/history by looking the show's seasons up once. Real client against the emulator over HTTP.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AbsoluteEpisodeResolver, withSeasonAndNumber } from "../../src/identify/absolute.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { catalogue } from "../../src/emulator/index.js";
import type { MediaItem } from "../../src/core/media.js";
import { Outbox } from "../../src/outbox/outbox.js";
import { isTraktError } from "../../src/trakt/errors.js";
import type { HistoryBody } from "../../src/trakt/types.js";
import { parseBody, showSeasonsSchema } from "../../src/trakt/parse.js";
import { readJsonFixture } from "../support/fixtures.js";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

const baki = catalogue.shows.find((s) => s.title === "Baki Hanma")!;
const madMen = catalogue.shows.find((s) => s.title === "Mad Men")!;

let h: Harness;
beforeEach(async () => {
  h = await startEmulatorHarness();
});
afterEach(async () => {
  await h?.close();
});

const seasonCalls = (): string[] => h.emulator.requests.filter((r) => /\/seasons$/.test(r.path)).map((r) => `${r.path}?extended=${r.query.extended}`);

describe("the seasons lookup", () => {
  it("parses Trakt's documented example: ids normalised, seasons in order, specials kept", () => {
    const seasons = parseBody(showSeasonsSchema, readJsonFixture("trakt", "shows.seasons.extended-episodes.response-200.json"), "t");
    expect(seasons.map((s) => s.number)).toEqual([0, 1, 2, 5]);
    expect(seasons[1]!.episodes[0]).toEqual({ season: 1, number: 1, title: "Winter Is Coming", ids: { imdb: "tt1480055", tmdb: 63056, trakt: 36440, tvdb: 3254641 } });
    // imdb "" and tvdb null are missing ids
    expect(seasons[3]!.episodes[0]!.ids).toEqual({ tmdb: 1001402, trakt: 63767 });
  });

  it("asks for full episodes (number_abs) once per show, and reuses the answer", async () => {
    const resolver = new AbsoluteEpisodeResolver({ api: h.client });
    expect(await resolver.resolve({ ids: { trakt: madMen.ids.trakt } }, 2)).toEqual({ season: 1, number: 2 });
    expect(await resolver.resolve({ ids: { trakt: madMen.ids.trakt } }, 1)).toEqual({ season: 1, number: 1 });
    expect(await resolver.resolve({ ids: { trakt: madMen.ids.trakt } }, 99)).toBeUndefined();
    expect(seasonCalls()).toEqual([`/shows/${madMen.ids.trakt}/seasons?extended=full,episodes`]);
  });

  it("asks again once the answer is old (new episodes air)", async () => {
    let now = 0;
    const resolver = new AbsoluteEpisodeResolver({ api: h.client, ttlMs: 1000, now: () => now });
    await resolver.resolve({ ids: { slug: madMen.ids.slug } }, 1);
    now = 999;
    await resolver.resolve({ ids: { slug: madMen.ids.slug } }, 1);
    now = 1000;
    await resolver.resolve({ ids: { slug: madMen.ids.slug } }, 1);
    expect(seasonCalls()).toHaveLength(2);
  });

  it("a show Trakt does not know places nothing; an unreachable Trakt throws and is asked again later", async () => {
    const resolver = new AbsoluteEpisodeResolver({ api: h.client });
    expect(await resolver.resolve({ ids: { trakt: 424242 } }, 1)).toBeUndefined();
    h.emulator.injectFault({ type: "status", status: 503 }, { path: /\/seasons$/, times: 10 });
    const error = await resolver.resolve({ ids: { trakt: baki.ids.trakt } }, 1).catch((e: unknown) => e);
    expect(isTraktError(error)).toBe(true);
    h.emulator.clearFaults();
    expect(await resolver.resolve({ ids: { trakt: baki.ids.trakt } }, 1)).toEqual({ season: 1, number: 1 });
  });
});

describe("from file name to history", () => {
  it("an absolute-numbered file is scrobbled by number_abs, and replayed to /sync/history with its season and number", async () => {
    const identifier = new TraktIdentifier({ api: h.client, config: { overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9 } });
    const result = await identifier.identify({ path: "/anime/Baki Hanma/[SubsPlease] Baki Hanma - 01 (1080p) [ABCD1234].mkv" });
    expect(result.ok, result.ok ? "" : result.reason).toBe(true);
    const [item] = result.ok ? result.items : [];
    expect(item).toEqual({ type: "episode", show: expect.objectContaining({ ids: expect.objectContaining({ trakt: baki.ids.trakt }) }), episode: { number_abs: 1 } });

    // /scrobble takes the absolute number as it is
    const scrobbled = await h.client.scrobble(h.account, "start", { ...(item as Extract<MediaItem, { type: "episode" }>), progress: 1 });
    expect(scrobbled.episode).toMatchObject({ season: 1, number: 1 });

    // /sync/history needs the season and number
    const resolver = new AbsoluteEpisodeResolver({ api: h.client });
    const placed = await withSeasonAndNumber(item!, resolver);
    expect(placed).toMatchObject({ type: "episode", episode: { season: 1, number: 1, number_abs: 1 } });
    const p = placed as Extract<MediaItem, { type: "episode" }>;
    const added = await h.client.addHistory(h.account, {
      shows: [{ ids: p.show!.ids, seasons: [{ number: p.episode.season!, episodes: [{ number: p.episode.number!, watched_at: "2024-01-01T00:00:00.000Z" }] }] }],
    });
    expect(added.added.episodes).toBe(1);
    expect(h.emulator.history().map((e) => e.traktId)).toContain(baki.episodes[0]!.ids.trakt);
  });

  it("items that need nothing are returned as they are, without a request", async () => {
    const resolver = new AbsoluteEpisodeResolver({ api: h.client });
    const movie: MediaItem = { type: "movie", movie: { ids: { trakt: 28 } } };
    const episode: MediaItem = { type: "episode", show: { ids: { trakt: 1 } }, episode: { season: 1, number: 1 } };
    expect(await withSeasonAndNumber(movie, resolver)).toBe(movie);
    expect(await withSeasonAndNumber(episode, resolver)).toBe(episode);
    expect(await withSeasonAndNumber({ type: "episode", show: { ids: { trakt: madMen.ids.trakt } }, episode: { number_abs: 77 } }, resolver)).toBeUndefined();
    expect(seasonCalls()).toHaveLength(1);
  });
});

describe("through the outbox", () => {
  const watched = (path: string, id: string) => {
    const at = Date.now() - 3_600_000;
    return { id, kind: "watched" as const, player: "mpv:test", sessionKey: id, playthroughId: `pt-${id}`, progress: 95, hints: { path }, createdAt: at, endedAt: at };
  };

  it("a watch of an absolute-numbered episode goes to /sync/history with its season and number; one Trakt cannot place is a dead letter", async () => {
    const dir = await mkdtemp(join(tmpdir(), "outbox-abs-"));
    const identifier = new TraktIdentifier({ api: h.client, config: { overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9 } });
    const outbox = await Outbox.open({ dir, api: h.client, identifier, defaultAccount: h.account });
    try {
      await outbox.submit(watched("/anime/Baki Hanma/[SubsPlease] Baki Hanma - 01 (1080p) [ABCD1234].mkv", "abs-1"));
      await outbox.submit(watched("/anime/Baki Hanma/[SubsPlease] Baki Hanma - 977 (1080p) [ABCD1234].mkv", "abs-977"));
      await outbox.drain();
      await outbox.idle();
      const added = h.emulator.requests.filter((r) => r.path === "/sync/history" && r.method === "POST").map((r) => r.body as HistoryBody);
      expect(added.flatMap((b) => b.shows ?? []).flatMap((s) => s.seasons ?? []).map((s) => [s.number, s.episodes?.map((e) => e.number)])).toEqual([[1, [1]]]);
      expect(h.emulator.history().map((e) => e.traktId)).toEqual([baki.episodes[0]!.ids.trakt]);
      expect(outbox.list().deadLetters.map((d) => [d.id, d.dead?.reason])).toEqual([["abs-977", "not_found"]]);
    } finally {
      await outbox.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
