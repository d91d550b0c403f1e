import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PlaybackEvent, PlaybackState } from "../../src/core/playback.js";
import { ScrobbleEngine, type ScrobbleEngineOptions } from "../../src/scrobble/engine.js";
import type { IntentSink, ScrobbleIntent } from "../../src/scrobble/intent.js";
import { defaultConfig } from "../../src/config/schema.js";
import { createLogger } from "../../src/util/log.js";
import { baseSettings, DURATION_MS, ITEMS, T0, type ItemName } from "./helpers.js";

/** Records what it stores; can be told to fail the next N submits, or to hold submits until released. */
class MemorySink implements IntentSink {
  readonly stored: ScrobbleIntent[] = [];
  failNext = 0;
  attempts = 0;
  gate: Promise<void> | undefined;

  async submit(intent: ScrobbleIntent): Promise<void> {
    this.attempts += 1;
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error("disk full");
    }
    this.stored.push(structuredClone(intent));
  }

  kinds(): string[] {
    return this.stored.map((i) => `${i.kind} ${i.progress}`);
  }
}

function ev(state: PlaybackState, progress?: number, item: ItemName = "A", sessionKey = "s1", player = "mpv:test"): PlaybackEvent {
  const e: PlaybackEvent = { player, sessionKey, state, observedAt: Date.now(), hints: ITEMS[item] };
  if (progress !== undefined) {
    e.positionMs = Math.round((progress / 100) * DURATION_MS);
    e.durationMs = DURATION_MS;
  }
  return e;
}

let sink: MemorySink;
let engine: ScrobbleEngine;
const logLines: string[] = [];

function makeEngine(options: Partial<ScrobbleEngineOptions> = {}): ScrobbleEngine {
  return new ScrobbleEngine({
    sink,
    settings: baseSettings,
    logger: createLogger({ level: "debug", destination: { write: (line: string) => void logLines.push(line) } }),
    ...options,
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  sink = new MemorySink();
  logLines.length = 0;
  engine = makeEngine();
});

afterEach(async () => {
  await engine.stop();
  vi.useRealTimers();
});

const seconds = async (s: number): Promise<void> => {
  await vi.advanceTimersByTimeAsync(s * 1000);
};

/** Keeps playing for `total` seconds, reporting every minute (1 % per minute), from `from` %. */
async function playFor(total: number, from: number, item: ItemName = "A", sessionKey = "s1", player = "mpv:test"): Promise<void> {
  for (let t = 60; t <= total; t += 60) {
    await seconds(60);
    engine.handle(ev("playing", from + t / 60, item, sessionKey, player));
  }
}

describe("ScrobbleEngine", () => {
  it("sends start on play and holds a pause for the debounce time", async () => {
    engine.handle(ev("playing", 10));
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10"]);
    await seconds(60);
    engine.handle(ev("paused", 11));
    await seconds(4.9);
    expect(sink.kinds()).toEqual(["start 10"]);
    await seconds(0.1);
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "pause 11"]);
  });

  it("debounces fast pause/resume to nothing", async () => {
    engine.handle(ev("playing", 10));
    await seconds(60);
    engine.handle(ev("paused", 11));
    await seconds(2);
    engine.handle(ev("playing", 11));
    await seconds(30);
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10"]);
  });

  it("debounces a burst of seeks into one start", async () => {
    engine.handle(ev("playing", 10));
    await seconds(60);
    engine.handle(ev("playing", 40));
    await seconds(1);
    engine.handle(ev("playing", 55));
    await seconds(2.9);
    expect(sink.kinds()).toEqual(["start 10"]);
    await seconds(0.1);
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "start 55"]);
  });

  it("pauses a session that goes silent while playing, then closes and forgets it", async () => {
    engine.handle(ev("playing", 10));
    await playFor(600, 10);
    await seconds(299);
    expect(sink.kinds()).toEqual(["start 10"]);
    await seconds(1);
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "pause 20"]);
    expect(engine.snapshot()[0]?.state).toBe("stale");
    await seconds(3300);
    await engine.idle();
    expect(engine.snapshot()).toEqual([]);
    expect(sink.kinds()).toEqual(["start 10", "pause 20"]);
    await seconds(3600);
    expect(engine.metrics().activeSessions).toBe(0);
  });

  it("on playlist-next stops the old item before starting the new one", async () => {
    engine.handle(ev("playing", 10, "A"));
    await playFor(5100, 10); // at 95 %
    await seconds(290);
    engine.handle(ev("playing", 0, "B"));
    await engine.idle();
    expect(sink.stored.map((i) => `${i.kind} ${i.progress} ${i.hints.title}`)).toEqual([
      "start 10 Alpha",
      "stop 99.83 Alpha",
      "start 1 Beta",
    ]);
    expect(sink.stored[1]?.playthroughId).toBe(sink.stored[0]?.playthroughId);
    expect(sink.stored[2]?.playthroughId).not.toBe(sink.stored[0]?.playthroughId);
    expect(engine.snapshot().map((s) => s.item)).toEqual(["Beta (2002)"]);
  });

  it("keeps intents when the sink fails, retries with backoff and delivers them in order", async () => {
    sink.failNext = 2;
    engine.handle(ev("playing", 10));
    await seconds(0);
    expect(engine.metrics()).toMatchObject({ submitFailures: 1, queued: 1, persisted: 0 });
    await seconds(0.999);
    expect(engine.metrics().submitFailures).toBe(1);
    await seconds(0.001); // first retry after 1 s fails too
    expect(engine.metrics().submitFailures).toBe(2);
    engine.handle(ev("paused", 10 + 1 / 60));
    await seconds(1.999);
    expect(sink.stored).toEqual([]);
    expect(engine.metrics().queued).toBe(1); // the pause is still held by its debounce
    await seconds(0.001); // second retry, 2 s after the first, works
    expect(sink.kinds()).toEqual(["start 10"]);
    await seconds(5);
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "pause 10.02"]);
    expect(engine.metrics()).toMatchObject({ submitFailures: 2, persisted: 2, queued: 0, intents: { start: 1, pause: 1 } });
    expect(logLines.some((l) => l.includes("storing scrobble intents works again"))).toBe(true);
  });

  it("keeps the order of intents while a submit is in flight", async () => {
    let release!: () => void;
    sink.gate = new Promise<void>((resolve) => (release = resolve));
    engine.handle(ev("playing", 10));
    await playFor(600, 10);
    engine.handle(ev("ended"));
    engine.handle(ev("playing", 0, "B"));
    const idle = engine.idle();
    expect(sink.stored).toEqual([]);
    release();
    await idle;
    expect(sink.stored.map((i) => `${i.kind} ${i.hints.title}`)).toEqual(["start Alpha", "stop Alpha", "start Beta"]);
  });

  it("on stop() pauses what is playing, waits for the sink, and ignores later events", async () => {
    engine.handle(ev("playing", 10, "A", "s1"));
    engine.handle(ev("playing", 30, "B", "s2"));
    await seconds(60);
    engine.handle(ev("paused", 11, "A", "s1"));
    await seconds(10); // s1's pause goes out
    await engine.stop();
    expect(sink.kinds().sort()).toEqual(["pause 11", "pause 30", "start 10", "start 30"]);
    engine.handle(ev("playing", 12, "A", "s1"));
    await seconds(10);
    expect(sink.stored).toHaveLength(4);
    expect(engine.metrics().droppedEvents).toBe(1);
  });

  it("on stop() with a broken sink gives up after the timeout and logs what it could not store", async () => {
    engine = makeEngine({ shutdownTimeoutMs: 5000 });
    engine.handle(ev("playing", 10));
    await engine.idle();
    sink.failNext = Number.POSITIVE_INFINITY;
    let done = false;
    const stopping = engine.stop().then(() => (done = true));
    await seconds(4.9);
    expect(done).toBe(false);
    await seconds(0.1);
    await stopping;
    const lost = logLines.map((l) => JSON.parse(l) as { msg: string; intents?: unknown[] }).find((l) => l.msg.includes("could not be stored"));
    expect(lost?.intents).toEqual([expect.objectContaining({ kind: "pause", progress: 10, item: "Alpha (2001)" })]);
    expect(sink.attempts).toBeGreaterThan(2);
  });

  it("counts duplicate events and sends nothing for them", async () => {
    const first = ev("playing", 10);
    engine.handle(first);
    engine.handle(structuredClone(first));
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10"]);
    expect(engine.metrics()).toMatchObject({ events: 2, duplicateEvents: 1 });
  });

  it("reports what is playing now", async () => {
    engine.handle({ ...ev("playing", 25), account: "alice" });
    await seconds(10);
    const [snap] = engine.snapshot();
    expect(snap).toMatchObject({ player: "mpv:test", sessionKey: "s1", account: "alice", state: "playing", trakt: "playing", item: "Alpha (2001)", progress: 25, durationMs: DURATION_MS });
    expect(snap?.playthroughId).toMatch(/^pt-/);
    expect(snap?.updatedAt).toBe(T0);
  });

  it("applies new settings live without dropping sessions", async () => {
    engine.handle(ev("playing", 10));
    await seconds(30);
    engine.handle(ev("playing", 10.5));
    await seconds(90);
    expect(sink.kinds()).toEqual(["start 10"]);
    engine.updateSettings({ ...baseSettings, staleAfterSeconds: 60, pauseDebounceSeconds: 0 });
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "pause 10.5"]); // silent for 90 s > new 60 s
    engine.handle(ev("playing", 12));
    await seconds(1);
    engine.handle(ev("paused", 12 + 1 / 60));
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "pause 10.5", "start 12", "pause 12.02"]);
  });

  it("keeps sessions of different players apart", async () => {
    engine.handle(ev("playing", 10, "A", "1", "kodi:a"));
    engine.handle(ev("playing", 20, "A", "1", "kodi:b"));
    await seconds(200);
    engine.handle(ev("ended", undefined, "A", "1", "kodi:a"));
    await engine.idle();
    expect(sink.stored.map((i) => `${i.player} ${i.kind} ${i.progress}`)).toEqual(["kodi:a start 10", "kodi:b start 20", "kodi:a stop 100"]);
    expect(engine.snapshot().map((s) => s.player)).toEqual(["kodi:b"]);
  });

  it("takes the scrobble config section as its settings", async () => {
    engine = makeEngine({ settings: defaultConfig().scrobble });
    engine.handle(ev("playing", 10));
    await playFor(4200, 10);
    engine.handle(ev("stopped", 80));
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10", "stop 80"]);
  });

  it("survives a malformed event: logs it, counts it, keeps going", async () => {
    const broken = { player: "mpv:test", sessionKey: "s1", state: "playing", observedAt: Date.now() } as unknown as PlaybackEvent;
    expect(() => engine.handle(broken)).not.toThrow();
    expect(engine.metrics().droppedEvents).toBe(1);
    expect(logLines.some((l) => l.includes("scrobble state machine failed"))).toBe(true);
    engine.handle(ev("playing", 10));
    await engine.idle();
    expect(sink.kinds()).toEqual(["start 10"]);
  });
});
