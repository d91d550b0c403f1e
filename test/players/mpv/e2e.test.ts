// Stage 2: real mpv → MpvAdapter → ScrobbleEngine → Outbox (on disk) → TraktClient → the Trakt emulator, with the
// real identification (file name → emulator search). A file played to the end is one watch in the history; a stop
// at 40 % is none.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config/schema.js";
import { mpvSection } from "../../../src/config/sections/players.js";
import { startTraktEmulator, type Emulator } from "../../../src/emulator/index.js";
import { createIdentifier } from "../../../src/identify/setup.js";
import { Outbox } from "../../../src/outbox/outbox.js";
import { MpvAdapter } from "../../../src/players/mpv/adapter.js";
import { ScrobbleEngine } from "../../../src/scrobble/engine.js";
import type { AccessTokenProvider } from "../../../src/trakt/api.js";
import { TraktClient } from "../../../src/trakt/client.js";
import { silentLogger } from "../../../src/util/log.js";
import { EventCollector, makeMedia, makeTempDir, requireMpv, startMpv } from "../../support/mpv.js";

const runnable = requireMpv();

// See pipeline.test.ts: mpv runs faster than the wall clock here.
const settings = { ...defaultConfig().scrobble, previewSeconds: 0, pauseDebounceSeconds: 0, seekDebounceSeconds: 0, seekToleranceSeconds: 60 };

describe.skipIf(!runnable)("real mpv → adapter → engine → outbox → Trakt emulator", () => {
  let root: { dir: string; remove: () => Promise<void> };
  let media: string;
  let n = 0;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    root = await makeTempDir("mpv-e2e-");
    media = await makeMedia(root.dir, "Blade.Runner.2049.2017.1080p.BluRay.x264.mkv", 20);
  });
  afterAll(() => root.remove());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function stack() {
    const dir = join(root.dir, `s${++n}`);
    const socketDir = join(dir, "sockets");
    await mkdir(socketDir, { recursive: true });
    const emulator: Emulator = await startTraktEmulator({ writeLimitMs: 0 });
    cleanups.push(() => emulator.close());
    const token = emulator.issueTokens().access_token;
    const tokens: AccessTokenProvider = { getAccessToken: () => Promise.resolve(token), refreshAfterUnauthorized: () => Promise.resolve(token) };
    const client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, tokens, writeSpacingMs: 0, retry: { retries: 0 } });
    const { identifier } = createIdentifier({ config: defaultConfig().identify, stateDir: undefined, api: client });
    const outbox = await Outbox.open({ dir: join(dir, "outbox"), api: client, identifier });
    cleanups.push(() => outbox.close());
    const engine = new ScrobbleEngine({ sink: outbox, settings });
    cleanups.push(() => engine.stop());
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
    cleanups.push(() => adapter.stop());
    return { emulator, outbox, engine, events, socket: join(socketDir, "mpv.sock") };
  }

  it("a file played to the end is one watch in the emulator's history", async () => {
    const s = await stack();
    const mpv = startMpv({ socket: s.socket, file: media, speed: 10 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    await s.events.next((e) => e.state === "ended", "ended");
    await s.engine.idle();
    await s.emulator.waitForRequest((r) => r.path === "/scrobble/stop", 10_000);
    await s.outbox.idle();
    const history = s.emulator.history();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ type: "movie", traktId: 900001, title: "Blade Runner 2049" });
    const writes = s.emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(writes).toEqual(["POST /scrobble/start 201", "POST /scrobble/stop 201"]);
  });

  it("a stop at 40 % records a pause and no watch", async () => {
    const s = await stack();
    const mpv = startMpv({ socket: s.socket, file: media, speed: 2 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    const c = await mpv.control();
    cleanups.push(() => c.close());
    await s.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    await c.request("seek", 40, "absolute-percent+exact");
    await s.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 39.9, "playing at 40 %");
    c.send("stop");
    await s.events.next((e) => e.state === "stopped", "stopped");
    await s.engine.idle();
    await s.emulator.waitForRequest((r) => r.path === "/scrobble/pause", 10_000);
    await s.outbox.idle();
    expect(s.emulator.history()).toEqual([]);
    expect(s.emulator.playback()[0]).toMatchObject({ traktId: 900001 });
    expect(s.emulator.playback()[0]!.progress).toBeGreaterThanOrEqual(40);
  });
});
