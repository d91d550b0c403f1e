// Notifications in the real daemon, against the Trakt emulator and local receivers: a target that hangs and one
// that fails do not hold up a watch on its way to Trakt; a Trakt outage is one "outbox" message; the status shows
// each target's last result with its URL masked.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemPathContext } from "../../src/config/paths.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { demoScenario } from "../../src/demo/scenario.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import type { AdapterSpec } from "../../src/players/adapter.js";
import { SimulatedPlayerAdapter, type SimulatedPlayback } from "../../src/players/simulated/adapter.js";
import { createLogger } from "../../src/util/log.js";
import { runCli, emulatorSections, seedLogin, writeConfig } from "../support/daemon.js";
import { startDiscord, startHomeAssistant, startNtfy, type Receiver } from "./receivers.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver<R extends Receiver>(started: Promise<R>): Promise<R> {
  const r = await started;
  cleanups.push(() => r.close());
  return r;
}

/** A simulated player; `ended` gets the time it reported the end of its item. */
function simulated(name: string, playback: SimulatedPlayback, ended?: (at: number) => void): AdapterSpec {
  return {
    name,
    fingerprint: name,
    create: (context) =>
      new SimulatedPlayerAdapter(name, playback, {
        ...context,
        emit: (event) => {
          if (event.state === "ended") ended?.(Date.now());
          context.emit(event);
        },
      }),
  };
}

interface Setup {
  emulator: Emulator;
  daemon: Daemon;
  logs: string[];
  configFile: string;
  base: Record<string, unknown>;
}

async function start(notify: Record<string, unknown>, adapters: AdapterSpec[], extra: { config?: Record<string, unknown>; before?: (emulator: Emulator) => Promise<void> } = {}): Promise<Setup> {
  const emulator = await startTraktEmulator({ writeLimitMs: 0 });
  cleanups.push(() => emulator.close());
  const root = await mkdtemp(join(tmpdir(), "tsd-notify-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const stateDir = join(root, "state");
  await seedLogin(emulator, stateDir);
  const configFile = join(root, "config.yaml");
  const base = {
    stateDir,
    ...emulatorSections(emulator),
    mpv: { enabled: false },
    kodi: { enabled: false },
    plex: { enabled: false },
    notify,
    ...extra.config,
  };
  await writeConfig(configFile, base);
  await extra.before?.(emulator);
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", pretty: false, destination: { write: (line: string) => void logs.push(line) } });
  const daemon = await Daemon.start({ configFile, context: systemPathContext({}), watchConfig: false, logger, extraAdapters: adapters });
  cleanups.push(() => daemon.stop(500));
  return { emulator, daemon, logs, configFile, base };
}

const movie = demoScenario({ byIds: true, stepMs: 100, pauseHoldMs: 1_100 });

describe("notifications in the daemon", () => {
  it("a hanging target and a failing one do not delay a watch reaching Trakt; the working one gets its events", async () => {
    const hanging = await receiver(startNtfy());
    hanging.mode = "hang";
    const failing = await receiver(startDiscord({ id: "42", token: "discord-token-abcdefghijklmnopqrstuv" }));
    failing.mode = "fail";
    const ha = await receiver(startHomeAssistant(["scrobbler_hook_abcdef0123456789"]));
    const unknown: SimulatedPlayback = { hints: { path: "/media/home videos/birthday party.mkv" }, durationMs: 60_000, steps: [{ afterMs: 0, state: "playing", positionMs: 1_000 }] };
    // The movie starts once the first notifications are out: the hanging target is hanging by then.
    const late: SimulatedPlayback = { ...movie.playback, steps: movie.playback.steps.map((s, i) => (i === 0 ? { ...s, afterMs: 1_500 } : s)) };
    let endedAt = Number.NaN;
    let stopArrivedAt = Number.NaN;
    const { emulator, daemon, logs } = await start(
      {
        urls: [`ntfy+${hanging.url}/hanging-topic-name`, `discord+${failing.url}/api/webhooks/42/discord-token-abcdefghijklmnopqrstuv`],
        targets: [{ url: `${ha.url}/api/webhook/scrobbler_hook_abcdef0123456789`, name: "home assistant", events: ["not_identified", "watched"] }],
        coalesceSeconds: 0,
        minIntervalSeconds: 0,
        timeoutSeconds: 120,
      },
      [simulated("simulated:home", unknown), simulated("simulated:movie", late, (at) => (endedAt = at))],
      {
        before: (em) => {
          em.onRequest((r) => {
            if (r.path === "/scrobble/stop" && r.status === 201) stopArrivedAt = Date.now();
          });
          return Promise.resolve();
        },
      },
    );

    await hanging.until((r) => r.hanging > 0, "a request held open by the hanging target");
    await failing.until((r) => r.received.length > 0, "a request to the failing target");
    const watch = await emulator.waitForRequest((r) => r.path === "/scrobble/stop" && r.status === 201, 20_000);
    const delay = stopArrivedAt - endedAt;
    expect(emulator.history("alice")).toHaveLength(1);
    expect((watch.body as { progress: number }).progress).toBe(100);
    // The watch went out while the hanging target still held the daemon's request open, and without waiting for it:
    // from the player's end to Trakt's answer in well under the target's 120 s timeout.
    expect(hanging.hanging).toBeGreaterThan(0);
    process.stdout.write(`end of playback → /scrobble/stop at Trakt with one target hanging and one failing: ${delay} ms\n`);
    expect(delay).toBeLessThan(2_000);

    await ha.until(() => ha.triggers.length >= 2, "not_identified and watched at Home Assistant");
    const port = daemon.httpPort;
    expect(ha.triggers.map((t) => (t.json as { events: string[] }).events)).toEqual([["not_identified"], ["watched"]]);
    expect(ha.triggers[0]?.json).toMatchObject({ title: "Could not identify /media/home videos/birthday party.mkv", link: `http://127.0.0.1:${port}/#not-identified` });
    expect(ha.triggers[1]?.json).toMatchObject({ title: `Recorded on Trakt: ${movie.movie.title} (${movie.movie.year})` });

    const status = daemon.status() as { notify?: { targets: { name: string; url: string; lastResult?: { ok: boolean; error?: string } }[] } };
    expect(status.notify?.targets.map((t) => [t.name, t.url, t.lastResult?.ok])).toEqual([
      [`ntfy 127.0.0.1:${new URL(hanging.url).port}`, `${hanging.url}/********`, undefined],
      [`discord 127.0.0.1:${new URL(failing.url).port}`, `${failing.url}/api/webhooks/42/********`, false],
      ["home assistant", `${ha.url}/api/webhook/********`, true],
    ]);
    // `status` shows each target's last result, masked.
    const cli = runCli(["status", "--url", `http://127.0.0.1:${port}`]);
    await cli.exited;
    const shown = cli.logs.map((l) => l.msg).join("\n");
    expect(shown).toMatch(new RegExp(`Notifications:\\n.*ntfy 127\\.0\\.0\\.1:\\d+ \\(http://127\\.0\\.0\\.1:\\d+/\\*{8}\\): nothing sent yet, 1 being sent`));
    expect(shown).toMatch(/discord .*: last FAILED \(HTTP 500\) at .*, 1 waiting \(retry at .*\); 0 sent, [1-9]\d* failed/);
    expect(shown).toMatch(/home assistant \(http:\/\/127\.0\.0\.1:\d+\/api\/webhook\/\*{8}\): last sent at .*; 2 sent, 0 failed, 0 dropped/);
    const text = `${logs.join("\n")}\n${JSON.stringify(status)}\n${shown}`;
    expect(text).not.toContain("discord-token-abcdefghijklmnopqrstuv");
    expect(text).not.toContain("scrobbler_hook_abcdef0123456789");
  }, 60_000);

  it("a Trakt outage is one outbox message however many watches wait", async () => {
    const ha = await receiver(startHomeAssistant(["scrobbler_hook_abcdef0123456789"]));
    const watches = ["one", "two", "three"].map((name, i) =>
      simulated(`simulated:${name}`, { ...movie.playback, hints: { ...movie.playback.hints }, steps: movie.playback.steps.map((s, j) => (j === 0 ? { ...s, afterMs: i * 50 } : s)) }),
    );
    const { emulator, daemon } = await start(
      { targets: [{ url: `${ha.url}/api/webhook/scrobbler_hook_abcdef0123456789`, events: ["outbox_stuck", "dead_letter"] }], outboxStuckMinutes: 0.03, coalesceSeconds: 0.5 },
      watches,
      { config: { outbox: { retryMaxDelaySeconds: 1 } }, before: (em) => em.outage() },
    );
    await ha.until(() => ha.triggers.length >= 1, "the outbox message", 30_000);
    expect(ha.triggers[0]?.json).toMatchObject({ events: ["outbox_stuck"], title: expect.stringMatching(/^A watch has waited \d+ s to reach Trakt$/) as string, link: `http://127.0.0.1:${daemon.httpPort}/#queue` });
    await emulator.recover();
    // Everything waiting goes out once Trakt is back (the outbox retries within a second); no second message.
    await new Promise<void>((resolve) => {
      const off = daemon.activity.subscribe((e) => {
        if (e.type === "queue" && e.pending === 0) {
          off();
          resolve();
        }
      });
    });
    expect(emulator.requests.filter((r) => (r.path === "/scrobble/stop" || r.path === "/sync/history") && r.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(ha.triggers).toHaveLength(1);
  }, 60_000);

  it("targets apply on a config reload: added, changed and removed without a restart", async () => {
    const ha = await receiver(startHomeAssistant(["scrobbler_hook_abcdef0123456789"]));
    const { daemon, configFile, base } = await start({}, []);
    expect(daemon.status()).not.toHaveProperty("notify");
    const target = { url: `${ha.url}/api/webhook/scrobbler_hook_abcdef0123456789`, name: "ha" };
    await writeConfig(configFile, { ...base, notify: { targets: [target], coalesceSeconds: 0 } });
    const added = await daemon.reload();
    expect(added).toMatchObject({ applied: true, restartNeeded: [] });
    daemon.activity.report({ type: "dead_letter", at: Date.now(), id: "x1", account: "default", label: "Heat (1995)", reason: "not_found", message: "Trakt does not know it" });
    await ha.until(() => ha.triggers.length === 1, "a message after the reload");
    await daemon.idleForTests();
    expect((daemon.status() as { notify?: { targets: { name: string; sent: number }[] } }).notify?.targets).toMatchObject([{ name: "ha", sent: 1 }]);

    // Another event chosen, same target: its history is kept.
    await writeConfig(configFile, { ...base, notify: { targets: [{ ...target, events: ["watched"] }], coalesceSeconds: 0, minIntervalSeconds: 0 } });
    expect(await daemon.reload()).toMatchObject({ applied: true, restartNeeded: [] });
    expect((daemon.status() as { notify?: { targets: { sent: number; events: string[] }[] } }).notify?.targets).toMatchObject([{ sent: 1, events: ["watched"] }]);
    daemon.activity.report({ type: "dead_letter", at: Date.now(), id: "x2", account: "default", label: "Heat (1995)", reason: "not_found", message: "Trakt does not know it" });
    daemon.activity.report({ type: "delivered", at: Date.now(), id: "x3", kind: "stop", account: "default", label: "Heat (1995)", via: "scrobble", watched: true });
    await ha.until(() => ha.triggers.length === 2, "the watched message");
    expect((ha.triggers[1]?.json as { events: string[] }).events).toEqual(["watched"]);

    await writeConfig(configFile, base);
    await daemon.reload();
    expect(daemon.status()).not.toHaveProperty("notify");
  }, 60_000);
});
