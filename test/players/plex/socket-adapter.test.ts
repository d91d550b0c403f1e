// The Plex notification-socket adapter against a fake Plex Media Server built from the real captures
// (test/support/fake-plex.ts): what it reports, how it finds who plays what, and how it behaves when the server or
// its frames misbehave.
import { afterEach, describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { FollowedPlexServers } from "../../../src/players/plex/followed.js";
import { PlexSocketAdapter, type PlexSocketAdapterTiming, type PlexToken } from "../../../src/players/plex/socket-adapter.js";
import { DEFAULT_PLAYER, FakePlex, MACHINE_ID, OWNER, OWNER_TOKEN, RATING_KEYS, SHARED_TOKEN } from "../../support/fake-plex.js";
import { captureLog } from "../kodi/support.js";

let plex: FakePlex | undefined;
let adapter: PlexSocketAdapter | undefined;

afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  await plex?.close();
  plex = undefined;
});

const FAST: Partial<PlexSocketAdapterTiming> = {
  connectTimeoutMs: 500,
  heartbeatMs: 1_000,
  requestTimeoutMs: 500,
  progressIntervalMs: 15_000,
  reconnect: { initialMs: 50, maxMs: 400, jitter: 0 },
  authRetry: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
  tokenPollMs: 50,
};

interface Harness {
  events: PlaybackEvent[];
  log: ReturnType<typeof captureLog>;
  followed: FollowedPlexServers;
  token: { current: string | undefined };
  next(pred: (e: PlaybackEvent) => boolean, what: string, timeoutMs?: number): Promise<PlaybackEvent>;
}

function start(
  server: FakePlex,
  options: { token?: string | undefined; users?: Record<string, string>; defaultAccount?: string; checkMs?: number; timing?: Partial<PlexSocketAdapterTiming> } = {},
): Harness {
  const events: PlaybackEvent[] = [];
  const log = captureLog("debug");
  const followed = new FollowedPlexServers();
  const token = { current: "token" in options ? options.token : OWNER_TOKEN };
  const waiters = new Set<() => void>();
  adapter = new PlexSocketAdapter(
    {
      server: "home",
      url: server.url,
      token: (): Promise<PlexToken | undefined> => Promise.resolve(token.current === undefined ? undefined : { token: token.current, from: "the test" }),
      settings: { users: options.users ?? {}, players: [], checkMs: options.checkMs ?? 60_000, ...(options.users ? {} : { defaultAccount: options.defaultAccount ?? "alice" }) },
      followed,
      log: log.logger,
      timing: { ...FAST, ...options.timing },
    },
    {
      emit: (e) => {
        events.push(e);
        for (const wake of waiters) wake();
      },
      now: Date.now,
    },
  );
  void adapter.start(new AbortController().signal);
  return {
    events,
    log,
    followed,
    token,
    next: (pred, what, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.find(pred);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; events: ${events.map((e) => `${e.state}@${e.positionMs}`).join(", ")}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const connected = (): boolean => adapter?.status()[0]?.state === "connected" && (plex?.clients ?? 0) > 0;

describe("Plex notification-socket adapter", () => {
  it("picks up an episode already playing and identifies it with its own ids and its show's (through grandparentRatingKey)", async () => {
    plex = await FakePlex.start();
    plex.play({ ratingKey: RATING_KEYS.episode, viewOffset: 622_000, state: "paused" });
    const h = start(plex);
    const paused = await h.next((e) => e.state === "paused", "the session playing at start-up");
    expect(paused).toMatchObject({ player: "plex:home", positionMs: 622_000, durationMs: 1_320_000, account: "alice" });
    expect(paused.hints).toMatchObject({
      kind: "episode",
      showTitle: "Bob's Burgers",
      season: 9,
      episode: 15,
      guids: ["plex://episode/5de8dbdf18b6d6001db44001", "imdb://tt9413736", "tmdb://1707381", "tvdb://7047159"],
      showIds: { imdb: "tt1561755", tmdb: "32726", tvdb: "194031" },
    });
    // The token travels in the X-Plex-Token header, never in a URL that could be logged.
    expect(plex.requests.every((r) => r.token === OWNER_TOKEN && !r.path.includes(OWNER_TOKEN))).toBe(true);
    expect(plex.requests.map((r) => r.path)).toEqual(expect.arrayContaining(["/", "/:/websockets/notifications", "/status/sessions", `/library/metadata/${RATING_KEYS.episode}`, `/library/metadata/${RATING_KEYS.show}`]));
    // The webhook adapter learns which server this is (a webhook's Server.uuid).
    expect(h.followed.has(MACHINE_ID)).toBe(true);
    const status = adapter!.status()[0]!;
    expect(status).toMatchObject({ name: "plex:home", kind: "plex", state: "connected" });
    expect(status.sessions).toEqual([{ id: "1", user: "melissar26", player: DEFAULT_PLAYER.title, item: "Bob's Burgers S09E15 The Fresh Princ-ipal", state: "paused", progress: 47.1, account: "alice" }]);
  });

  it("follows a movie through play, buffering, pause, resume, seek and stop at the server's positions", async () => {
    plex = await FakePlex.start();
    const h = start(plex);
    await until(connected, "the socket");
    const key = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0, state: "buffering" });
    plex.update(key, { viewOffset: 1_000, state: "playing" });
    const first = await h.next((e) => e.state === "playing", "playing");
    expect(first.hints).toMatchObject({ kind: "movie", title: "Big Trouble in Little China", year: 1986, guids: expect.arrayContaining(["imdb://tt0090728", "tmdb://6978"]) as unknown });
    plex.update(key, { viewOffset: 1_500, state: "buffering" });
    plex.update(key, { viewOffset: 1_800_000, state: "paused" });
    await h.next((e) => e.state === "paused", "paused");
    plex.update(key, { viewOffset: 1_800_000, state: "playing" });
    plex.update(key, { viewOffset: 4_000_000, state: "playing" }); // a seek
    await h.next((e) => e.positionMs === 4_000_000, "the seek");
    plex.stop(key, { viewOffset: 4_100_000 });
    const stopped = await h.next((e) => e.state === "stopped", "stopped");
    expect(h.events.map((e) => `${e.state}@${e.positionMs}`)).toEqual(["playing@1000", "paused@1800000", "playing@1800000", "playing@4000000", "stopped@4100000"]);
    expect(stopped.progress).toBeCloseTo((4_100_000 / 5_940_000) * 100, 6);
    expect(new Set(h.events.map((e) => e.sessionKey)).size).toBe(1);
  });

  it("ignores the pre-roll on a session key and follows the feature that takes it over", async () => {
    plex = await FakePlex.start();
    const h = start(plex);
    await until(connected, "the socket");
    const key = plex.play({ ratingKey: RATING_KEYS.preroll, viewOffset: 0 });
    plex.update(key, { viewOffset: 5_000 });
    await until(() => adapter!.status()[0]?.sessions?.[0]?.ignored !== undefined, "the clip looked up");
    expect(adapter!.status()[0]?.sessions?.[0]?.ignored).toBe("a clip (pre-roll, trailer or extra)");
    plex.update(key, { viewOffset: 0, ratingKey: RATING_KEYS.movie });
    await h.next((e) => e.state === "playing", "the feature");
    expect(h.events.every((e) => e.hints.title === "Big Trouble in Little China")).toBe(true);
  });

  it("ends a session whose client never says `stopped` at its last known position once the server drops it", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { checkMs: 300 });
    await until(connected, "the socket");
    const key = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0 });
    await h.next((e) => e.state === "playing", "playing");
    plex.update(key, { viewOffset: 5_600_000 });
    await h.next((e) => e.positionMs === 5_600_000, "the last report");
    plex.stop(key, { sendStopped: false });
    const stopped = await h.next((e) => e.state === "stopped", "the end found by the silence check", 3_000);
    expect(stopped.positionMs).toBe(5_600_000);
    expect(stopped.progress).toBeGreaterThan(94);
  });

  it("keeps one playthrough across a server restart that gives the playback a new session key", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { checkMs: 2_000 });
    await until(connected, "the socket");
    const before = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0, sessionKey: "42" });
    await h.next((e) => e.state === "playing", "playing");
    plex.update(before, { viewOffset: 1_800_000 });
    await h.next((e) => e.positionMs === 1_800_000, "30 %");
    await plex.restart(100);
    await until(connected, "the reconnection");
    // The client resumes on the restarted server: session keys started over.
    const after = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 1_810_000 });
    expect(after).toBe("1");
    await h.next((e) => e.positionMs === 1_810_000, "the resumed playback");
    plex.stop(after, { viewOffset: 5_700_000 });
    await h.next((e) => e.state === "stopped", "stopped");
    expect(h.events.map((e) => e.state)).toEqual(["playing", "playing", "playing", "stopped"]);
    expect(new Set(h.events.map((e) => e.sessionKey)).size).toBe(1);
  });

  it("a refused token is one clear error, the server shown as needing attention, and no retry storm; a new token is used at once", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { token: "revoked-token-000" });
    await until(() => adapter!.status()[0]?.state === "failed", "the failed state");
    const detail = adapter!.status()[0]?.detail ?? "";
    expect(detail).toContain("refused the token");
    expect(detail).toContain("trakt-scrobblerd plex login --server home");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // One attempt, then a quiet wait (authRetry is a minute here): not a request every reconnect step.
    expect(plex.requests.filter((r) => r.token === "revoked-token-000")).toHaveLength(1);
    const errors = h.log.lines().filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(h.log.lines())).not.toContain("revoked-token-000");
    h.token.current = OWNER_TOKEN;
    await until(connected, "the connection with the new token", 2_000);
    expect(adapter!.status()[0]?.state).toBe("connected");
  });

  it("without a token it says how to get one and waits for it", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { token: undefined });
    await until(() => adapter!.status()[0]?.state === "failed", "the failed state");
    expect(adapter!.status()[0]?.detail).toContain("no token: run `trakt-scrobblerd plex login --server home`");
    expect(plex.requests).toHaveLength(0);
    h.token.current = OWNER_TOKEN;
    await until(connected, "the connection once a token exists", 2_000);
  });

  it("a token that may not list the server's sessions (not the owner's) is shown as needing attention", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { token: SHARED_TOKEN });
    plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0 });
    await until(() => adapter!.status()[0]?.state === "failed", "the failed state");
    expect(adapter!.status()[0]?.detail).toContain("/status/sessions needs the server owner's token");
    expect(h.events).toEqual([]);
  });

  it("ignores garbage and too-deep frames, drops an oversized one with the connection, and goes on", async () => {
    plex = await FakePlex.start();
    const h = start(plex);
    await until(connected, "the socket");
    const upgrades = plex.upgrades;
    plex.broadcast("this is not JSON");
    plex.broadcast("[".repeat(100_000));
    plex.broadcast(JSON.stringify({ NotificationContainer: { type: "playing", size: 1, PlaySessionStateNotification: [{ sessionKey: {}, state: "nonsense" }] } }));
    plex.broadcast(JSON.stringify({ NotificationContainer: { type: "playing", PlaySessionStateNotification: "x".repeat(300_000) } }));
    await until(() => plex!.upgrades > upgrades && connected(), "the reconnection after the oversized frame");
    expect(h.log.lines().some((l) => l.msg === "Plex server unavailable; retrying quietly")).toBe(true);
    const key = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 1_000 });
    await h.next((e) => e.state === "playing", "playing after the garbage");
    plex.stop(key, { viewOffset: 2_000 });
    await h.next((e) => e.state === "stopped", "stopped");
  });

  it("a server that accepts connections but never answers: a handshake timeout, retried with backoff, and a prompt stop", async () => {
    plex = await FakePlex.start({ neverAnswer: true });
    start(plex);
    await until(() => plex!.requests.length >= 2, "a second attempt", 4_000);
    const detail = adapter!.status()[0]?.detail ?? "";
    expect(detail).toMatch(/no answer within 500 ms|no WebSocket handshake/);
    expect(adapter!.status()[0]?.state).toBe("disconnected");
    const started = Date.now();
    await adapter!.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("the server marking the owner's item played is the player's verdict", async () => {
    plex = await FakePlex.start();
    const h = start(plex);
    await until(connected, "the socket");
    const key = plex.play({ ratingKey: RATING_KEYS.episode, viewOffset: 0 });
    await h.next((e) => e.state === "playing", "playing");
    plex.update(key, { viewOffset: 1_200_000 });
    plex.markPlayed(RATING_KEYS.episode);
    const verdict = await h.next((e) => e.playerWatched === true, "the verdict");
    expect(verdict.state).toBe("playing");
    plex.stop(key, { viewOffset: 1_300_000 });
    expect((await h.next((e) => e.state === "stopped", "stopped")).playerWatched).toBe(true);
  });

  it("routes each Plex user to a Trakt account and ignores an unmapped one", async () => {
    plex = await FakePlex.start();
    const h = start(plex, { users: { melissar26: "alice", "77": "bob" } });
    await until(connected, "the socket");
    plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0, user: OWNER, player: { machineIdentifier: "tv-1", title: "TV" } });
    plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0, user: { id: "77", title: "bob-on-plex" }, player: { machineIdentifier: "tv-2", title: "Phone" } });
    plex.play({ ratingKey: RATING_KEYS.episode, viewOffset: 0, user: { id: "99", title: "guest" }, player: { machineIdentifier: "tv-3", title: "Tablet" } });
    await until(() => adapter!.status()[0]?.sessions?.filter((s) => s.account !== undefined || s.ignored !== undefined).length === 3, "three sessions looked up");
    expect(h.events.map((e) => e.account).sort()).toEqual(["alice", "bob"]);
    expect(adapter!.status()[0]?.sessions?.find((s) => s.user === "guest")?.ignored).toBe("Plex user guest is not mapped to a Trakt account");
  });
});
