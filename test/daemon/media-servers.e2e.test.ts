// Jellyfin and Emby through the whole daemon: the real CLI process (`trakt-scrobblerd run`) follows the fake server
// (test/players/mediabrowser/fake-server.ts) and scrobbles to the Trakt emulator. Once per dialect.
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { FakeMediaServer, type Dialect, type FakeUser } from "../players/mediabrowser/fake-server.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, untilJson, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";

let emulator: Emulator;
let dirs: DaemonDirs;
let server: FakeMediaServer;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dirs = await makeDaemonDirs();
});

afterEach(async () => {
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  await server.close();
  await emulator.close();
  await dirs.remove();
});

interface SessionView {
  user: string;
  state: string;
  item: string;
  account?: string;
  ignored?: string;
}
interface Status {
  adapters: { name: string; state: string; detail?: string; sessions?: SessionView[] }[];
  playing: { player: string; state: string; item: string; account?: string }[];
  outbox: { pending: number };
}

/** Resident set size of a process in bytes (Linux /proc). */
async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each<Dialect>(["jellyfin", "emby"])("the daemon following %s", (dialect) => {
  const product = dialect === "jellyfin" ? "Jellyfin" : "Emby";
  let admin: FakeUser;

  async function startDaemon(options: { token?: string; section?: Record<string, unknown>; scrobble?: Record<string, unknown>; version?: string } = {}): Promise<string> {
    server = await FakeMediaServer.start({ dialect, ...(options.version ? { version: options.version } : {}) });
    admin = server.addUser("foxx", { admin: true });
    const token = options.token ?? server.apiKey();
    await seedLogin(emulator, dirs.stateDir, "default", "alice");
    await seedLogin(emulator, dirs.stateDir, "bob", "bob");
    const section = { url: server.url, token, users: { foxx: "default", bob: "bob" }, ...options.section };
    await writeConfig(
      dirs.configFile,
      emulatorConfig(emulator, dirs, {
        mpv: { enabled: false },
        [dialect]: section,
        scrobble: { pauseDebounceSeconds: 1, seekDebounceSeconds: 1, ...options.scrobble },
      }),
    );
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    await daemon.waitForLog((l) => l.msg === "ready");
    return base;
  }

  it("movies and episodes played to the end: one watch each with real ids, per user's account; a third user ignored", async () => {
    const base = await startDaemon();
    await until(() => server.subscriptions > 0, "the subscription");
    const bob = server.addUser("bob");
    const carol = server.addUser("carol");
    const movie = server.addMovie("Guardians of the Galaxy", 8_000);
    const episode = server.addEpisode("Breaking Bad", 1, 1, 8_000);
    server.play({ user: admin, itemId: movie, device: "TV" });
    server.play({ user: admin, itemId: episode, device: "Bedroom" });
    server.play({ user: bob, itemId: movie, device: "Phone" });
    server.play({ user: carol, itemId: server.addMovie("Barry Lyndon", 3 * 3_600_000), device: "Tablet" });

    const status = await untilJson<Status>(`${base}/api/status`, (s) => (s.adapters[0]?.sessions?.length ?? 0) === 4);
    const carolView = status.adapters[0]!.sessions!.find((s) => s.user === "carol");
    expect(carolView).toMatchObject({ ignored: "user not mapped to a Trakt account" });
    const text = runCli(["status", "--url", base]);
    await text.exited;
    expect(text.logs.map((l) => l.msg).join("\n")).toMatch(/^ {4}carol on Tablet \/ (Jellyfin|Emby) Web: playing Barry Lyndon \(1975\) at \d+\.\d % — ignored: user not mapped to a Trakt account$/m);

    await until(() => emulator.history("alice").length === 2 && emulator.history("bob").length === 1, "three watches", 30_000);
    // The server's verdicts follow each stop (2 s later); nothing more may come of them.
    await daemon!.waitForLog((l) => l.msg === `${product} marked the item played`);
    await untilJson<Status>(`${base}/api/status`, (s) => s.outbox.pending === 0 && s.playing.length === 0);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const alice = emulator.history("alice").map((h) => `${h.type} ${h.traktId} ${h.title}`).sort();
    expect(alice).toEqual(["episode 73482 Breaking Bad 1x01", "movie 28 Guardians of the Galaxy"]);
    expect(emulator.history("bob").map((h) => h.traktId)).toEqual([28]);
    expect(emulator.requests.filter((r) => r.user === "alice" && (r.path === "/scrobble/stop" || r.path === "/sync/history"))).toHaveLength(2);
    expect(emulator.requests.some((r) => r.user === "carol")).toBe(false);
    const stop = emulator.requests.find((r) => r.path === "/scrobble/stop" && r.user === "alice")!;
    expect((stop.body as { progress: number }).progress).toBeGreaterThanOrEqual(95);
    // The API key is a secret: never in a log line.
    const key = (await readFile(dirs.configFile, "utf8")).match(/token: (\w+)/)![1]!;
    expect(JSON.stringify(daemon!.logs)).not.toContain(key);
  }, 60_000);

  it("pause and resume, a seek, and a stop below the threshold: Trakt gets start, pause, start, start, pause — no watch", async () => {
    const base = await startDaemon();
    await until(() => server.subscriptions > 0, "the subscription");
    const movie = server.addMovie("Batman Begins", 20 * 60_000);
    const playback = server.play({ user: admin, itemId: movie, device: "TV" });
    await emulator.waitForRequest((r) => r.path === "/scrobble/start" && r.status === 201, 10_000);
    playback.pause();
    const paused = await emulator.waitForRequest((r) => r.path === "/scrobble/pause" && r.status === 201, 10_000);
    expect((paused.body as { progress: number }).progress).toBeLessThan(2);
    playback.resume();
    await until(() => emulator.requests.filter((r) => r.path === "/scrobble/start" && r.status === 201).length === 2, "start after resume");
    playback.seek(8 * 60_000);
    await until(() => emulator.requests.some((r) => r.path === "/scrobble/start" && (r.body as { progress: number }).progress >= 40), "start at 40 % after the seek");
    const beforeStop = server.requests.length;
    playback.stop();
    await until(() => emulator.requests.filter((r) => r.path === "/scrobble/pause" && r.status === 201).length === 2, "pause at the stop");
    const last = emulator.requests.filter((r) => r.path.startsWith("/scrobble/")).map((r) => `${r.path.slice(10)} ${Math.round((r.body as { progress: number }).progress)}`);
    expect(last).toEqual(["start 1", "pause 1", "start 1", "start 40", "pause 40"]);
    // The verdict read (2 s after the stop): the server did not mark it played, so nothing more goes to Trakt.
    await until(() => server.requests.slice(beforeStop).some((r) => r.method === "GET" && r.path.includes(`/Items/${movie}`)), "the verdict read", 10_000);
    await untilJson<Status>(`${base}/api/status`, (s) => s.outbox.pending === 0 && s.playing.length === 0);
    expect(emulator.history("alice")).toEqual([]);
    expect(emulator.playback("alice")[0]?.progress).toBeCloseTo(40, 0);
  }, 60_000);

  it("the server restarting mid-play: one playthrough, one watch; a server gone for good is retried quietly and the playback paused at shutdown", async () => {
    const base = await startDaemon();
    await until(() => server.subscriptions > 0, "the subscription");
    const episode = server.addEpisode("Parks and Recreation", 2, 1, 10_000);
    server.play({ user: admin, itemId: episode, device: "TV" });
    await emulator.waitForRequest((r) => r.path === "/scrobble/start" && r.status === 201, 10_000);
    const before = server.subscriptions;
    await server.restart(1_000);
    await until(() => server.subscriptions > before, "subscribed again after the restart");
    await until(() => emulator.history("alice").length === 1, "the watch", 20_000);
    expect(emulator.history("alice")[0]).toMatchObject({ type: "episode", traktId: 251 });
    expect(emulator.requests.filter((r) => r.path === "/scrobble/stop")).toHaveLength(1);
    expect(daemon!.logs.some((l) => l.msg === `${product} is back`)).toBe(true);

    // A second playback, and the server goes away for good in the middle of it.
    const movie = server.addMovie("TRON: Legacy", 60 * 60_000);
    server.play({ user: admin, itemId: movie, device: "TV" });
    await until(() => emulator.requests.filter((r) => r.path === "/scrobble/start" && r.status === 201).length >= 2, "start of the movie");
    await server.close();
    const gone = await untilJson<Status>(`${base}/api/status`, (s) => s.adapters[0]?.state === "disconnected");
    expect(gone.adapters[0]!.detail).toMatch(/127\.0\.0\.1/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const exit = await daemon!.stop("SIGTERM");
    expect(exit.code).toBe(0);
    const pauses = emulator.requests.filter((r) => r.path === "/scrobble/pause" && r.status === 201);
    expect(pauses.at(-1)?.body).toMatchObject({ movie: { ids: { imdb: "tt1104001" } } });
    // Each outage is said once (the restart, then the end); the retries in between are debug lines.
    expect(daemon!.logs.filter((l) => String(l.msg).includes("unavailable (connection lost)"))).toHaveLength(2);
    expect(daemon!.logs.filter((l) => String(l.msg).includes("still unavailable")).every((l) => l.level === 20)).toBe(true);
  }, 60_000);

  it("hostile frames (garbage, 50,000 levels deep, 90 MB) and a hung server: the daemon lives, its memory stays bounded", async () => {
    const base = await startDaemon();
    await until(() => server.subscriptions > 0, "the subscription");
    const pid = daemon!.child.pid!;
    // One ordinary drop and reconnect first, so the baseline includes what a reconnect costs anyway.
    let subscriptions = server.subscriptions;
    await server.restart(100);
    await until(() => server.subscriptions > subscriptions, "subscribed again");
    const before = await rssBytes(pid);
    server.sendRaw("garbage \u0000\u0001");
    server.sendRaw(`{"MessageType":"Sessions","Data":${"[".repeat(50_000)}${"]".repeat(50_000)}}`);
    subscriptions = server.subscriptions;
    server.sendRaw(JSON.stringify({ MessageType: "Sessions", Data: [{ Id: "x", padding: "x".repeat(90 * 1024 * 1024) }] }));
    await until(() => server.subscriptions > subscriptions, "subscribed again after the huge frame", 30_000);
    const after = await rssBytes(pid);
    console.log(`${dialect}: daemon RSS before the hostile frames: ${(before / 2 ** 20).toFixed(1)} MB, after: ${(after / 2 ** 20).toFixed(1)} MB`);
    expect(after - before).toBeLessThan(32 * 2 ** 20);
    expect(daemon!.logs.some((l) => String(l.msg).includes("larger than 16777216 bytes"))).toBe(true);
    // Still following.
    const movie = server.addMovie("Big Trouble in Little China", 60 * 60_000);
    server.play({ user: admin, itemId: movie, device: "TV" });
    await emulator.waitForRequest((r) => r.path === "/scrobble/start" && r.status === 201, 10_000);

    // The server hangs: TCP accepted, nothing answered.
    server.hanging = true;
    await server.restart(0);
    const hung = await untilJson<Status>(`${base}/api/status`, (s) => s.adapters[0]?.state === "disconnected" && /did not/.test(s.adapters[0]?.detail ?? ""), 30_000);
    expect(hung.adapters[0]!.detail).toMatch(/did not (answer|open)/);
    expect(daemon!.child.exitCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  }, 90_000);

  it("a wrong token: one clear error, the server shown as needing attention, no retry storm", async () => {
    const base = await startDaemon({ token: "0123456789abcdef0123456789abcdef" });
    const status = await untilJson<Status>(`${base}/api/status`, (s) => s.adapters[0]?.state === "failed");
    expect(status.adapters[0]!.detail).toMatch(new RegExp(`^needs attention: ${product} refused the token \\(HTTP 401 on GET /Users/Me\\): ${dialect}\\.token is wrong or was revoked`));
    const requests = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(server.requests.length).toBe(requests);
    expect(daemon!.logs.filter((l) => l.level === 50 && String(l.msg).startsWith(`${product}:`))).toHaveLength(1);
    expect(JSON.stringify(daemon!.logs)).not.toContain("0123456789abcdef0123456789abcdef");
    const text = runCli(["status", "--url", base]);
    await text.exited;
    expect(text.logs.map((l) => l.msg).join("\n")).toMatch(new RegExp(`${dialect}: failed — needs attention`));
  }, 60_000);
});

describe("the daemon following Jellyfin 10.10.3 with an API key", () => {
  it("says what to use instead, once", async () => {
    server = await FakeMediaServer.start({ dialect: "jellyfin", version: "10.10.3" });
    await seedLogin(emulator, dirs.stateDir);
    await writeConfig(dirs.configFile, emulatorConfig(emulator, dirs, { mpv: { enabled: false }, jellyfin: { url: server.url, token: server.apiKey(), defaultAccount: "default" } }));
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    const status = await untilJson<Status>(`${base}/api/status`, (s) => s.adapters[0]?.state === "failed");
    expect(status.adapters[0]!.detail).toContain("Jellyfin 10.9.0–10.10.5 sends the live sessions feed to administrators' logins only, not to API keys: run `trakt-scrobblerd jellyfin login` with an administrator's account");
    expect(server.upgrades).toBe(0);
  }, 30_000);
});
