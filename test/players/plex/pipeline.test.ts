// Plex webhooks through the whole daemon (HTTP server → adapter → engine → outbox → identification → client) to the
// Trakt emulator: what reaches "Trakt" for each real payload, full sessions, and routing of household users.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Daemon } from "../../../src/daemon/daemon.js";
import { startTraktEmulator, type Emulator, type RecordedRequest } from "../../../src/emulator/index.js";
import { silentLogger } from "../../../src/util/log.js";
import { emulatorSections, seedLogin, writeConfig } from "../../support/daemon.js";
import { fixture, multipart, SECRET, webhookFixtures } from "./support.js";

let emulator: Emulator;
let daemon: Daemon | undefined;
let root: string;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  emulator.addUser("bob");
  root = await mkdtemp(join(tmpdir(), "plex-pipeline-"));
});

afterEach(async () => {
  await daemon?.stop(500);
  daemon = undefined;
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

async function startDaemon(plex: Record<string, unknown>, scrobble: Record<string, unknown> = {}): Promise<string> {
  const stateDir = join(root, "state");
  await seedLogin(emulator, stateDir, "alice", "alice");
  await seedLogin(emulator, stateDir, "bob", "bob");
  const configFile = join(root, "config.yaml");
  await writeConfig(configFile, {
    ...emulatorSections(emulator),
    accounts: { default: "alice" },
    kodi: { enabled: false },
    mpv: { enabled: false },
    // Webhooks of a 90-minute film arrive here seconds apart: the preview rule would read that as seeking ahead.
    scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0, ...scrobble },
    plex: { enabled: true, webhookSecret: SECRET, ...plex },
  });
  daemon = await Daemon.start({ configFile, stateDir, logger: silentLogger(), watchConfig: false });
  return `http://127.0.0.1:${daemon.httpPort}/plex/${SECRET}`;
}

async function post(url: string, payload: unknown, withThumb = false): Promise<number> {
  const res = await fetch(url, { method: "POST", body: multipart(payload, withThumb) });
  await res.text();
  return res.status;
}

function session(name: string, event: string, viewOffset: number | undefined, account?: { id: number; title: string }): Record<string, unknown> {
  const p = fixture(name);
  p.event = event;
  const metadata = { ...(p.Metadata as Record<string, unknown>) };
  if (viewOffset === undefined) delete metadata.viewOffset;
  else metadata.viewOffset = viewOffset;
  p.Metadata = metadata;
  if (account) p.Account = { ...(p.Account as object), ...account };
  return p;
}

const scrobbles = (): RecordedRequest[] => emulator.requests.filter((r) => r.path.startsWith("/scrobble/") || r.path.startsWith("/sync/history"));

async function settled(): Promise<void> {
  await daemon!.idleForTests();
}

describe("Plex webhooks → daemon → Trakt emulator", () => {
  it.each(webhookFixtures().map((f) => [f.file, f.payload] as const))("%s reaches Trakt as expected", async (file, payload) => {
    const url = await startDaemon({ defaultAccount: "alice" });
    for (const withThumb of [false, true]) {
      expect(await post(url, payload, withThumb)).toBe(file.includes("media.rate") ? 204 : 200);
    }
    await settled();
    const requests = scrobbles();
    const event = String(payload.event);
    if (event === "media.rate") {
      expect(requests).toHaveLength(0);
    } else if (event === "media.play" || event === "media.resume" || event === "media.scrobble") {
      // Playing: Trakt is told the item started, once (the repeated post is the same event), with the item's ids.
      expect(requests.map((r) => r.path)).toEqual(["/scrobble/start"]);
      const body = requests[0]!.body as { movie?: { ids: Record<string, unknown> }; episode?: { ids?: Record<string, unknown> }; progress: number };
      const ids = body.movie?.ids ?? body.episode?.ids ?? {};
      const guids = ((payload.Metadata as { Guid?: { id: string }[] }).Guid ?? []).map((g) => g.id);
      const idValues = Object.values(ids).map(String);
      expect(guids.some((g) => idValues.includes(g.split("://")[1]!))).toBe(true);
      if (event === "media.scrobble") expect(body.progress).toBeGreaterThanOrEqual(90);
    } else {
      // A pause or stop for something never seen playing: nothing to tell Trakt (never a stop without a start).
      expect(requests.filter((r) => r.path === "/scrobble/stop")).toHaveLength(0);
      expect(emulator.history("alice")).toHaveLength(0);
    }
  });

  it("records a full movie session as one watch, and a full episode session as one watch", async () => {
    const url = await startDaemon({ defaultAccount: "alice" });
    const movie = "movie.media.scrobble.plexagent-guidarray.json"; // Big Trouble in Little China, 99 min
    expect(await post(url, session(movie, "media.play", 0), true)).toBe(200);
    expect(await post(url, session(movie, "media.pause", 1_800_000))).toBe(200);
    expect(await post(url, session(movie, "media.resume", 1_800_000))).toBe(200);
    expect(await post(url, session(movie, "media.scrobble", 5_400_000))).toBe(200);
    expect(await post(url, session(movie, "media.stop", 5_800_000))).toBe(200);

    const episode = "episode.media.resume.plexagent-guidarray-tvdb-only.json"; // Cops S14E01, 25 min
    expect(await post(url, session(episode, "media.play", 0))).toBe(200);
    expect(await post(url, session(episode, "media.stop", 1_450_000))).toBe(200);
    await settled();

    const history = emulator.history("alice");
    expect(history.map((h) => h.type).sort()).toEqual(["episode", "movie"]);
    expect(history.find((h) => h.type === "movie")?.title).toBe("Big Trouble in Little China");
    const paths = scrobbles().map((r) => r.path);
    expect(paths.filter((p) => p === "/scrobble/stop")).toHaveLength(2);
  });

  // Plex's own verdict against the preview rule: webhooks seconds apart look like a skip to the end, which the
  // preview rule alone would not count; Plex's media.scrobble says it counted the playback.
  it.each([
    [true, 1],
    [false, 0],
  ] as const)("Plex's media.scrobble with trustPlayerVerdict %s: %d watch(es)", async (trustPlayerVerdict, watches) => {
    const url = await startDaemon({ defaultAccount: "alice" }, { previewSeconds: 60, trustPlayerVerdict });
    const movie = "movie.media.scrobble.plexagent-guidarray.json"; // 99 min
    expect(await post(url, session(movie, "media.play", 0))).toBe(200);
    expect(await post(url, session(movie, "media.scrobble", 5_405_000))).toBe(200);
    expect(await post(url, session(movie, "media.stop", 5_702_000))).toBe(200);
    await settled();
    expect(emulator.history("alice")).toHaveLength(watches);
    const final = scrobbles().at(-1);
    expect(final?.path).toBe(trustPlayerVerdict ? "/scrobble/stop" : "/scrobble/pause");
    expect((final?.body as { progress: number }).progress).toBeGreaterThanOrEqual(95);
  });

  it("routes two Plex users to two Trakt accounts and ignores a third", async () => {
    const url = await startDaemon({ users: { "alice-plex": "alice", "77": "bob" } });
    const movie = "movie.media.scrobble.plexagent-guidarray.json";
    const users = [
      { id: 1, title: "alice-plex" },
      { id: 77, title: "bob-on-plex" },
      { id: 99, title: "guest" },
    ];
    for (const user of users) {
      const status = await post(url, session(movie, "media.play", 0, user));
      expect(status).toBe(user.title === "guest" ? 204 : 200);
      await post(url, session(movie, "media.stop", 5_800_000, user));
    }
    await settled();
    expect(emulator.history("alice").map((h) => h.title)).toEqual(["Big Trouble in Little China"]);
    expect(emulator.history("bob").map((h) => h.title)).toEqual(["Big Trouble in Little China"]);
    // The guest's play never became a request.
    expect(scrobbles().filter((r) => r.path === "/scrobble/start")).toHaveLength(2);
  });

  it("a webhook with a huge Guid array and long strings becomes a small journal record (it used to be 475 KB)", async () => {
    const url = await startDaemon({ defaultAccount: "alice" });
    const movie = session("movie.media.scrobble.plexagent-guidarray.json", "media.play", 0);
    const metadata = movie.Metadata as Record<string, unknown>;
    const real = metadata.Guid as { id: string }[];
    metadata.Guid = [...real, ...Array.from({ length: 20_000 }, (_, i) => ({ id: `tmdb://${i}${"9".repeat(16)}` }))];
    metadata.title = `${String(metadata.title)}${" (remastered)".repeat(5_000)}`;
    movie.Player = { ...(movie.Player as object), uuid: "u".repeat(100_000) };
    expect(await post(url, movie)).toBe(200);
    await settled();
    const journal = await readFile(join(root, "state", "outbox", "journal.jsonl"), "utf8");
    const longest = Math.max(...journal.split("\n").map((line) => line.length));
    expect(longest).toBeLessThan(16 * 1024);
    // The guids Plex really sends are kept, first.
    expect(journal).toContain(real[0]!.id);
  });
});
