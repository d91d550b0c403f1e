// Real mpv → MpvAdapter → ScrobbleEngine → intents (an in-memory sink standing in for the outbox).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mpvSection } from "../../../src/config/sections/players.js";
import { MpvAdapter } from "../../../src/players/mpv/adapter.js";
import { ScrobbleEngine } from "../../../src/scrobble/engine.js";
import type { ScrobbleIntent } from "../../../src/scrobble/intent.js";
import { silentLogger } from "../../../src/util/log.js";
import { EventCollector, makeMedia, makeTempDir, requireMpv, startMpv } from "../../support/mpv.js";

const runnable = requireMpv();

// mpv plays at --speed 2–10 here, so positions advance faster than the wall clock the engine measures with: a wide
// seek tolerance keeps that from looking like seeks, and no debounce/preview keeps the test short.
const settings = {
  watchedThreshold: 80,
  previewSeconds: 0,
  staleAfterSeconds: 300,
  closeAfterSeconds: 3600,
  pauseDebounceSeconds: 0,
  seekDebounceSeconds: 0,
  seekToleranceSeconds: 60,
};

describe.skipIf(!runnable)("real mpv through the adapter into the scrobble engine", () => {
  let root: { dir: string; remove: () => Promise<void> };
  let media: string;
  let n = 0;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    root = await makeTempDir("mpv-pipeline-");
    media = await makeMedia(root.dir, "The.Matrix.1999.mkv", 20);
  });
  afterAll(() => root.remove());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function pipeline() {
    const socketDir = join(root.dir, `p${++n}`);
    await mkdir(socketDir);
    const intents: ScrobbleIntent[] = [];
    const engine = new ScrobbleEngine({ sink: { submit: (i) => Promise.resolve(void intents.push(i)) }, settings });
    const events = new EventCollector();
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ socketDir, progressIntervalSeconds: 1 }),
      context: {
        emit: (e) => {
          engine.handle(e);
          events.emit(e);
        },
        now: Date.now,
      },
      log: silentLogger(),
    });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => engine.stop());
    cleanups.push(() => adapter.stop());
    const socket = join(socketDir, "mpv.sock");
    return { engine, adapter, events, intents, socket };
  }

  it("played to the end: start, then one stop that counts as a watch", async () => {
    const p = await pipeline();
    const mpv = startMpv({ socket: p.socket, file: media, speed: 10 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    await p.events.next((e) => e.state === "ended", "ended");
    await p.engine.idle();
    expect(p.intents.map((i) => i.kind)).toEqual(["start", "stop"]);
    expect(p.intents[1]?.progress).toBe(100);
    expect(p.intents[1]?.hints.path).toBe(media);
    expect(p.intents[0]?.playthroughId).toBe(p.intents[1]?.playthroughId);
  });

  it("stopped at 40 %: a pause and no watch", async () => {
    const p = await pipeline();
    const mpv = startMpv({ socket: p.socket, file: media, speed: 2 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    const c = await mpv.control();
    cleanups.push(() => c.close());
    await p.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    await c.request("seek", 40, "absolute-percent+exact");
    await p.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 39.9, "playing at 40 %");
    c.send("stop");
    await p.events.next((e) => e.state === "stopped", "stopped");
    await p.engine.idle();
    const kinds = p.intents.map((i) => i.kind);
    expect(kinds.at(-1)).toBe("pause");
    expect(kinds).not.toContain("stop");
    expect(kinds).not.toContain("watched");
    expect(p.intents.at(-1)?.progress).toBeGreaterThanOrEqual(40);
    expect(p.intents.at(-1)?.progress).toBeLessThan(43);
  });

  it("paused and resumed: a pause, then start again with the new progress", async () => {
    const p = await pipeline();
    const mpv = startMpv({ socket: p.socket, file: media, speed: 2 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    const c = await mpv.control();
    cleanups.push(() => c.close());
    await p.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    await c.request("seek", 30, "absolute-percent+exact");
    await p.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 29.9, "playing at 30 %");
    await c.request("set_property", "pause", true);
    await p.events.next((e) => e.state === "paused", "paused");
    await p.engine.idle();
    await c.request("set_property", "pause", false);
    await p.events.until((events) => events.at(-1)?.state === "playing", "resumed");
    await p.engine.idle();
    const kinds = p.intents.map((i) => i.kind);
    expect(kinds.slice(-2)).toEqual(["pause", "start"]);
    const [pause, start] = p.intents.slice(-2);
    expect(pause!.progress).toBeGreaterThanOrEqual(30);
    expect(start!.progress).toBeGreaterThanOrEqual(pause!.progress - 0.01);
    expect(start!.progress - pause!.progress).toBeLessThan(1);
  });
});
