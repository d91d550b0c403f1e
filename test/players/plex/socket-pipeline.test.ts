// A Plex Media Server followed through its notification socket, through the whole daemon (adapter → engine → outbox
// → identification → client) to the Trakt emulator. The server is the fake built from the real captures
// (test/support/fake-plex.ts); positions are the server's, sent faster than real time (so the preview and debounce
// rules, which need real time, are off here — test/players/plex/socket-adapter.test.ts covers the adapter's timing).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Daemon } from "../../../src/daemon/daemon.js";
import { startTraktEmulator, type Emulator, type RecordedRequest } from "../../../src/emulator/index.js";
import { silentLogger } from "../../../src/util/log.js";
import { emulatorSections, seedLogin, writeConfig } from "../../support/daemon.js";
import { FakePlex, MACHINE_ID, OWNER, OWNER_TOKEN, RATING_KEYS } from "../../support/fake-plex.js";
import { fixture, multipart, SECRET } from "./support.js";

let emulator: Emulator;
let plex: FakePlex;
let daemon: Daemon | undefined;
let root: string;

const MOVIE_MS = 5_940_000; // Big Trouble in Little China
const EPISODE_MS = 1_320_000; // Bob's Burgers S09E15

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  emulator.addUser("bob");
  plex = await FakePlex.start();
  root = await mkdtemp(join(tmpdir(), "plex-socket-pipeline-"));
});

afterEach(async () => {
  await daemon?.stop(500);
  daemon = undefined;
  await plex.close();
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

async function startDaemon(plexSection: Record<string, unknown> = {}): Promise<void> {
  const stateDir = join(root, "state");
  await seedLogin(emulator, stateDir, "alice", "alice");
  await seedLogin(emulator, stateDir, "bob", "bob");
  const configFile = join(root, "config.yaml");
  await writeConfig(configFile, {
    ...emulatorSections(emulator),
    accounts: { default: "alice" },
    kodi: { enabled: false },
    mpv: { enabled: false },
    scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0, seekDebounceSeconds: 0 },
    plex: { enabled: true, servers: [{ name: "home", url: plex.url }], token: OWNER_TOKEN, sessionCheckSeconds: 1, defaultAccount: "alice", ...plexSection },
  });
  daemon = await Daemon.start({ configFile, stateDir, logger: silentLogger(), watchConfig: false });
  await until(() => statusOf("plex:home")?.state === "connected" && plex.clients > 0, "the notification socket");
}

interface SessionStatus {
  id?: string;
  user?: string;
  account?: string;
  ignored?: string;
}

function statusOf(name: string): { state: string; detail?: string; sessions?: SessionStatus[] } | undefined {
  const status = daemon!.status() as { adapters: { name: string; state: string; detail?: string; sessions?: SessionStatus[] }[] };
  return status.adapters.find((a) => a.name === name);
}

async function until(cond: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const scrobbles = (): RecordedRequest[] => emulator.requests.filter((r) => r.path.startsWith("/scrobble/") || r.path.startsWith("/sync/history"));
const bodyOf = (r: RecordedRequest): { progress: number; movie?: { ids: Record<string, unknown> }; show?: { ids: Record<string, unknown> }; episode?: Record<string, unknown> } =>
  r.body as { progress: number };

/** Waits until the daemon has sent `count` requests to `path`. */
async function sent(path: string, count = 1): Promise<RecordedRequest[]> {
  await until(() => scrobbles().filter((r) => r.path === path && r.status > 0).length >= count, `${count} × ${path}`);
  await daemon!.idleForTests();
  return scrobbles().filter((r) => r.path === path);
}

/** Whether the adapter has looked the session up (who plays what is known): only then does it report it. */
function lookedUp(sessionKey: string): boolean {
  return (statusOf("plex:home")?.sessions ?? []).some((s) => s.id === sessionKey && (s.account !== undefined || s.ignored !== undefined));
}

/**
 * A client playing `ratingKey` from `from` to `to` (fractions of `durationMs`), reporting every step once the adapter
 * knows the session (a real client reports about once a second; the lookup takes milliseconds).
 */
async function playThrough(ratingKey: string, durationMs: number, from: number, to: number, options: { user?: typeof OWNER; player?: { machineIdentifier: string; title: string }; sessionKey?: string } = {}): Promise<string> {
  const key = plex.play({ ratingKey, viewOffset: Math.round(from * durationMs), ...options });
  await until(() => lookedUp(key), "the session looked up");
  for (let f = from + 0.1; f < to; f += 0.1) plex.update(key, { viewOffset: Math.round(f * durationMs) });
  plex.update(key, { viewOffset: Math.round(to * durationMs) });
  return key;
}

describe("Plex notification socket → daemon → Trakt emulator", () => {
  it("a movie and an episode played to the end: one watch each, identified by their real ids", async () => {
    await startDaemon();
    const movie = await playThrough(RATING_KEYS.movie, MOVIE_MS, 0, 0.96);
    plex.stop(movie, { viewOffset: Math.round(0.96 * MOVIE_MS) });
    await sent("/scrobble/stop");
    const episode = await playThrough(RATING_KEYS.episode, EPISODE_MS, 0, 0.97);
    plex.stop(episode, { viewOffset: Math.round(0.97 * EPISODE_MS) });
    const stops = await sent("/scrobble/stop", 2);

    expect(emulator.history("alice").map((h) => [h.type, h.traktId, h.title]).sort()).toEqual([
      ["episode", 900261, "Bob's Burgers 9x15"],
      ["movie", 900002, "Big Trouble in Little China"],
    ]);
    expect(bodyOf(stops[0]!).movie?.ids).toMatchObject({ imdb: "tt0090728", tmdb: 6978 });
    // The episode by its show's ids (read through grandparentRatingKey) with season and number.
    expect(bodyOf(stops[1]!)).toMatchObject({ show: { ids: { imdb: "tt1561755", tmdb: 32726, tvdb: 194031 } }, episode: { season: 9, number: 15 } });
    expect(bodyOf(stops[0]!).progress).toBeCloseTo(96, 1);
  });

  it("pause and resume reach Trakt as pause and start; a seek re-sends start with the new progress", async () => {
    await startDaemon();
    const key = await playThrough(RATING_KEYS.movie, MOVIE_MS, 0, 0.2);
    plex.update(key, { viewOffset: Math.round(0.2 * MOVIE_MS), state: "paused" });
    const [pause] = await sent("/scrobble/pause");
    expect(bodyOf(pause!).progress).toBeCloseTo(20, 1);
    const before = scrobbles().filter((r) => r.path === "/scrobble/start").length;
    plex.update(key, { viewOffset: Math.round(0.2 * MOVIE_MS), state: "playing" });
    const resumed = await sent("/scrobble/start", before + 1);
    expect(bodyOf(resumed.at(-1)!).progress).toBeCloseTo(20, 1);
    plex.update(key, { viewOffset: Math.round(0.7 * MOVIE_MS) }); // a seek
    const starts = await sent("/scrobble/start", before + 2);
    expect(bodyOf(starts.at(-1)!).progress).toBeCloseTo(70, 1);
    plex.update(key, { viewOffset: Math.round(0.9 * MOVIE_MS) });
    plex.stop(key, { viewOffset: Math.round(0.9 * MOVIE_MS) });
    await sent("/scrobble/stop");
    expect(emulator.history("alice")).toHaveLength(1);
  });

  it("a stop below the threshold is a pause on Trakt and no watch (progress error at stop measured)", async () => {
    await startDaemon();
    const key = await playThrough(RATING_KEYS.episode, EPISODE_MS, 0, 0.4);
    const serverPosition = Math.round(0.4017 * EPISODE_MS);
    plex.update(key, { viewOffset: serverPosition });
    plex.stop(key, { viewOffset: serverPosition });
    const [pause] = await sent("/scrobble/pause");
    const serverPercent = (serverPosition / EPISODE_MS) * 100;
    const reported = bodyOf(pause!).progress;
    const error = Math.abs(reported - serverPercent);
    console.log(`plex socket progress error at stop: Trakt told ${reported.toFixed(3)} % vs the server's viewOffset ${serverPosition} ms of ${EPISODE_MS} (${serverPercent.toFixed(3)} %) → ${error.toFixed(3)} points`);
    expect(error).toBeLessThanOrEqual(1);
    expect(emulator.history("alice")).toHaveLength(0);
    expect(scrobbles().filter((r) => r.path === "/scrobble/stop")).toHaveLength(0);
  });

  it("two Plex users go to their two Trakt accounts and a third user is ignored", async () => {
    await startDaemon({ users: { melissar26: "alice", "77": "bob" }, defaultAccount: undefined });
    const users = [
      { user: OWNER, player: { machineIdentifier: "tv-1", title: "Living Room" } },
      { user: { id: "77", title: "bob-on-plex" }, player: { machineIdentifier: "tv-2", title: "Phone" } },
      { user: { id: "99", title: "guest" }, player: { machineIdentifier: "tv-3", title: "Tablet" } },
    ];
    const keys: string[] = [];
    for (const u of users) keys.push(await playThrough(RATING_KEYS.movie, MOVIE_MS, 0, 0.95, u));
    for (const key of keys) plex.stop(key, { viewOffset: Math.round(0.95 * MOVIE_MS) });
    await sent("/scrobble/stop", 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await daemon!.idleForTests();
    expect(emulator.history("alice").map((h) => h.title)).toEqual(["Big Trouble in Little China"]);
    expect(emulator.history("bob").map((h) => h.title)).toEqual(["Big Trouble in Little China"]);
    // The guest's plays never became a request.
    expect(new Set(scrobbles().map((r) => r.user))).toEqual(new Set(["alice", "bob"]));
  });

  it("the server restarting mid-play: the resumed playback under a new session key is the same playthrough, one watch", async () => {
    // Back within the check time (5 s here; a server away longer ends its sessions at their last position).
    await startDaemon({ sessionCheckSeconds: 5 });
    await playThrough(RATING_KEYS.episode, EPISODE_MS, 0, 0.3, { sessionKey: "42" });
    await sent("/scrobble/start");
    await plex.restart(150);
    await until(() => statusOf("plex:home")?.state === "connected" && plex.clients > 0, "the reconnection");
    const after = await playThrough(RATING_KEYS.episode, EPISODE_MS, 0.31, 0.95);
    expect(after).toBe("1");
    plex.stop(after, { viewOffset: Math.round(0.95 * EPISODE_MS) });
    await sent("/scrobble/stop");
    expect(emulator.history("alice")).toHaveLength(1);
    expect(scrobbles().filter((r) => r.path === "/scrobble/pause")).toHaveLength(0);
  });

  it("a client that never sends `stopped`: the session ends at its last position within the check time, a watch past the threshold", async () => {
    await startDaemon();
    const key = await playThrough(RATING_KEYS.movie, MOVIE_MS, 0, 0.93);
    await sent("/scrobble/start");
    const dropped = Date.now();
    plex.stop(key, { sendStopped: false });
    const [stop] = await sent("/scrobble/stop");
    expect(Date.now() - dropped).toBeLessThan(5_000);
    expect(bodyOf(stop!).progress).toBeCloseTo(93, 1);
    expect(emulator.history("alice")).toHaveLength(1);
  });

  it("webhooks and the socket for the same server: each playthrough once (the server's webhooks are ignored)", async () => {
    await startDaemon({ webhookSecret: SECRET });
    const webhookUrl = `http://127.0.0.1:${daemon!.httpPort}/plex/${SECRET}`;
    const webhook = (event: string, viewOffset: number, server = MACHINE_ID): Promise<number> => {
      const payload = fixture("movie.media.scrobble.plexagent-guidarray.json");
      payload.event = event;
      payload.Server = { title: "Fake PMS", uuid: server };
      payload.Metadata = { ...(payload.Metadata as object), viewOffset };
      return fetch(webhookUrl, { method: "POST", body: multipart(payload) }).then(async (r) => (await r.text(), r.status));
    };
    const key = plex.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0 });
    expect(await webhook("media.play", 0)).toBe(204);
    for (let f = 0.1; f < 0.96; f += 0.1) plex.update(key, { viewOffset: Math.round(f * MOVIE_MS) });
    expect(await webhook("media.scrobble", Math.round(0.9 * MOVIE_MS))).toBe(204);
    plex.stop(key, { viewOffset: Math.round(0.96 * MOVIE_MS) });
    expect(await webhook("media.stop", Math.round(0.96 * MOVIE_MS))).toBe(204);
    await sent("/scrobble/stop");
    await daemon!.idleForTests();
    expect(emulator.history("alice")).toHaveLength(1);
    expect(scrobbles().filter((r) => r.path === "/scrobble/start")).toHaveLength(1);
    // Webhooks from another server (not followed by a socket) still count.
    expect(await webhook("media.play", 0, "another-server-uuid")).toBe(200);
  });
});
