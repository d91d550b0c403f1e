// The composition root hands one activity stream to every part: a real daemon (Trakt emulator, a simulated
// player) reports the adapter, the session, the queue and the delivery of a watch, and an item it cannot identify.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemPathContext } from "../../src/config/paths.js";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { demoScenario } from "../../src/demo/scenario.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import type { AdapterSpec } from "../../src/players/adapter.js";
import { SimulatedPlayerAdapter, type SimulatedPlayback } from "../../src/players/simulated/adapter.js";
import { silentLogger } from "../../src/util/log.js";
import { emulatorSections, seedLogin, writeConfig } from "../support/daemon.js";

let emulator: Emulator | undefined;
let daemon: Daemon | undefined;
let root: string | undefined;

afterEach(async () => {
  await daemon?.stop(500);
  await emulator?.close();
  if (root) await rm(root, { recursive: true, force: true });
  daemon = emulator = root = undefined;
});

function simulated(name: string, playback: SimulatedPlayback): AdapterSpec {
  return { name, fingerprint: name, create: (context) => new SimulatedPlayerAdapter(name, playback, context) };
}

function waitFor(activity: Activity, pred: (events: ActivityEvent[]) => boolean, seen: ActivityEvent[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what}; events: ${JSON.stringify(seen.map((e) => e.type))}`));
    }, 20_000);
    const off = activity.subscribe(() => {
      if (!pred(seen)) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    if (pred(seen)) {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

describe("the daemon's activity stream", () => {
  it("carries what every part reports, from start-up to the delivered watch", async () => {
    emulator = await startTraktEmulator({ writeLimitMs: 0 });
    root = await mkdtemp(join(tmpdir(), "tsd-activity-"));
    const stateDir = join(root, "state");
    await seedLogin(emulator, stateDir);
    const configFile = join(root, "config.yaml");
    await writeConfig(configFile, {
      stateDir,
      ...emulatorSections(emulator),
      mpv: { enabled: false },
      kodi: { enabled: false },
      plex: { enabled: false },
      scrobble: { pauseDebounceSeconds: 1 },
    });
    const scenario = demoScenario({ byIds: true, stepMs: 150, pauseHoldMs: 1_200 });
    const unknown: SimulatedPlayback = {
      hints: { path: "/media/home videos/birthday party.mkv" },
      durationMs: 60_000,
      steps: [{ afterMs: 0, state: "playing", positionMs: 1_000 }],
    };
    const activity = new Activity();
    const seen: ActivityEvent[] = [];
    activity.subscribe((e) => seen.push(e));
    daemon = await Daemon.start({
      configFile,
      context: systemPathContext({}),
      watchConfig: false,
      logger: silentLogger(),
      activity,
      extraAdapters: [simulated("simulated:movie", scenario.playback), simulated("simulated:home", unknown)],
    });
    expect(daemon.activity).toBe(activity);

    const watched = (events: ActivityEvent[]): boolean => events.some((e) => e.type === "delivered" && e.watched);
    await waitFor(activity, (events) => watched(events) && events.some((e) => e.type === "not_identified"), seen, "delivered watch and a miss");

    expect(seen).toContainEqual({ type: "adapter", at: expect.any(Number) as number, name: "simulated:movie", kind: "simulated", state: "connected" });
    expect(seen).toContainEqual(expect.objectContaining({ type: "account", account: "default", state: "ok" }));
    expect(seen.filter((e) => e.type === "sessions").length).toBeGreaterThanOrEqual(4);
    expect(seen).toContainEqual(expect.objectContaining({ type: "queue" }));
    const delivered = seen.filter((e) => e.type === "delivered" && e.watched);
    expect(delivered).toEqual([expect.objectContaining({ account: "default", via: "scrobble", label: expect.stringContaining(scenario.movie.title) as string })]);
    const miss = seen.find((e) => e.type === "not_identified");
    expect(miss).toMatchObject({ what: "/media/home videos/birthday party.mkv", key: expect.any(String) as string });
    expect(emulator.history("alice")).toHaveLength(1);
  }, 60_000);
});
