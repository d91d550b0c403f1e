// Adapters report their connection states through the context's `onConnectionChange`, at the moments they log them:
// connected, "unavailable" once, "back" once — never again while nothing changes.
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mpvSection, plexSection } from "../../src/config/sections/players.js";
import type { AdapterContext, AdapterStatus } from "../../src/players/adapter.js";
import { KodiAdapter } from "../../src/players/kodi/adapter.js";
import { MpvAdapter } from "../../src/players/mpv/adapter.js";
import { PlexAdapter } from "../../src/players/plex/adapter.js";
import { SimulatedPlayerAdapter } from "../../src/players/simulated/adapter.js";
import { createLogger, silentLogger, type Logger } from "../../src/util/log.js";
import { makeMedia, makeTempDir, requireMpv, startMpv, type MpvProcess } from "../support/mpv.js";
import { FakeKodi } from "./kodi/fake-kodi.js";

/** Collects reports; `until` waits for a condition on them (no sleeps). */
class Reports {
  readonly seen: AdapterStatus[] = [];
  private readonly waiters = new Set<() => void>();
  readonly context: AdapterContext = {
    emit: () => undefined,
    now: Date.now,
    onConnectionChange: (status) => {
      this.seen.push(status);
      for (const w of [...this.waiters]) w();
    },
  };

  states(name?: string): string[] {
    return this.seen.filter((s) => name === undefined || s.name === name).map((s) => s.state);
  }

  until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what}; reports: ${JSON.stringify(this.seen)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

/** A logger whose lines can be waited for. */
function watchedLog(): { logger: Logger; count: (msg: string) => number; until: (cond: () => boolean, what: string) => Promise<void> } {
  const msgs: string[] = [];
  const waiters = new Set<() => void>();
  const logger = createLogger({
    level: "debug",
    pretty: false,
    destination: {
      write: (line: string) => {
        msgs.push((JSON.parse(line) as { msg: string }).msg);
        for (const w of [...waiters]) w();
      },
    },
  });
  const until = (cond: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what}`));
      }, 15_000);
      waiters.add(check);
      check();
    });
  return { logger, count: (msg) => msgs.filter((m) => m === msg).length, until };
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("Kodi", () => {
  it("reports connected, unavailable once while it is gone, back once, and stopped", async () => {
    const fake = await FakeKodi.start();
    cleanups.push(() => fake.close());
    const reports = new Reports();
    const log = watchedLog();
    const adapter = new KodiAdapter({ name: "living-room", url: fake.url, timing: { reconnectMinMs: 20, reconnectMaxMs: 40 }, log: log.logger }, reports.context);
    cleanups.push(() => adapter.stop());
    await adapter.start(new AbortController().signal);
    await reports.until(() => reports.states().length === 1, "connected");
    expect(reports.seen[0]).toEqual({ name: "living-room", kind: "kodi", state: "connected", detail: fake.url });

    // Kodi goes away: connection refused on every retry.
    const port = fake.port;
    await fake.close();
    await reports.until(() => reports.states().length === 2, "unavailable");
    await log.until(() => log.count("Kodi still unavailable") >= 3, "three quiet retries");
    expect(reports.states()).toEqual(["connected", "disconnected"]);
    expect(reports.seen[1]?.detail).toContain(fake.url);

    const back = await FakeKodi.startOn(port);
    cleanups.push(() => back.close());
    await reports.until(() => reports.states().length === 3, "back");
    expect(reports.states()).toEqual(["connected", "disconnected", "connected"]);
    await adapter.stop();
    expect(reports.states()).toEqual(["connected", "disconnected", "connected", "stopped"]);
  });

  it("a Kodi never reached is reported unavailable once", async () => {
    const reports = new Reports();
    const log = watchedLog();
    const url = `ws://127.0.0.1:${await closedPort()}/jsonrpc`;
    const adapter = new KodiAdapter({ name: "bedroom", url, timing: { reconnectMinMs: 10, reconnectMaxMs: 20 }, log: log.logger }, reports.context);
    cleanups.push(() => adapter.stop());
    await adapter.start(new AbortController().signal);
    await log.until(() => log.count("Kodi still unavailable") >= 3, "three quiet retries");
    expect(reports.seen).toEqual([{ name: "bedroom", kind: "kodi", state: "disconnected", detail: expect.stringContaining("ECONNREFUSED") as string }]);
  });
});

describe("Plex and the simulated player", () => {
  it("Plex reports connected when it starts taking webhooks and stopped when it stops, once each", async () => {
    const reports = new Reports();
    const adapter = new PlexAdapter(plexSection.parse({ enabled: true }), reports.context, silentLogger());
    await adapter.start(new AbortController().signal);
    await adapter.start(new AbortController().signal);
    await adapter.stop();
    await adapter.stop();
    expect(reports.seen.map((s) => [s.name, s.kind, s.state])).toEqual([
      ["plex", "plex", "connected"],
      ["plex", "plex", "stopped"],
    ]);
  });

  it("the simulated player reports connected, then stopped once when its script ends", async () => {
    const reports = new Reports();
    const adapter = new SimulatedPlayerAdapter("demo", { hints: { title: "X" }, durationMs: 1000, steps: [{ afterMs: 1, state: "playing", positionMs: 0 }] }, reports.context);
    await adapter.start(new AbortController().signal);
    await adapter.whenFinished();
    await adapter.stop();
    expect(reports.states()).toEqual(["connected", "stopped"]);
  });
});

describe.skipIf(!requireMpv())("mpv (real mpv)", () => {
  it("an explicit socket: disconnected once while mpv is not running, connected when it runs, disconnected when it quits", async () => {
    const root = await makeTempDir();
    cleanups.push(() => root.remove());
    const media = await makeMedia(root.dir, "Some.Movie.2010.mkv", 20);
    const socket = join(root.dir, "explicit.sock");
    const reports = new Reports();
    const log = watchedLog();
    const adapter = new MpvAdapter({ config: mpvSection.parse({ sockets: [socket], reconnectSeconds: 0.05 }), context: reports.context, log: log.logger });
    cleanups.push(() => adapter.stop());
    await adapter.start(new AbortController().signal);
    const name = `mpv:${socket}`;
    await reports.until(() => reports.states(name).length === 1, "disconnected");
    await log.until(() => log.count("no mpv listening on this socket") >= 4, "quiet retries");
    expect(reports.seen).toEqual([
      { name: "mpv", kind: "mpv", state: "connected" },
      { name, kind: "mpv", state: "disconnected", detail: expect.stringMatching(/mpv not running/) as string },
    ]);

    const p: MpvProcess = startMpv({ socket, file: media, speed: 1 });
    cleanups.push(() => p.kill("SIGKILL"));
    await reports.until(() => reports.states(name).length === 2, "connected");
    expect(reports.seen.at(-1)).toMatchObject({ name, state: "connected", detail: expect.stringMatching(/^pid \d+/) as string });
    await p.kill("SIGTERM");
    await reports.until(() => reports.states(name).length === 3, "disconnected after quit");
    expect(reports.states(name)).toEqual(["disconnected", "connected", "disconnected"]);
    await adapter.stop();
    expect(reports.states(name)).toEqual(["disconnected", "connected", "disconnected", "stopped"]);
  });
});
