// The emulator on its own, spoken to with plain fetch: header checks, Trakt's documented status codes and
// response headers, multi-user state, fault matching and the control API.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { captureLogger } from "../support/emulator.js";
import { readJsonFixture } from "../support/fixtures.js";

let emu: Emulator;
let token: string;

beforeEach(async () => {
  emu = await startTraktEmulator({ writeLimitMs: 0 });
  token = emu.issueTokens("alice").access_token;
});
afterEach(async () => {
  await emu.close();
});

function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "trakt-api-version": "2",
    "trakt-api-key": emu.clientId,
    ...options.headers,
  };
  const auth = options.auth === undefined ? token : options.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  const init: RequestInit = { method, headers };
  if (options.body !== undefined) init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return fetch(emu.url + path, init);
}

const fixture = (name: string): unknown => readJsonFixture("trakt", name);

describe("header checks", () => {
  it("binds 127.0.0.1 on a free port", () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.port).toBeGreaterThan(0);
  });

  it("403 for a missing or wrong trakt-api-key, 412 for a missing version or a non-JSON content type", async () => {
    expect((await call("GET", "/users/settings", { headers: { "trakt-api-key": "wrong" } })).status).toBe(403);
    const noKey = await fetch(`${emu.url}/users/settings`, { headers: { "trakt-api-version": "2" } });
    expect(noKey.status).toBe(403);
    expect((await call("GET", "/users/settings", { headers: { "trakt-api-version": "1" } })).status).toBe(412);
    const form = await call("POST", "/scrobble/start", { headers: { "content-type": "text/plain" }, body: '{"progress":5}' });
    expect(form.status).toBe(412);
  });

  it("401 without a token, 405 for a wrong method, 404 for an unknown path, 400 for broken JSON", async () => {
    expect((await call("GET", "/users/settings", { auth: null })).status).toBe(401);
    expect((await call("GET", "/scrobble/start")).status).toBe(405);
    expect((await call("GET", "/no/such/thing")).status).toBe(404);
    expect((await call("POST", "/scrobble/start", { body: "{not json" })).status).toBe(400);
  });

  it("an expired access token gets 401", async () => {
    const short = emu.issueTokens("alice", { lifetimeSec: 60 });
    expect((await call("GET", "/users/settings", { auth: short.access_token })).status).toBe(200);
    emu.advanceTime(60_000);
    expect((await call("GET", "/users/settings", { auth: short.access_token })).status).toBe(401);
    expect((await call("GET", "/users/settings")).status).toBe(200); // the 7-day token is still fine
  });
});

describe("OAuth", () => {
  const oauth = (path: string, body: Record<string, unknown>) =>
    call("POST", path, { auth: null, body: { client_id: emu.clientId, client_secret: emu.clientSecret, ...body } });

  it("device token polling follows the documented codes", async () => {
    const code = (await (await oauth("/oauth/device/code", {})).json()) as { device_code: string; user_code: string };
    expect(code.user_code).toMatch(/^[0-9A-F]{8}$/);
    expect(emu.lastUserCode()).toBe(code.user_code);
    expect((await oauth("/oauth/device/token", { code: code.device_code })).status).toBe(400);
    expect((await oauth("/oauth/device/token", { code: code.device_code })).status).toBe(429);
    emu.advanceTime(5_000);
    emu.approveDevice(code.user_code, "carol");
    const ok = await oauth("/oauth/device/token", { code: code.device_code });
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; expires_in: number; created_at: number };
    expect(tokens.expires_in).toBe(604_800);
    expect((await (await call("GET", "/users/settings", { auth: tokens.access_token })).json()) as object).toMatchObject({ user: { username: "carol" } });
    emu.advanceTime(5_000);
    expect((await oauth("/oauth/device/token", { code: code.device_code })).status).toBe(409);
    expect((await oauth("/oauth/device/token", { code: "nope" })).status).toBe(404);
    expect((await oauth("/oauth/device/token", { code: code.device_code, client_secret: "wrong" })).status).toBe(401);
  });

  it("autoApproveDevices approves new codes at once (demo mode)", async () => {
    const demo = await startTraktEmulator({ autoApproveDevices: "dave" });
    try {
      const post = (path: string, body: Record<string, unknown>) =>
        fetch(`${demo.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_id: demo.clientId, client_secret: demo.clientSecret, ...body }),
        });
      const code = (await (await post("/oauth/device/code", {})).json()) as { device_code: string };
      const tokens = await post("/oauth/device/token", { code: code.device_code });
      expect(tokens.status).toBe(200);
      expect(demo.requests.at(-1)?.path).toBe("/oauth/device/token");
      const { access_token } = (await tokens.json()) as { access_token: string };
      const settings = await fetch(`${demo.url}/users/settings`, {
        headers: { "trakt-api-key": demo.clientId, "trakt-api-version": "2", authorization: `Bearer ${access_token}` },
      });
      expect(await settings.json()).toMatchObject({ user: { username: "dave" } });
    } finally {
      await demo.close();
    }
  });

  it("refresh tokens are single use; the error status is configurable (400 now, 401 in older docs)", async () => {
    const first = emu.issueTokens("alice");
    const ok = await oauth("/oauth/token", { refresh_token: first.refresh_token, grant_type: "refresh_token", redirect_uri: "urn:ietf:wg:oauth:2.0:oob" });
    expect(ok.status).toBe(200);
    const again = await oauth("/oauth/token", { refresh_token: first.refresh_token, grant_type: "refresh_token" });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: "invalid_grant", error_description: "session not found" });

    const old = await startTraktEmulator({ refreshErrorStatus: 401 });
    try {
      const res = await fetch(`${old.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id: old.clientId, client_secret: old.clientSecret, grant_type: "refresh_token", refresh_token: "unknown" }),
      });
      expect(res.status).toBe(401);
    } finally {
      await old.close();
    }
  });
});

describe("scrobble and sync semantics", () => {
  it("progress above 100 is 422; an episode by show title + season/number is matched", async () => {
    expect((await call("POST", "/scrobble/start", { body: { progress: 101, movie: { ids: { trakt: 28 } } } })).status).toBe(422);
    const res = await call("POST", "/scrobble/start", { body: { progress: 3, show: { title: "Futurama" }, episode: { season: 2, number: 15 } } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ action: "start", episode: { title: "A Clone of My Own", ids: { imdb: null } }, show: { ids: { tvdb: 73871 } } });
  });

  it("an episode by show ids + number_abs is matched (Trakt's anime variant)", async () => {
    const res = await call("POST", "/checkin", { body: { show: { ids: { slug: "baki-hanma" } }, episode: { number_abs: 1 } } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ episode: { season: 1, number: 1, number_abs: 1, ids: { tvdb: 8530933 } } });
  });

  it("the fixture's history add request resolves what the catalogue knows and lists the rest as not_found", async () => {
    const res = await call("POST", "/sync/history", { body: fixture("sync.history.add.request.json") });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { added: { movies: number; episodes: number }; not_found: Record<string, unknown[]> };
    // Batman Begins; Breaking Bad (2 catalogued episodes), Walking Dead S3 (2), Mad Men S1E1+E2 (2)
    expect(body.added).toEqual({ movies: 1, episodes: 6 });
    expect(body.not_found.movies).toEqual([{ ids: { imdb: "tt0000111" } }]);
    expect(body.not_found.episodes).toHaveLength(1);
    expect(body.not_found.seasons).toHaveLength(1);
    const madMen = emu.history().filter((h) => h.title.startsWith("Mad Men"));
    expect(madMen.map((h) => h.watchedAt)).toContain("2014-09-01T09:10:11.000Z");
  });

  it("history is per user and pages carry X-Pagination headers", async () => {
    const bob = emu.issueTokens("bob").access_token;
    await call("POST", "/sync/history", { body: { movies: [{ ids: { trakt: 28 } }, { ids: { trakt: 1 } }, { ids: { trakt: 12601 } }] } });
    const res = await call("GET", "/sync/history/movies?limit=2&page=2");
    expect(res.headers.get("x-pagination-page")).toBe("2");
    expect(res.headers.get("x-pagination-limit")).toBe("2");
    expect(res.headers.get("x-pagination-page-count")).toBe("2");
    expect(res.headers.get("x-pagination-item-count")).toBe("3");
    expect((await res.json()) as unknown[]).toHaveLength(1);
    const bobs = await call("GET", "/sync/history", { auth: bob });
    expect(await bobs.json()).toEqual([]);
    expect(emu.history("bob")).toEqual([]);
    expect(emu.history("alice")).toHaveLength(3);
  });

  it("the per-user write limit answers 429 with Retry-After and X-Ratelimit", async () => {
    const limited = await startTraktEmulator();
    try {
      const t = limited.issueTokens().access_token;
      const post = () =>
        fetch(`${limited.url}/scrobble/start`, {
          method: "POST",
          headers: { "content-type": "application/json", "trakt-api-version": "2", "trakt-api-key": limited.clientId, authorization: `Bearer ${t}` },
          body: JSON.stringify({ progress: 5, movie: { ids: { trakt: 28 } } }),
        });
      expect((await post()).status).toBe(201);
      const second = await post();
      expect(second.status).toBe(429);
      expect(second.headers.get("retry-after")).toBe("1");
      expect(JSON.parse(second.headers.get("x-ratelimit")!)).toMatchObject({ name: "AUTHED_API_POST_LIMIT", limit: 1, remaining: 0 });
      limited.advanceTime(1_000);
      expect((await post()).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe("search", () => {
  it("id lookup honours type and finds episodes with their show", async () => {
    const res = await call("GET", "/search/tvdb/447981?type=episode", { auth: null });
    expect(await res.json()).toEqual([
      expect.objectContaining({ type: "episode", score: null, episode: expect.objectContaining({ title: "Lecture Circuit (1)" }), show: expect.objectContaining({ title: "The Office" }) }),
    ]);
    expect(await (await call("GET", "/search/tvdb/447981?type=movie", { auth: null })).json()).toEqual([]);
  });

  it("text search ranks by relevance, filters years, and drops types not asked for", async () => {
    const res = await call("GET", `/search/movie,show?query=${encodeURIComponent("tron legacy")}`, { auth: null });
    const results = (await res.json()) as { type: string; score: number; movie?: { title: string }; show?: { title: string } }[];
    expect(results.map((r) => r.movie?.title ?? r.show?.title)).toEqual(["TRON: Legacy", "Tron: Uprising"]);
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
    const in2012 = (await (await call("GET", "/search/movie,show?query=tron&years=2012", { auth: null })).json()) as unknown[];
    expect(in2012).toHaveLength(1);
  });
});

describe("faults and control API", () => {
  it("faults match by method and path and are consumed", async () => {
    emu.injectFault({ type: "status", status: 503, body: "busy" }, { method: "POST", path: /^\/scrobble\//, times: 2 });
    expect((await call("GET", "/users/settings")).status).toBe(200);
    expect((await call("POST", "/scrobble/start", { body: { progress: 5, movie: { ids: { trakt: 28 } } } })).status).toBe(503);
    expect(emu.pendingFaults()).toBe(1);
    emu.clearFaults();
    expect((await call("POST", "/scrobble/start", { body: { progress: 5, movie: { ids: { trakt: 28 } } } })).status).toBe(201);
  });

  it("mode: /scrobble/pause refused (400) until cleared; stop and start still work", async () => {
    emu.refusePause();
    const body = { progress: 40, movie: { ids: { trakt: 28 } } };
    for (let n = 0; n < 3; n++) {
      const res = await call("POST", "/scrobble/pause", { body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "bad_request" });
    }
    expect((await call("POST", "/scrobble/start", { body })).status).toBe(201);
    expect((await call("POST", "/scrobble/stop", { body })).status).toBe(201);
    expect(emu.playback("alice")).toMatchObject([{ progress: 40, traktId: 28 }]);
    emu.clearFaults();
    expect((await call("POST", "/scrobble/pause", { body })).status).toBe(201);
  });

  it("mode: id lookups answer an empty list, for one id kind or all, until cleared; text search is untouched", async () => {
    const lookup = async (path: string): Promise<unknown> => {
      const res = await call("GET", path, { auth: null });
      expect(res.status).toBe(200);
      return res.json();
    };
    emu.emptyIdSearch("imdb");
    expect(await lookup("/search/imdb/tt1355876?type=episode")).toEqual([]);
    expect(await lookup("/search/tvdb/447981?type=episode")).toHaveLength(1);
    emu.emptyIdSearch();
    expect(await lookup("/search/imdb/tt1355876?type=episode")).toEqual([]);
    expect(await lookup("/search/tvdb/447981?type=episode")).toEqual([]);
    const res = await call("GET", "/search/tmdb/62799?type=episode", { auth: null });
    expect(res.headers.get("x-pagination-item-count")).toBe("0");
    expect(await lookup(`/search/movie?query=${encodeURIComponent("tron legacy")}`)).not.toEqual([]);
    emu.clearFaults();
    expect(await lookup("/search/imdb/tt1355876?type=episode")).toHaveLength(1);
  });

  it("a Cloudflare fault answers an HTML page", async () => {
    emu.injectFault({ type: "cloudflare", status: 521 });
    const res = await call("GET", "/users/settings");
    expect(res.status).toBe(521);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("cloudflare");
  });

  it("the request log masks the bearer token and waitForRequest resolves on a later request", async () => {
    const waiting = emu.waitForRequest((r) => r.path === "/sync/last_activities");
    await call("GET", "/sync/last_activities");
    const r = await waiting;
    expect(r).toMatchObject({ method: "GET", status: 200, user: "alice", headers: { authorization: "Bearer ***" } });
    expect(JSON.stringify(emu.requests)).not.toContain(token);
    emu.clearRequests();
    expect(emu.requests).toEqual([]);
  });

  it("onRequest listeners and the optional logger see every finished request", async () => {
    const { logger, lines } = captureLogger();
    const logged = await startTraktEmulator({ logger });
    try {
      const seen: string[] = [];
      const off = logged.onRequest((r) => seen.push(`${r.method} ${r.path} ${r.status}`));
      await fetch(`${logged.url}/search/trakt/28?type=movie`, { headers: { "trakt-api-key": logged.clientId, "trakt-api-version": "2" } });
      off();
      await fetch(`${logged.url}/search/trakt/1?type=movie`, { headers: { "trakt-api-key": logged.clientId, "trakt-api-version": "2" } });
      expect(seen).toEqual(["GET /search/trakt/28 200"]);
      expect(lines.filter((l) => l.includes('"component":"trakt-emulator"'))).toHaveLength(2);
    } finally {
      await logged.close();
    }
  });

  it("outage refuses connections and cuts in-flight ones; recovery listens on the same port", async () => {
    emu.injectFault({ type: "latency", ms: 10_000 });
    const arrived = emu.waitForArrival((r) => r.path === "/users/settings");
    const inFlight = call("GET", "/users/settings").then(
      () => "answered",
      () => "cut",
    );
    await arrived;
    await emu.outage();
    expect(await inFlight).toBe("cut");
    await expect(call("GET", "/users/settings")).rejects.toThrow();
    await emu.recover();
    expect((await call("GET", "/users/settings")).status).toBe(200);
  });
});
