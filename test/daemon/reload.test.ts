// Live reload, one section at a time, through the daemon and a real config file on disk. The schema's restart flags
// decide (src/config/diff.ts): what is not flagged applies at once — seen in its effect where there is one — and a
// flagged change is reported as needing a restart while the daemon keeps running on the old value.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemPathContext } from "../../src/config/paths.js";
import type { Config } from "../../src/config/schema.js";
import { configKeys } from "../../src/config/validate.js";
import { Daemon } from "../../src/daemon/daemon.js";
import type { ReloadOutcome } from "../../src/daemon/reload.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { fixture, multipart } from "../players/plex/support.js";
import { emulatorSections, seedLogin, writeConfig } from "../support/daemon.js";
import { captureLogger } from "../support/emulator.js";

const SECRET = "first-webhook-secret-0123";
let emulator: Emulator;
let root: string;
let configFile: string;
let daemon: Daemon;
let base: Record<string, unknown>;
let logLines: string[];

beforeAll(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  root = await mkdtemp(join(tmpdir(), "tsd-reload-"));
  configFile = join(root, "config.yaml");
  await mkdir(join(root, "mpv-a"), { recursive: true });
  await seedLogin(emulator, join(root, "state"));
  base = {
    stateDir: join(root, "state"),
    ...emulatorSections(emulator),
    log: { level: "info" },
    mpv: { enabled: true, socketDir: join(root, "mpv-a") },
    // Nothing listens there: the adapter keeps trying in the background, which is all a reload needs.
    kodi: { enabled: true, instances: [{ name: "living-room", url: "ws://127.0.0.1:9/jsonrpc" }] },
    plex: { enabled: true, webhookSecret: SECRET },
  };
  await writeConfig(configFile, base);
  const { logger, lines } = captureLogger();
  logLines = lines;
  daemon = await Daemon.start({ configFile, context: systemPathContext({}), watchConfig: false, logger });
}, 60_000);

afterAll(async () => {
  await daemon?.stop(500);
  await emulator?.close();
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  // Back to the base file: the next section starts from the same running config.
  await writeConfig(configFile, base);
  await daemon.reload();
});

/** Writes the base config with `edit` applied to a copy, and reloads. */
async function reloadWith(edit: (config: Record<string, Record<string, unknown>>) => void): Promise<Extract<ReloadOutcome, { applied: true }>> {
  const next = structuredClone(base) as Record<string, Record<string, unknown>>;
  edit(next);
  await writeConfig(configFile, next);
  const outcome = await daemon.reload();
  if (!outcome.applied) throw new Error(`reload refused: ${outcome.error}`);
  return outcome;
}

const running = (): Config => daemon.runningConfig;
const adapter = (name: string): { state: string; detail?: string } | undefined =>
  (daemon.status().adapters as { name: string; state: string; detail?: string }[]).find((a) => a.name === name);
const plexStatus = async (secret: string): Promise<number> => {
  const port = daemon.httpPort;
  const res = await fetch(`http://127.0.0.1:${port}/plex/${secret}`, { method: "POST", body: multipart(fixture("movie.media.stop.legacy-imdb-agent.json")) });
  return res.status;
};

describe("config reload, section by section", () => {
  it("stateDir: restart required; tokens and the outbox stay where they are", async () => {
    const outcome = await reloadWith((c) => ((c as Record<string, unknown>).stateDir = join(root, "elsewhere")));
    expect(outcome.restartNeeded).toEqual(["stateDir"]);
    expect(running().stateDir).toBe(join(root, "state"));
    expect(daemon.stateDir).toBe(join(root, "state"));
  });

  it("trakt: restart required (one client, built at start); the running client keeps its settings", async () => {
    const outcome = await reloadWith((c) => ((c.trakt!.timeoutMs = 1234), (c.trakt!.clientId = "another-client-id")));
    expect(outcome.restartNeeded.sort()).toEqual(["trakt.clientId", "trakt.timeoutMs"]);
    expect(running().trakt).toMatchObject({ clientId: emulator.clientId, timeoutMs: 15_000 });
  });

  it("accounts: restart required", async () => {
    const outcome = await reloadWith((c) => (c.accounts = { default: "alice", refreshMarginMinutes: 60 }));
    expect(outcome.restartNeeded.sort()).toEqual(["accounts.default", "accounts.refreshMarginMinutes"]);
    expect(running().accounts).toEqual({ default: "default", refreshMarginMinutes: 360 });
  });

  it("secrets: restart required; tokens stay in the store opened at start", async () => {
    const outcome = await reloadWith((c) => (c.secrets!.store = "keychain"));
    expect(outcome.restartNeeded).toEqual(["secrets.store"]);
    expect(String(daemon.status().secrets)).toMatch(/file store/);
  });

  it("log: restart required; the logger keeps its level", async () => {
    const outcome = await reloadWith((c) => (c.log!.level = "warn"));
    expect(outcome.restartNeeded).toEqual(["log.level"]);
    expect(running().log.level).toBe("info");
  });

  it("server: restart required; the HTTP server still answers where it listens", async () => {
    const port = daemon.httpPort;
    const outcome = await reloadWith((c) => (c.server!.port = port + 1));
    expect(outcome.restartNeeded).toEqual(["server.port"]);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it("scrobble: applies live (a new threshold restarts the Kodi adapter that polls by it); the dedupe window waits for a restart", async () => {
    const outcome = await reloadWith((c) => (c.scrobble = { watchedThreshold: 90, pauseDebounceSeconds: 1, dedupeWindowMinutes: 60 }));
    expect(outcome.restartNeeded).toEqual(["scrobble.dedupeWindowMinutes"]);
    expect(running().scrobble).toMatchObject({ watchedThreshold: 90, pauseDebounceSeconds: 1, dedupeWindowMinutes: 360 });
    expect(outcome).toMatchObject({ stopped: ["living-room"], started: ["living-room"] });
  });

  it("outbox: restart required", async () => {
    const outcome = await reloadWith((c) => (c.outbox = { replayAfterMinutes: 3 }));
    expect(outcome.restartNeeded).toEqual(["outbox.replayAfterMinutes"]);
    expect(running().outbox.replayAfterMinutes).toBe(10);
  });

  it("identify: restart required", async () => {
    const outcome = await reloadWith((c) => (c.identify = { minSearchScore: 5 }));
    expect(outcome.restartNeeded).toEqual(["identify.minSearchScore"]);
    expect(running().identify.minSearchScore).toBe(0);
  });

  it("mpv: a new socket directory applies live (the adapter restarts and watches it)", async () => {
    await mkdir(join(root, "mpv-b"), { recursive: true });
    const outcome = await reloadWith((c) => (c.mpv!.socketDir = join(root, "mpv-b")));
    expect(outcome).toMatchObject({ restartNeeded: [], stopped: ["mpv"], started: ["mpv"] });
    expect(adapter("mpv")?.detail).toBe(`watching ${join(root, "mpv-b")}`);
  });

  it("kodi: a moved instance restarts on its new address", async () => {
    const outcome = await reloadWith((c) => (c.kodi!.instances = [{ name: "living-room", url: "ws://127.0.0.1:10/jsonrpc" }]));
    expect(outcome).toMatchObject({ restartNeeded: [], stopped: ["living-room"], started: ["living-room"] });
    expect(adapter("living-room")?.detail).toContain("ws://127.0.0.1:10/jsonrpc");
  });

  it("plex: a new webhook secret applies live, without restarting the adapter", async () => {
    expect(await plexStatus(SECRET)).not.toBe(403);
    const outcome = await reloadWith((c) => (c.plex!.webhookSecret = "second-webhook-secret-4567"));
    expect(outcome).toMatchObject({ restartNeeded: [], stopped: [], started: [] });
    expect(await plexStatus(SECRET)).toBe(403);
    expect(await plexStatus("second-webhook-secret-4567")).not.toBe(403);
  });

  it("jellyfin and emby: a server set live starts its adapter, users apply without a restart, and clearing the URL stops it", async () => {
    // Nothing listens on port 9: the adapter keeps trying in the background, which is all a reload needs.
    for (const kind of ["jellyfin", "emby"] as const) {
      const started = await reloadWith((c) => (c[kind] = { url: "http://127.0.0.1:9", token: "an-api-key-0123456789" }));
      expect(started).toMatchObject({ restartNeeded: [], started: [kind] });
      expect(adapter(kind)).toBeDefined();
      const routed = await reloadWith((c) => (c[kind] = { url: "http://127.0.0.1:9", token: "an-api-key-0123456789", users: { alice: "default" } }));
      expect(routed).toMatchObject({ restartNeeded: [], stopped: [], started: [] });
      const cleared = await reloadWith(() => undefined);
      expect(cleared).toMatchObject({ restartNeeded: [], stopped: [kind] });
      expect(adapter(kind)).toBeUndefined();
    }
  });

  it("schedules: a new cache prune schedule applies live; the retired keys still load, each with a warning", async () => {
    const before = logLines.length;
    const outcome = await reloadWith((c) => (c.schedules = { cachePrune: "5 4 * * *", tokenRefresh: "*/15 * * * *", outboxDrain: "* * * * *" }));
    expect(outcome.restartNeeded).toEqual([]);
    expect(running().schedules.cachePrune).toBe("5 4 * * *");
    const warnings = logLines.slice(before).filter((l) => l.includes('"level":40')).join("\n");
    expect(warnings).toMatch(/config\.yaml:\d+: schedules\.tokenRefresh: No longer used: tokens are refreshed when they are due/);
    expect(warnings).toMatch(/config\.yaml:\d+: schedules\.outboxDrain: No longer used: the outbox retries by itself/);
  });

  it("an invalid schedule is refused and the daemon keeps running on the previous config", async () => {
    await writeConfig(configFile, { ...base, schedules: { cachePrune: "every now and then" } });
    const outcome = await daemon.reload();
    expect(outcome).toMatchObject({ applied: false });
    expect(outcome.applied ? "" : outcome.error).toMatch(/schedules\.cachePrune.*not a valid cron expression/s);
    expect(running().schedules.cachePrune).toBe("17 3 * * *");
  });

  it("notify: targets apply live — the notifier starts with the first and stops with the last (test/notify/daemon.e2e.test.ts sends through them)", async () => {
    expect(daemon.status()).not.toHaveProperty("notify");
    const outcome = await reloadWith((c) => (c.notify = { urls: ["https://ntfy.sh/reload-topic-0123456789"] }));
    expect(outcome.restartNeeded).toEqual([]);
    expect(daemon.status()).toMatchObject({ notify: { targets: [{ url: "https://ntfy.sh/********", queued: 0 }] } });
  });

  it("covers every section of the config", () => {
    const tested = ["stateDir", "trakt", "accounts", "secrets", "log", "server", "scrobble", "outbox", "identify", "mpv", "kodi", "plex", "jellyfin", "emby", "notify", "schedules"];
    expect(configKeys().children.map((k) => k.name).sort()).toEqual(tested.sort());
  });
});
