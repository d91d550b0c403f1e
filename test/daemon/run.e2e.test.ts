// The real CLI process `trakt-scrobblerd run` against the Trakt emulator and a real mpv.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../src/outbox/outbox.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, untilJson, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";
import { canRunMpv, makeMedia, requireMpv, startMpv, type MpvProcess } from "../support/mpv.js";

let emulator: Emulator;
let dirs: DaemonDirs;
let daemon: DaemonProcess | undefined;
let mpv: MpvProcess | undefined;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dirs = await makeDaemonDirs();
});

afterEach(async () => {
  await mpv?.kill("SIGKILL");
  mpv = undefined;
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  await emulator.close();
  await dirs.remove();
});

interface Status {
  ready: { ready: boolean; reasons: string[] };
  adapters: { name: string; state: string }[];
  playing: { state: string; item: string; progress?: number }[];
  outbox: { pending: number };
  config: { lastReload?: { applied: boolean; error?: string; started?: string[]; stopped?: string[] } };
}

const movieFile = "Guardians.of.the.Galaxy.2014.1080p.BluRay.x264-SPARKS.mkv";

describe("trakt-scrobblerd run (real process)", () => {
  it.skipIf(!canRunMpv)("plays a file through real mpv and records exactly one watch", async () => {
    await seedLogin(emulator, dirs.stateDir);
    await writeConfig(dirs.configFile, emulatorConfig(emulator, dirs));
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    await daemon.waitForLog((l) => l.msg === "watching for mpv sockets");

    const media = await makeMedia(dirs.root, movieFile, 20);
    mpv = startMpv({ socket: join(dirs.socketDir, "tv.sock"), file: media, speed: 8 });
    await emulator.waitForRequest((r) => r.path === "/scrobble/start" && r.status === 201, 20_000);
    await mpv.exited;
    const stop = await emulator.waitForRequest((r) => r.path === "/scrobble/stop" && r.status === 201, 20_000);
    expect((stop.body as { progress: number }).progress).toBeGreaterThanOrEqual(80);

    const history = emulator.history("alice");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ type: "movie", title: "Guardians of the Galaxy" });
    // Nothing else is on its way: the outbox is empty and no second watch follows.
    await untilJson<Status>(`${base}/api/status`, (s) => s.outbox.pending === 0);
    expect(emulator.history("alice")).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.path === "/scrobble/stop" || r.path === "/sync/history")).toHaveLength(1);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/scrobblerd_trakt_requests_total\{call="scrobble",status="201"\} [2-9]/);
    expect(metrics).toMatch(/scrobblerd_player_events_total\{player="mpv",state="ended"\} 1/);
    expect(metrics).toContain("scrobblerd_outbox_depth 0");

    // `status` asks the running daemon.
    const status = runCli(["status", "--url", base]);
    expect((await status.exited).code).toBe(0);
    const text = status.logs.map((l) => l.msg).join("\n");
    expect(text).toContain("— ready");
    expect(text, text).toMatch(/Last scrobbles:\n.*stop Guardians.*delivered/);

    const exit = await daemon.stop("SIGTERM");
    expect(exit.code).toBe(0);
  });

  it("is not ready while the account needs a login, and keeps running", async () => {
    await writeConfig(dirs.configFile, emulatorConfig(emulator, dirs));
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    await daemon.waitForLog((l) => String(l.msg).startsWith("no Trakt account"));
    const ready = await untilJson<{ ready: boolean; reasons: string[] }>(`${base}/readyz`, (r) => r.reasons.length > 0);
    expect(ready.ready).toBe(false);
    expect(ready.reasons.join(" ")).toMatch(/needs login/);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // Logging in (another process writes the store) makes it ready without a restart.
    await seedLogin(emulator, dirs.stateDir);
    expect(await untilJson<{ ready: boolean }>(`${base}/readyz`, (r) => r.ready)).toEqual({ ready: true, reasons: [] });
    const metricsText = await (await fetch(`${base}/metrics`)).text();
    expect(metricsText).toContain("scrobblerd_outbox_depth");
  });

  it("reloads an edited config: starts a new adapter, stops a removed one, refuses an invalid edit", async () => {
    await seedLogin(emulator, dirs.stateDir);
    const config = emulatorConfig(emulator, dirs, { mpv: { enabled: false } });
    await writeConfig(dirs.configFile, config);
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    const base = await daemon.baseUrl();
    await daemon.waitForLog((l) => l.msg === "ready");
    let status = await untilJson<Status>(`${base}/api/status`, () => true);
    expect(status.adapters.map((a) => a.name)).toEqual([]);

    await writeConfig(dirs.configFile, { ...config, mpv: { enabled: true, socketDir: dirs.socketDir } });
    status = await untilJson<Status>(`${base}/api/status`, (s) => s.config.lastReload?.started?.includes("mpv") === true);
    expect(status.adapters.map((a) => a.name)).toEqual(["mpv"]);
    expect(status.config.lastReload).toMatchObject({ applied: true, started: ["mpv"] });

    await writeConfig(dirs.configFile, { ...config, mpv: { enabled: false } });
    status = await untilJson<Status>(`${base}/api/status`, (s) => s.config.lastReload?.stopped?.includes("mpv") === true);
    expect(status.adapters).toEqual([]);
    expect(status.config.lastReload).toMatchObject({ applied: true, stopped: ["mpv"] });

    const before = daemon.logs.length;
    await writeConfig(dirs.configFile, { ...config, scrobble: { watchedThreshold: "lots" } });
    status = await untilJson<Status>(`${base}/api/status`, (s) => s.config.lastReload?.applied === false);
    expect(status.config.lastReload?.error).toMatch(/watchedThreshold/);
    // The log line travels through a pipe: wait for it rather than expect it already read.
    const refused = await daemon.waitForLog((l) => daemon!.logs.indexOf(l) >= before && String(l.msg).startsWith("config change refused"));
    expect(refused.level).toBe(50);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it.skipIf(!canRunMpv)("exits 0 on SIGTERM within 5 s with the last intent persisted", async () => {
    await seedLogin(emulator, dirs.stateDir);
    // Trakt is down: what the daemon decides can only be kept on disk.
    await emulator.outage();
    await writeConfig(dirs.configFile, emulatorConfig(emulator, dirs));
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    await daemon.baseUrl();
    await daemon.waitForLog((l) => l.msg === "watching for mpv sockets");
    const media = await makeMedia(dirs.root, movieFile, 60);
    mpv = startMpv({ socket: join(dirs.socketDir, "tv.sock"), file: media, speed: 1 });
    await untilJson<Status>(`${await daemon.baseUrl()}/api/status`, (s) => s.playing.some((p) => p.state === "playing"));

    const started = Date.now();
    const exit = await daemon.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    const journal = await readFile(Outbox.journalFile(join(dirs.stateDir, "outbox")), "utf8");
    // The shutdown pause is on disk, waiting for Trakt to come back.
    expect(journal).toContain('"kind":"pause"');
  });
});

if (!canRunMpv) requireMpv();
