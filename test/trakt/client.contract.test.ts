// Contract tests: the real TraktClient against the emulator over real HTTP on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TraktClient } from "../../src/trakt/client.js";
import { TraktError, isTraktError } from "../../src/trakt/errors.js";
import { catalogue } from "../../src/emulator/index.js";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

const guardians = catalogue.movies.find((m) => m.title === "Guardians of the Galaxy")!;
const onePiece = catalogue.shows.find((s) => s.title === "One Piece")!;
const onePieceEp = onePiece.episodes[0]!;

async function rejection(promise: Promise<unknown>): Promise<TraktError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TraktError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("headers and request log", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness();
  });

  it("sends the Trakt headers on every request and a bearer token on account calls only", async () => {
    await h.client.searchById("imdb", guardians.ids.imdb!, "movie");
    await h.client.userSettings(h.account);
    const [search, settings] = h.emulator.requests;
    for (const r of [search!, settings!]) {
      expect(r.headers["trakt-api-version"]).toBe("2");
      expect(r.headers["trakt-api-key"]).toBe(h.emulator.clientId);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["user-agent"]).toMatch(/^trakt-scrobblerd\/\d+\.\d+\.\d+/);
    }
    expect(search!.headers.authorization).toBeUndefined();
    expect(settings!.headers.authorization).toBe("Bearer ***");
    expect(settings!.user).toBe("alice");
  });

  it("a wrong client id is a config error naming the setting", async () => {
    const bad = new TraktClient({ apiUrl: h.emulator.url, clientId: "not-our-app", retry: { baseDelayMs: 1 } });
    const error = await rejection(bad.searchById("imdb", "tt2015381", "movie"));
    expect(error.kind).toBe("config");
    expect(error.status).toBe(403);
    expect(error.message).toContain("TRAKT_CLIENT_ID");
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe("device flow, refresh, revoke", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness({ login: false });
  });

  it("polls pending → slow_down → approved → already_used", async () => {
    const code = await h.client.deviceCode();
    expect(code.interval).toBe(5);
    expect(code.expires_in).toBe(600);
    expect(code.verification_url).toBe("https://trakt.tv/activate");
    expect(await h.client.pollDeviceToken(code.device_code)).toEqual({ status: "pending" });
    expect(await h.client.pollDeviceToken(code.device_code)).toEqual({ status: "slow_down" });
    h.emulator.advanceTime(5_000);
    h.emulator.approveDevice(code.user_code, "bob");
    const approved = await h.client.pollDeviceToken(code.device_code);
    expect(approved.status).toBe("approved");
    if (approved.status !== "approved") return;
    expect(approved.tokens.expires_in).toBe(7 * 24 * 3600);
    expect(Math.abs(approved.tokens.created_at * 1000 - h.emulator.now())).toBeLessThan(2_000);
    h.tokens.set("b", approved.tokens);
    expect((await h.client.userSettings("b")).user.username).toBe("bob");
    h.emulator.advanceTime(5_000);
    expect(await h.client.pollDeviceToken(code.device_code)).toEqual({ status: "already_used" });
  });

  it("reports invalid, denied and expired codes", async () => {
    expect(await h.client.pollDeviceToken("0".repeat(64))).toEqual({ status: "invalid" });
    const denied = await h.client.deviceCode();
    h.emulator.denyDevice(denied.user_code);
    expect(await h.client.pollDeviceToken(denied.device_code)).toEqual({ status: "denied" });
    const expired = await h.client.deviceCode();
    h.emulator.advanceTime(601_000);
    expect(await h.client.pollDeviceToken(expired.device_code)).toEqual({ status: "expired" });
  });

  it("refresh tokens are single use: the second exchange is invalid_grant", async () => {
    const first = h.emulator.issueTokens("alice");
    const second = await h.client.refreshToken(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const error = await rejection(h.client.refreshToken(first.refresh_token));
    expect(error.kind).toBe("invalid");
    expect(error.status).toBe(400);
    expect(error.oauthError).toBe("invalid_grant");
    expect(h.emulator.isRefreshTokenValid(second.refresh_token)).toBe(true);
  });

  it("revoking an access token makes account calls fail with auth_expired", async () => {
    const set = h.emulator.issueTokens("alice");
    h.tokens.set("a", set);
    await h.client.revokeToken(set.access_token);
    const error = await rejection(h.client.userSettings("a"));
    expect(error.kind).toBe("auth_expired");
  });
});

describe("401 on an account call", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness();
  });

  it("refreshes once and retries once with the new token", async () => {
    const old = h.tokens.sets.get(h.account)!;
    h.emulator.expireAccessToken(old.access_token);
    const settings = await h.client.userSettings(h.account);
    expect(settings.user.username).toBe("alice");
    expect(h.tokens.refreshCount).toBe(1);
    expect(h.tokens.sets.get(h.account)!.access_token).not.toBe(old.access_token);
    expect(h.emulator.requests.map((r) => `${r.path} ${r.status}`)).toEqual(["/users/settings 401", "/oauth/token 200", "/users/settings 200"]);
  });

  it("gives up with auth_expired when the refresh fails", async () => {
    const old = h.tokens.sets.get(h.account)!;
    h.emulator.expireAccessToken(old.access_token);
    h.emulator.revokeAccessToken(old.access_token); // also kills its refresh token
    const error = await rejection(h.client.userSettings(h.account));
    expect(error.kind).toBe("auth_expired");
    expect(error.message).toContain("log in again");
    expect(isTraktError(error.cause, "invalid")).toBe(true);
  });
});

describe("scrobbling", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness();
  });

  const movieBody = (progress: number) => ({ progress, movie: { ids: { imdb: guardians.ids.imdb! } } });

  it("start, pause, stop ≥ 80 → scrobble with a 64-bit history id", async () => {
    const start = await h.client.scrobble(h.account, "start", movieBody(1.25));
    expect(start.action).toBe("start");
    expect(start.movie?.ids.trakt).toBe(guardians.ids.trakt);
    expect(h.emulator.watching()).toEqual({ type: "movie", traktId: guardians.ids.trakt, progress: 1.25 });
    const pause = await h.client.scrobble(h.account, "pause", movieBody(40));
    expect(pause.action).toBe("pause");
    expect(h.emulator.playback()).toMatchObject([{ progress: 40, traktId: guardians.ids.trakt }]);
    const stop = await h.client.scrobble(h.account, "stop", movieBody(99.9));
    expect(stop.action).toBe("scrobble");
    expect(stop.id).toBeGreaterThan(2 ** 31);
    expect(h.emulator.playback()).toEqual([]);
    expect(h.emulator.history()).toMatchObject([{ id: stop.id, action: "scrobble", traktId: guardians.ids.trakt }]);
  });

  it("stop below 80 is a pause that saves progress", async () => {
    const stop = await h.client.scrobble(h.account, "stop", movieBody(50));
    expect(stop.action).toBe("pause");
    expect(h.emulator.history()).toEqual([]);
    const playback = await h.client.getPlayback(h.account);
    expect(playback).toMatchObject([{ progress: 50, type: "movie", movie: { ids: { trakt: guardians.ids.trakt } } }]);
  });

  it("a second stop inside the window is a conflict with watched_at/expires_at", async () => {
    await h.client.scrobble(h.account, "stop", movieBody(95));
    const error = await rejection(h.client.scrobble(h.account, "stop", movieBody(95)));
    expect(error.kind).toBe("conflict");
    expect(error.status).toBe(409);
    expect(error.conflict?.watchedAt).toBeInstanceOf(Date);
    expect(error.conflict!.expiresAt!.getTime() - error.conflict!.watchedAt!.getTime()).toBe(3_600_000);
    expect(h.emulator.requests.filter((r) => r.path === "/scrobble/stop")).toHaveLength(2); // never retried
    h.emulator.advanceTime(3_600_000);
    expect((await h.client.scrobble(h.account, "stop", movieBody(95))).action).toBe("scrobble");
  });

  it("progress below 1 is invalid (422); an unknown item is not_found (404)", async () => {
    expect((await rejection(h.client.scrobble(h.account, "start", movieBody(0.5)))).kind).toBe("invalid");
    const unknown = await rejection(h.client.scrobble(h.account, "start", { progress: 10, movie: { ids: { imdb: "tt0000111" } } }));
    expect(unknown.kind).toBe("not_found");
  });

  it("identifies an episode by its show's ids plus season and number", async () => {
    const res = await h.client.scrobble(h.account, "start", {
      progress: 10,
      show: { ids: { tvdb: onePiece.ids.tvdb! } },
      episode: { season: onePieceEp.season, number: onePieceEp.number },
    });
    expect(res.episode?.ids?.trakt).toBe(onePieceEp.ids.trakt);
    expect(res.show?.ids.slug).toBe("one-piece");
    expect(res.episode?.ids).not.toHaveProperty("imdb"); // null external ids are dropped
  });

  it("checkin, a second checkin conflicts with expires_at only, delete clears it", async () => {
    const checkin = await h.client.checkin(h.account, { movie: { ids: { trakt: guardians.ids.trakt } } });
    expect(checkin.id).toBeGreaterThan(2 ** 31);
    const error = await rejection(h.client.checkin(h.account, { movie: { ids: { trakt: guardians.ids.trakt } } }));
    expect(error.kind).toBe("conflict");
    expect(error.conflict?.expiresAt).toBeInstanceOf(Date);
    expect(error.conflict?.watchedAt).toBeUndefined();
    await h.client.deleteCheckin(h.account);
    expect((await h.client.checkin(h.account, { movie: { ids: { trakt: guardians.ids.trakt } } })).id).toBeGreaterThan(checkin.id);
  });
});

describe("search", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness();
  });

  it("by id returns the item with score null", async () => {
    const results = await h.client.searchById("tmdb", String(guardians.ids.tmdb), "movie");
    expect(results).toEqual([{ type: "movie", score: null, movie: { title: guardians.title, year: guardians.year, ids: guardians.ids } }]);
    expect(h.emulator.requests[0]!.query).toEqual({ type: "movie" });
  });

  it("by text escapes Solr characters and ranks the exact title first", async () => {
    const results = await h.client.searchText(["movie", "show"], "TRON: Legacy", { years: 2010, fields: ["title"] });
    expect(h.emulator.requests[0]!.query).toEqual({ query: "TRON\\: Legacy", years: "2010", fields: "title" });
    expect(results[0]).toMatchObject({ type: "movie", movie: { title: "TRON: Legacy" } });
    expect(results[0]!.score).toBeGreaterThan(0);
  });
});

describe("sync", () => {
  beforeEach(async () => {
    h = await startEmulatorHarness();
  });

  it("adds history honouring watched_at, pages through it, filters and removes", async () => {
    const batman = catalogue.movies.find((m) => m.title === "Batman Begins")!;
    const added = await h.client.addHistory(h.account, {
      movies: [
        { ids: { trakt: batman.ids.trakt }, watched_at: "2014-09-01T09:10:11.000Z" },
        { ids: { imdb: "tt0000111" } },
      ],
      episodes: [{ ids: { trakt: onePieceEp.ids.trakt }, watched_at: "2019-01-20T06:54:36.000Z" }],
      shows: [{ ids: { slug: "parks-and-recreation" }, seasons: [{ number: 2, episodes: [{ number: 1, watched_at: "2015-01-01T00:00:00.000Z" }] }] }],
    });
    expect(added.added).toEqual({ movies: 1, episodes: 2 });
    expect(added.not_found.movies).toEqual([{ ids: { imdb: "tt0000111" } }]);

    const page1 = await h.client.getHistory(h.account, { limit: 2 });
    expect(page1).toMatchObject({ page: 1, pageCount: 2, itemCount: 3 });
    expect(page1.items.map((e) => e.watched_at)).toEqual(["2019-01-20T06:54:36.000Z", "2015-01-01T00:00:00.000Z"]);
    const page2 = await h.client.getHistory(h.account, { limit: 2, page: 2 });
    expect(page2.items.map((e) => e.movie?.title)).toEqual(["Batman Begins"]);
    expect(page2.items[0]!.id).toBeGreaterThan(2 ** 31);

    const movies = await h.client.getHistory(h.account, { type: "movies", id: batman.ids.trakt });
    expect(movies.items).toHaveLength(1);
    const ranged = await h.client.getHistory(h.account, { startAt: new Date("2015-01-01T00:00:00Z"), endAt: new Date("2016-01-01T00:00:00Z") });
    expect(ranged.items.map((e) => e.episode?.title)).toEqual(["Pawnee Zoo"]);

    await h.client.removeHistory(h.account, { ids: [page2.items[0]!.id] });
    expect((await h.client.getHistory(h.account)).itemCount).toBe(2);
  });

  it("playback list and remove, last activities, settings", async () => {
    await h.client.scrobble(h.account, "pause", { progress: 33, movie: { ids: { trakt: guardians.ids.trakt } } });
    const [item] = await h.client.getPlayback(h.account, "movies");
    expect(item).toMatchObject({ progress: 33, type: "movie" });
    expect(await h.client.getPlayback(h.account, "episodes")).toEqual([]);
    await h.client.removePlayback(h.account, item!.id);
    expect(await h.client.getPlayback(h.account)).toEqual([]);
    expect((await rejection(h.client.removePlayback(h.account, item!.id))).kind).toBe("not_found");

    const activities = await h.client.lastActivities(h.account);
    expect(typeof activities.all).toBe("string");
    expect(activities.movies).toHaveProperty("paused_at");
    const settings = await h.client.userSettings(h.account);
    expect(settings.user.username).toBe("alice");
  });
});
