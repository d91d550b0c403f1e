// The Jellyfin/Emby adapter against the fake server (real HTTP and WebSocket on 127.0.0.1), once per dialect.
import { afterEach, describe, expect, it } from "vitest";
import type { AdapterStatus, ServerTokenSource } from "../../../src/players/adapter.js";
import { MediaServerAdapter, type MediaServerSettings, type MediaServerTiming } from "../../../src/players/mediabrowser/adapter.js";
import { EMBY, JELLYFIN } from "../../../src/players/mediabrowser/dialect.js";
import { captureLog, EventRecorder } from "../kodi/support.js";
import { FakeMediaServer, type Dialect, type FakeServerOptions, type FakeUser } from "./fake-server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FAST: Partial<MediaServerTiming> = { reconnectMinMs: 50, reconnectMaxMs: 400, verdictDelayMs: 100, tokenCheckMs: 100, attentionRetryMs: 60_000 };

interface Harness {
  server: FakeMediaServer;
  admin: FakeUser;
  adapter: MediaServerAdapter;
  events: EventRecorder;
  log: ReturnType<typeof captureLog>;
  status: () => AdapterStatus;
  until: (cond: () => boolean, what: string, timeoutMs?: number) => Promise<void>;
}

async function harness(
  dialect: Dialect,
  options: { server?: Partial<FakeServerOptions>; settings?: Partial<MediaServerSettings>; token?: (s: FakeMediaServer, admin: FakeUser) => string | undefined; serverTokens?: ServerTokenSource; timing?: Partial<MediaServerTiming>; start?: boolean } = {},
): Promise<Harness> {
  const server = await FakeMediaServer.start({ dialect, ...options.server });
  cleanups.push(() => server.close());
  const admin = server.addUser("foxx", { admin: true });
  const token = options.token ? options.token(server, admin) : server.apiKey();
  const events = new EventRecorder();
  const log = captureLog("debug");
  const adapter = new MediaServerAdapter(
    {
      dialect: dialect === "jellyfin" ? JELLYFIN : EMBY,
      settings: { url: server.url, token, users: { foxx: "default" }, defaultAccount: undefined, requestTimeoutSeconds: 2, maxMessageBytes: 1024 * 1024, ...options.settings },
      serverTokens: options.serverTokens,
      stateDir: "/tmp/scrobblerd-test-state",
      timing: { ...FAST, ...options.timing },
      log: log.logger,
    },
    { emit: events.emit, now: Date.now },
  );
  cleanups.push(() => adapter.stop());
  const status = (): AdapterStatus => adapter.status()[0]!;
  const until = async (cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; status ${JSON.stringify(status())}; log ${log.lines().map((l) => l.msg).join(" | ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  if (options.start !== false) {
    await adapter.start(new AbortController().signal);
    await until(() => server.subscriptions > 0 || status().state === "failed", "a subscription");
  }
  return { server, admin, adapter, events, log, status, until };
}

describe.each<Dialect>(["jellyfin", "emby"])("%s adapter", (dialect) => {
  it("follows a movie to its end: ids, position, the server's verdict after the stop", async () => {
    const h = await harness(dialect);
    const movie = h.server.addMovie("Batman Begins", 3_000);
    h.server.play({ user: h.admin, itemId: movie });
    const start = await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    expect(start).toMatchObject({ player: dialect, account: "default", durationMs: 3_000, hints: { kind: "movie", title: "Batman Begins", year: 2005, ids: { imdb: "tt0372784", tmdb: "272" } } });
    expect(start.sessionKey).toMatch(new RegExp(`/${h.admin.id}$`));
    const stop = await h.events.waitFor((e) => e.state === "stopped" && e.playerWatched === undefined, 0, 10_000, "stopped");
    expect(stop.progress).toBeGreaterThanOrEqual(99);
    const verdict = await h.events.waitFor((e) => e.playerWatched === true, 0, 5_000, "the verdict");
    expect(verdict).toMatchObject({ state: "stopped", sessionKey: start.sessionKey, account: "default", hints: start.hints });
    expect(h.server.userData(h.admin, movie).Played).toBe(true);
  });

  it("gives an episode the show's ids from its series", async () => {
    const h = await harness(dialect);
    const episode = h.server.addEpisode("Breaking Bad", 1, 1, 60 * 60_000);
    h.server.play({ user: h.admin, itemId: episode, positionMs: 120_000 });
    const start = await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    expect(start.hints).toMatchObject({
      kind: "episode",
      showTitle: "Breaking Bad",
      season: 1,
      episode: 1,
      ids: { imdb: "tt0959621", tmdb: "62085", tvdb: "349232" },
      showIds: { imdb: "tt0903747", tmdb: "1396", tvdb: "81189" },
    });
    expect(start.positionMs).toBeGreaterThanOrEqual(120_000);
    expect(start.positionMs).toBeLessThan(125_000);
  });

  it("reports pause, resume and seek at once", async () => {
    const h = await harness(dialect);
    const movie = h.server.addMovie("TRON: Legacy", 2 * 3_600_000);
    const playback = h.server.play({ user: h.admin, itemId: movie, positionMs: 60_000 });
    await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    let mark = h.events.mark();
    playback.pause();
    const paused = await h.events.waitFor((e) => e.state === "paused", mark, 3_000, "paused");
    expect(Math.abs(paused.positionMs! - playback.positionMs())).toBeLessThan(100);
    mark = h.events.mark();
    playback.resume();
    await h.events.waitFor((e) => e.state === "playing", mark, 3_000, "playing again");
    mark = h.events.mark();
    playback.seek(3_600_000);
    const sought = await h.events.waitFor((e) => e.state === "playing" && (e.positionMs ?? 0) >= 3_600_000, mark, 3_000, "playing after the seek");
    expect(sought.progress).toBeCloseTo(50, 0);
    expect(h.events.since(0).some((e) => e.state === "stopped")).toBe(false);
  });

  it("stops below the threshold where the server stopped, with no verdict (progress error measured)", async () => {
    const h = await harness(dialect);
    const movie = h.server.addMovie("Blade Runner 2049", 20 * 60_000);
    const playback = h.server.play({ user: h.admin, itemId: movie, positionMs: 0 });
    await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    playback.seek(8 * 60_000);
    await h.events.waitFor((e) => e.state === "playing" && (e.progress ?? 0) >= 40, 0, 3_000, "playing at 40 %");
    // Let it play on the server's clock for a while (Sessions every 1.5 s), then stop.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const serverMs = playback.stop();
    const serverPercent = (serverMs / (20 * 60_000)) * 100;
    const stopped = await h.events.waitFor((e) => e.state === "stopped", 0, 5_000, "stopped");
    const error = Math.abs(stopped.progress! - serverPercent);
    console.log(
      `${dialect} progress error at stop: reported ${stopped.progress!.toFixed(3)} % (${stopped.positionMs} ms) vs the server's ${serverPercent.toFixed(3)} % (${serverMs} ms) → ${error.toFixed(3)} points`,
    );
    expect(error).toBeLessThanOrEqual(1);
    // The server did not mark it played (a stop at 40 % of a long film): no verdict follows.
    await h.until(() => h.server.requests.filter((r) => r.path.includes(movie)).length >= 2, "the verdict read");
    expect(h.server.userData(h.admin, movie).Played).toBe(false);
    expect(h.events.since(0).some((e) => e.playerWatched)).toBe(false);
  });

  it("picks up what already plays when it connects (GET /Sessions: the feed says nothing until something changes)", async () => {
    const h = await harness(dialect, { start: false });
    const episode = h.server.addEpisode("The Office", 5, 14, 22 * 60_000);
    h.server.play({ user: h.admin, itemId: episode, positionMs: 300_000, paused: true });
    await h.adapter.start(new AbortController().signal);
    const paused = await h.events.waitFor((e) => e.state === "paused", 0, 5_000, "paused");
    expect(paused.hints).toMatchObject({ showTitle: "The Office", ids: { tvdb: "447981" } });
    expect(h.server.requests.some((r) => r.path === "/Sessions")).toBe(true);
  });

  it("routes two users to two accounts, ignores a third (said once), and shows every session in status", async () => {
    const h = await harness(dialect, { settings: { users: { foxx: "default", bob: "bob" } } });
    const bob = h.server.addUser("bob");
    const carol = h.server.addUser("carol");
    const movie = h.server.addMovie("Guardians of the Galaxy", 60 * 60_000);
    h.server.play({ user: h.admin, itemId: movie, device: "TV" });
    h.server.play({ user: bob, itemId: movie, device: "Phone" });
    h.server.play({ user: carol, itemId: movie, device: "Tablet" });
    await h.events.waitFor((e) => e.account === "bob", 0, 5_000, "bob's playing");
    await h.until(() => (h.status().sessions?.length ?? 0) === 3, "three sessions in status");
    const byUser = Object.fromEntries(h.status().sessions!.map((s) => [s.user, s]));
    expect(byUser.foxx).toMatchObject({ account: "default", state: "playing", item: "Guardians of the Galaxy (2014)" });
    expect(byUser.bob).toMatchObject({ account: "bob" });
    expect(byUser.carol).toMatchObject({ ignored: "user not mapped to a Trakt account" });
    expect(new Set(h.events.since(0).map((e) => e.account))).toEqual(new Set(["default", "bob"]));
    // An ignored user's plays cost no lookup.
    expect(h.server.requests.filter((r) => `${r.path}${r.query}`.includes(carol.id))).toEqual([]);
    expect(h.server.requests.filter((r) => `${r.path}${r.query}`.includes(bob.id)).length).toBeGreaterThan(0);
    // Two more Sessions messages with carol in them: still one line about her.
    const seen = h.server.sessionsMessages;
    await h.until(() => h.server.sessionsMessages >= seen + 2, "two more Sessions messages");
    expect(h.log.lines().filter((l) => l.msg.startsWith("ignoring plays of")).map((l) => l.msg)).toEqual([
      `ignoring plays of ${dialect === "jellyfin" ? "Jellyfin" : "Emby"} user 'carol': not mapped to a Trakt account (add it under ${dialect}.users, or set ${dialect}.defaultAccount)`,
    ]);
  });

  it("takes new users and default account live (a config reload) without reconnecting", async () => {
    const h = await harness(dialect, { settings: { users: {} } });
    const movie = h.server.addMovie("Batman Begins", 60 * 60_000);
    h.server.play({ user: h.admin, itemId: movie });
    await h.until(() => h.status().sessions?.[0]?.ignored === "user not mapped to a Trakt account", "ignored at first");
    const upgrades = h.server.upgrades;
    h.adapter.updateRouting({ users: {}, defaultAccount: "family" });
    const start = await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing once routed");
    expect(start.account).toBe("family");
    expect(h.server.upgrades).toBe(upgrades);
  });

  it("ignores theme media, trailers and music", async () => {
    const h = await harness(dialect);
    const theme = h.server.addOther(60_000, dialect === "emby" ? { IsThemeMedia: true } : { ExtraType: "ThemeVideo" });
    const trailer = h.server.addOther(60_000, { Type: "Trailer" });
    const song = h.server.addOther(60_000, { Type: "Audio", MediaType: "Audio" });
    h.server.play({ user: h.admin, itemId: theme, device: "a" });
    h.server.play({ user: h.admin, itemId: trailer, device: "b" });
    h.server.play({ user: h.admin, itemId: song, device: "c" });
    await h.until(() => (h.status().sessions?.length ?? 0) === 3, "three sessions in status");
    expect(h.status().sessions!.map((s) => s.ignored).sort()).toEqual([
      "Audio, not a movie or an episode",
      "Trailer, not a movie or an episode",
      dialect === "emby" ? "theme media" : "an extra (ThemeVideo)",
    ]);
    expect(h.events.events).toEqual([]);
  });

  it("goes on with one playback when the server restarts mid-play", async () => {
    const h = await harness(dialect);
    const movie = h.server.addMovie("Barry Lyndon", 3 * 3_600_000);
    const playback = h.server.play({ user: h.admin, itemId: movie, positionMs: 600_000 });
    const first = await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    const subscriptions = h.server.subscriptions;
    await h.server.restart(700);
    await h.until(() => h.server.subscriptions > subscriptions, "a new subscription after the restart");
    await h.until(() => h.status().state === "connected", "connected again");
    playback.stop();
    const stopped = await h.events.waitFor((e) => e.state === "stopped", 0, 5_000, "stopped");
    expect(stopped.sessionKey).toBe(first.sessionKey);
    expect(h.events.events.filter((e) => e.state === "stopped" && !e.playerWatched)).toHaveLength(1);
    expect(Math.abs(stopped.positionMs! - playback.positionMs())).toBeLessThan(2_000);
    expect(h.log.lines().some((l) => l.msg.includes("unavailable (connection lost)"))).toBe(true);
    expect(h.log.lines().some((l) => l.msg.endsWith("is back"))).toBe(true);
  });

  it("ignores garbage and absurdly nested messages and keeps following", async () => {
    const h = await harness(dialect);
    h.server.sendRaw("not json at all");
    h.server.sendRaw(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    h.server.sendRaw(`{"MessageType":"Sessions","Data":${"[".repeat(50_000)}${"]".repeat(50_000)}}`);
    h.server.sendRaw('{"MessageType":"Sessions","Data":{"not":"a list"}}');
    h.server.sendRaw('{"MessageType":"Sessions","Data":[{"Id":"x","NowPlayingItem":{"Id":"y","Type":"Movie","RunTimeTicks":-1}},"junk"]}');
    const movie = h.server.addMovie("Batman Begins", 60 * 60_000);
    h.server.play({ user: h.admin, itemId: movie });
    await h.events.waitFor((e) => e.state === "playing" && e.hints.title === "Batman Begins", 0, 5_000, "playing after the garbage");
    expect(h.log.lines().filter((l) => l.msg.includes("not one of its messages"))).toHaveLength(1);
    expect(h.status().state).toBe("connected");
  });

  it("drops a message over the size cap with the connection and connects again", async () => {
    const h = await harness(dialect, { settings: { maxMessageBytes: 256 * 1024 } });
    const subscriptions = h.server.subscriptions;
    h.server.sendRaw(JSON.stringify({ MessageType: "Sessions", Data: [{ Id: "x".repeat(512 * 1024) }] }));
    await h.until(() => h.server.subscriptions > subscriptions, "a new subscription");
    expect(h.log.lines().some((l) => l.msg.includes("larger than 262144 bytes"))).toBe(true);
    const movie = h.server.addMovie("Batman Begins", 60 * 60_000);
    h.server.play({ user: h.admin, itemId: movie });
    await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing after the reconnect");
  });

  it("a refused token: one clear error, failed status, no retry storm; a new stored login is picked up", async () => {
    let stored: string | undefined = "not-a-token-of-this-server";
    let tokenChecks = 0;
    const serverTokens: ServerTokenSource = {
      get: () => {
        tokenChecks += 1;
        return Promise.resolve(stored === undefined ? undefined : { token: stored, deviceId: "trakt-scrobblerd-test" });
      },
    };
    const h = await harness(dialect, { token: () => undefined, serverTokens });
    await h.until(() => h.status().state === "failed", "failed");
    expect(h.status().detail).toMatch(new RegExp(`refused the token \\(HTTP 401 on GET /Users/Me\\).*trakt-scrobblerd ${dialect} login`));
    const requests = h.server.requests.length;
    const checks = tokenChecks;
    await h.until(() => tokenChecks >= checks + 5, "five more token checks");
    expect(h.server.requests.length).toBe(requests);
    expect(h.log.lines().filter((l) => l.level === 50)).toHaveLength(1);
    stored = h.server.userToken(h.admin, "trakt-scrobblerd-test");
    await h.until(() => h.status().state === "connected", "connected with the new login");
    expect(h.status().detail).toContain("user foxx (administrator)");
  });

  it("a token revoked while connected: the connection ends and the adapter needs attention", async () => {
    let key = "";
    const h = await harness(dialect, { token: (s) => (key = s.apiKey()) });
    expect(h.status().state).toBe("connected");
    h.server.revoke(key);
    await h.until(() => h.status().state === "failed", "failed after the revocation");
  });

  it("no token at all: says how to get one", async () => {
    const h = await harness(dialect, { token: () => undefined });
    await h.until(() => h.status().state === "failed", "failed");
    expect(h.status().detail).toBe(`needs attention: no token: set ${dialect}.token (${dialect.toUpperCase()}_TOKEN) to an API key, or run \`trakt-scrobblerd ${dialect} login\``);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a server that never answers: a timeout, then quiet retries with backoff", async () => {
    const h = await harness(dialect, { start: false, settings: { requestTimeoutSeconds: 0.3 } });
    h.server.hanging = true;
    await h.adapter.start(new AbortController().signal);
    await h.until(() => h.status().state === "disconnected", "disconnected");
    expect(h.status().detail).toMatch(/did not answer GET \/System\/Info\/Public within 300 ms/);
    h.server.hanging = false;
    await h.until(() => h.status().state === "connected", "connected once it answers", 10_000);
    expect(h.log.lines().filter((l) => l.msg.endsWith("retrying quietly"))).toHaveLength(1);
  });
});

describe("Jellyfin versions", () => {
  it("10.9.0–10.10.5 with an API key: says to log in as an administrator instead", async () => {
    const h = await harness("jellyfin", { server: { version: "10.10.3" } });
    await h.until(() => h.status().state === "failed", "failed");
    expect(h.status().detail).toMatch(/10\.9\.0–10\.10\.5 sends the live sessions feed to administrators' logins only, not to API keys: run `trakt-scrobblerd jellyfin login`/);
    expect(h.server.upgrades).toBe(0);
  });

  it("10.10.3 with an administrator's login works", async () => {
    const h = await harness("jellyfin", { server: { version: "10.10.3" }, token: (s, admin) => s.userToken(admin) });
    await h.until(() => h.status().state === "connected", "connected");
    const movie = h.server.addMovie("Batman Begins", 60 * 60_000);
    h.server.play({ user: h.admin, itemId: movie });
    await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
  });

  it("10.8 reads items at /Users/{id}/Items/{id}", async () => {
    const h = await harness("jellyfin", { server: { version: "10.8.13" } });
    const episode = h.server.addEpisode("Breaking Bad", 1, 1, 60 * 60_000);
    h.server.play({ user: h.admin, itemId: episode });
    const start = await h.events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    expect(start.hints.showIds).toMatchObject({ tvdb: "81189" });
    expect(h.server.requests.some((r) => r.path.startsWith("/Items/"))).toBe(false);
    expect(h.server.requests.some((r) => r.path.startsWith("/Users/") && r.path.includes("/Items/"))).toBe(true);
  });

  it("an Emby server configured as Jellyfin is named as such", async () => {
    const server = await FakeMediaServer.start({ dialect: "emby" });
    cleanups.push(() => server.close());
    const log = captureLog();
    const adapter = new MediaServerAdapter(
      { dialect: JELLYFIN, settings: { url: server.url, token: server.apiKey(), users: {}, defaultAccount: undefined, requestTimeoutSeconds: 2, maxMessageBytes: 1 << 20 }, stateDir: "/tmp/x", timing: FAST, log: log.logger },
      { emit: () => undefined, now: Date.now },
    );
    cleanups.push(() => adapter.stop());
    await adapter.start(new AbortController().signal);
    const deadline = Date.now() + 5_000;
    while (adapter.status()[0]!.state !== "failed" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(adapter.status()[0]!.detail).toMatch(/is Emby Server, not Jellyfin: configure it under emby: instead of jellyfin:/);
  });
});

describe("the player the daemon runs (its code loaded at its first start)", () => {
  it("says starting until it starts, and takes a routing change made before the start", async () => {
    const { MediaServerPlayer } = await import("../../../src/players/mediabrowser/index.js");
    const server = await FakeMediaServer.start({ dialect: "jellyfin" });
    cleanups.push(() => server.close());
    const foxx = server.addUser("foxx", { admin: true });
    const events = new EventRecorder();
    const player = new MediaServerPlayer(
      { dialect: JELLYFIN, settings: { url: server.url, token: server.apiKey(), users: {}, defaultAccount: undefined, requestTimeoutSeconds: 2, maxMessageBytes: 1 << 20 }, stateDir: "/tmp/x", timing: FAST, log: captureLog().logger },
      { emit: events.emit, now: Date.now },
    );
    cleanups.push(() => player.stop());
    expect(player.status()).toEqual([{ name: "jellyfin", kind: "jellyfin", state: "starting" }]);
    player.updateRouting({ users: { foxx: "alice" }, defaultAccount: undefined });
    await player.start(new AbortController().signal);
    server.play({ user: foxx, itemId: server.addMovie("Batman Begins", 60 * 60_000) });
    const start = await events.waitFor((e) => e.state === "playing", 0, 5_000, "playing");
    expect(start.account).toBe("alice");
    await player.stop();
    expect(player.status()[0]!.state).toBe("stopped");
    expect(events.events.at(-1)!.state).toBe("stopped");
  });
});
