// The real CLI process `trakt-scrobblerd run` following fake Plex Media Servers (built from the real captures,
// test/support/fake-plex.ts) through their notification sockets, to the Trakt emulator: a movie played to the end,
// `status` showing the server's sessions, then bad input — garbage, too-deep and oversized frames, a server that
// never answers, a refused token, a server that goes away mid-play — with the daemon alive and its memory bounded
// (the child's resident set, read from /proc).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { memoryOf, MB } from "../../bench/lib/proc.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, untilJson, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";
import { FakePlex, OWNER_TOKEN, RATING_KEYS } from "../support/fake-plex.js";

let emulator: Emulator;
let dirs: DaemonDirs;
let daemon: DaemonProcess | undefined;
const servers: FakePlex[] = [];

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dirs = await makeDaemonDirs();
});

afterEach(async () => {
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
  await emulator.close();
  await dirs.remove();
});

interface Status {
  adapters: { name: string; state: string; detail?: string; sessions?: { user?: string; item: string; state: string; account?: string }[] }[];
  outbox: { pending: number };
}

const MOVIE_MS = 5_940_000;
const EPISODE_MS = 1_320_000;

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const adapter = (s: Status, name: string): Status["adapters"][number] | undefined => s.adapters.find((a) => a.name === name);

describe("trakt-scrobblerd run following Plex servers (real process)", () => {
  it("scrobbles a movie, shows the sessions in status, and survives bad input with bounded memory", async () => {
    const home = await FakePlex.start();
    const mute = await FakePlex.start({ neverAnswer: true });
    const wrong = await FakePlex.start();
    servers.push(home, mute, wrong);
    await seedLogin(emulator, dirs.stateDir);
    await writeConfig(
      dirs.configFile,
      emulatorConfig(emulator, dirs, {
        mpv: { enabled: false },
        scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0, seekDebounceSeconds: 0 },
        plex: {
          enabled: true,
          defaultAccount: "default",
          sessionCheckSeconds: 1,
          servers: [
            { name: "home", url: home.url, token: OWNER_TOKEN },
            { name: "mute", url: mute.url, token: OWNER_TOKEN },
            { name: "wrong", url: wrong.url, token: "revoked-token-0000" },
          ],
        },
      }),
    );
    // A Pi-sized heap: V8 then collects instead of growing, and anything that kept hostile frames would run out.
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir], { NODE_OPTIONS: "--max-old-space-size=128" });
    const base = await daemon.baseUrl();
    await untilJson<Status>(`${base}/api/status`, (s) => adapter(s, "plex:home")?.state === "connected");

    // A movie played to the end; `status` shows the session while it plays.
    const movie = home.play({ ratingKey: RATING_KEYS.movie, viewOffset: 0 });
    await untilJson<Status>(`${base}/api/status`, (s) => adapter(s, "plex:home")?.sessions?.[0]?.account === "default");
    for (let f = 0.1; f < 0.97; f += 0.1) home.update(movie, { viewOffset: Math.round(f * MOVIE_MS) });
    const shown = runCli(["status", "--url", base]);
    await shown.exited;
    const text = shown.logs.map((l) => l.msg).join("\n");
    expect(text).toMatch(/plex:home: connected — http:\/\/127\.0\.0\.1:\d+ · Fake PMS 1\.20\.4\.3517-ab5e1197c/);
    expect(text).toMatch(/ {4}melissar26 on Melissas-Air-2\.localdomain: playing Big Trouble in Little China \(1986\) at \d+\.\d % → default/);
    expect(text).toMatch(/plex:wrong: failed — .*refused the token/);
    home.stop(movie, { viewOffset: Math.round(0.97 * MOVIE_MS) });
    await emulator.waitForRequest((r) => r.path === "/scrobble/stop" && r.status === 201, 15_000);
    expect(emulator.history("alice").map((h) => h.title)).toEqual(["Big Trouble in Little China"]);

    // Bad input, five rounds: memory may grow at first (the heap finds its size) but must not grow with every round —
    // anything that kept the frames would add 25 MB a round.
    const pid = daemon.child.pid!;
    const rss = [memoryOf(pid).rss];
    const reconnects = home.upgrades;
    for (let round = 0; round < 5; round++) {
      // 5,000 frames of ~5 KB (25 MB if anything kept them), then an oversized frame of 16 MB (if it were buffered).
      for (let i = 0; i < 5_000; i++) home.broadcast(i % 2 === 0 ? `garbage ${i} ${"x".repeat(5_000)}` : "[".repeat(5_000));
      const upgrades = home.upgrades;
      home.broadcast(JSON.stringify({ NotificationContainer: { type: "playing", size: 1, PlaySessionStateNotification: [{ sessionKey: "1", state: "playing", padding: "y".repeat(16 * MB) }] } }));
      // The adapter backs off between reconnections that did not last a minute (0.5–1 s, then doubling: round five
      // waits 8–16 s), so a server that keeps sending oversized frames is not hammered.
      await until(() => home.upgrades > upgrades && home.clients > 0, "the reconnection after an oversized frame", 30_000);
      rss.push(memoryOf(pid).rss);
    }
    const mb = rss.map((b) => `${(b / MB).toFixed(1)} MB`).join(" → ");
    console.log(`plex socket bad input: daemon RSS ${mb} over 5 rounds of 5,000 garbage/deep frames and a 16 MB frame (${home.upgrades - reconnects} reconnections)`);
    expect(rss[5]! - rss[1]!).toBeLessThan(40 * MB);
    expect(rss[5]! - rss[0]!).toBeLessThan(96 * MB);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // The refused token was tried once, not in a loop; the mute server is retried with backoff and shown as down.
    expect(wrong.requests).toHaveLength(1);
    const now = await untilJson<Status>(`${base}/api/status`, (x) => adapter(x, "plex:mute")?.state === "disconnected", 20_000);
    expect(adapter(now, "plex:wrong")).toMatchObject({ state: "failed", detail: expect.stringContaining("trakt-scrobblerd plex login --server wrong") as unknown });
    expect(adapter(now, "plex:mute")?.detail).toContain("GET /: no answer within 10000 ms");
    expect(mute.requests.length).toBeLessThan(20);
    const errors = daemon.logs.filter((l) => l.level >= 50);
    expect(errors.map((l) => l.msg)).toEqual([expect.stringContaining("refused the token")]);
    expect(JSON.stringify(daemon.logs)).not.toContain("revoked-token-0000");
    expect(JSON.stringify(daemon.logs)).not.toContain(OWNER_TOKEN);

    // A server that goes away mid-play: the episode ends at its last known position (past the threshold: a watch).
    const episode = home.play({ ratingKey: RATING_KEYS.episode, viewOffset: 0 });
    await untilJson<Status>(`${base}/api/status`, (s) => adapter(s, "plex:home")?.sessions?.some((x) => x.account === "default") === true);
    for (let f = 0.1; f < 0.85; f += 0.1) home.update(episode, { viewOffset: Math.round(f * EPISODE_MS) });
    home.update(episode, { viewOffset: Math.round(0.85 * EPISODE_MS) });
    await untilJson<Status>(`${base}/api/status`, (s) => (s as unknown as { playing: { progress?: number }[] }).playing.some((p) => (p.progress ?? 0) > 84));
    await home.close();
    const stop = await emulator.waitForRequest((r) => r.path === "/scrobble/stop" && r.status === 201 && JSON.stringify(r.body).includes("episode"), 15_000);
    expect((stop.body as { progress: number }).progress).toBeGreaterThan(84);
    expect(emulator.history("alice")).toHaveLength(2);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const exit = await daemon.stop("SIGTERM");
    expect(exit.code).toBe(0);
  }, 120_000);
});
