// Trakt's real example bodies (test/fixtures/trakt)
// go through the client's parsers and come out as the typed results.
import { describe, expect, it } from "vitest";
import { parseConflict } from "../../src/trakt/http-errors.js";
import {
  checkinResponseSchema,
  deviceCodeSchema,
  historyAddResultSchema,
  historyEntriesSchema,
  historyRemoveResultSchema,
  lastActivitiesSchema,
  parseBody,
  playbackSchema,
  scrobbleResponseSchema,
  searchResultsSchema,
  tokenSetSchema,
  userSettingsSchema,
} from "../../src/trakt/parse.js";
import { readJsonFixture } from "../support/fixtures.js";

const fixture = (name: string): unknown => readJsonFixture("trakt", name);

describe("Trakt example bodies parse into typed results", () => {
  it("oauth device code and tokens", () => {
    const code = parseBody(deviceCodeSchema, fixture("oauth.device.code.response-200.json"), "t");
    expect(code).toMatchObject({ user_code: "5055CC52", interval: 5, expires_in: 600 });
    for (const name of ["oauth.device.token.response-200.json", "oauth.token.refresh.response-200.json"]) {
      const tokens = parseBody(tokenSetSchema, fixture(name), "t");
      expect(tokens).toMatchObject({ token_type: "bearer", scope: "public", created_at: 1487889741, expires_in: 7200 });
    }
  });

  it("scrobble responses, including the stop example that is really a pause", () => {
    const start = parseBody(scrobbleResponseSchema, fixture("scrobble.start.response-201.episode.json"), "t");
    expect(start).toMatchObject({ action: "start", progress: 10, show: { ids: { slug: "one-piece", trakt: 37696 } } });
    // null external ids are dropped, present ones kept
    expect(start.episode?.ids).toEqual({ trakt: 856373, tvdb: 362082 });
    const pause = parseBody(scrobbleResponseSchema, fixture("scrobble.pause.response-201.movie.json"), "t");
    expect(pause).toMatchObject({ action: "pause", progress: 75, movie: { ids: { trakt: 28, imdb: "tt2015381" } } });
    const stop = parseBody(scrobbleResponseSchema, fixture("scrobble.stop.response-201.as-in-openapi.json"), "t");
    expect(stop.action).toBe("pause");
  });

  it("conflict bodies of scrobble/stop and checkin", () => {
    const stop = parseConflict(fixture("scrobble.stop.response-409.json"));
    expect(stop.watchedAt?.toISOString()).toBe("2014-10-15T22:21:29.000Z");
    expect(stop.expiresAt?.toISOString()).toBe("2014-10-15T23:21:29.000Z");
    const checkin = parseConflict(fixture("checkin.response-409.json"));
    expect(checkin).toEqual({ expiresAt: new Date("2014-10-15T22:21:29.000Z") });
  });

  it("checkin response keeps its 64-bit id exactly", () => {
    const checkin = parseBody(checkinResponseSchema, fixture("checkin.response-201.episode.json"), "t");
    expect(checkin.id).toBe(3373536622);
    expect(checkin.episode).toMatchObject({ season: 9, number: 21 });
  });

  it("search results: id lookup has score null, text search floats; persons and lists are kept as types", () => {
    const byId = parseBody(searchResultsSchema, fixture("search.id-lookup.response-200.json"), "t");
    expect(byId).toEqual([{ type: "movie", score: null, movie: { title: "TRON: Legacy", year: 2010, ids: { trakt: 12601, slug: "tron-legacy-2010", imdb: "tt1104001", tmdb: 20526 } } }]);
    const text = parseBody(searchResultsSchema, fixture("search.text-query.response-200.json"), "t");
    expect(text.map((r) => [r.type, r.score])).toEqual([
      ["movie", 26.019499],
      ["show", 19.533358],
      ["episode", 42.50835],
      ["person", 53.421608],
      ["list", 38.643196],
    ]);
    expect(text[2]!.episode?.ids).toEqual({ trakt: 793693, tmdb: 786460, tvdb: 4318713 });
  });

  it("history add/remove/get", () => {
    const added = parseBody(historyAddResultSchema, fixture("sync.history.add.response-201.json"), "t");
    expect(added).toEqual({ added: { movies: 2, episodes: 72 }, not_found: { movies: [{ ids: { imdb: "tt0000111" } }], shows: [], seasons: [], episodes: [] } });
    const removed = parseBody(historyRemoveResultSchema, fixture("sync.history.remove.response-200.json"), "t");
    expect(removed.deleted).toEqual({ movies: 2, episodes: 72 });
    expect(removed.not_found?.ids).toEqual([23, 42]);
    const entries = parseBody(historyEntriesSchema, fixture("sync.history.get.episodes.response-200.json"), "t");
    expect(entries.map((e) => e.action)).toEqual(["scrobble", "checkin", "watch"]);
    expect(entries[0]).toMatchObject({ id: 1982346, type: "episode", show: { title: "Parks and Recreation" } });
  });

  it("playback drops the empty-string imdb id", () => {
    const playback = parseBody(playbackSchema, fixture("sync.playback.response-200.json"), "t");
    expect(playback.map((p) => [p.type, p.progress])).toEqual([
      ["movie", 10],
      ["episode", 65.5],
    ]);
    expect(playback[1]!.episode?.ids).toEqual({ trakt: 1, tmdb: 62131, tvdb: 3859781 });
  });

  it("last activities and user settings", () => {
    const activities = parseBody(lastActivitiesSchema, fixture("sync.last_activities.response-200.json"), "t");
    expect(activities.all).toBe("2014-11-20T07:01:32.000Z");
    const settings = parseBody(userSettingsSchema, fixture("users.settings.response-200.json"), "t");
    expect(settings.user).toMatchObject({ username: "justin", vip: true, ids: { slug: "justin" } });
    expect(settings.account?.timezone).toBe("America/Los_Angeles");
  });

  it("ids above 2^31 survive as exact numbers", () => {
    const big = 2 ** 33 + 7;
    const [entry] = parseBody(historyEntriesSchema, [{ id: big, watched_at: "2020-01-01T00:00:00.000Z", action: "scrobble", type: "movie", movie: { ids: { trakt: 1 } } }], "t");
    expect(entry!.id).toBe(big);
  });

  it("a body of the wrong shape is a bad_response naming the field, not quoting the body", () => {
    expect(() => parseBody(tokenSetSchema, { access_token: "secret-value-123", refresh_token: 5 }, "POST /oauth/token")).toThrow(
      expect.objectContaining({ kind: "bad_response", message: expect.not.stringContaining("secret-value-123") }),
    );
  });
});
