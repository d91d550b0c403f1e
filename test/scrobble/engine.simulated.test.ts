// The engine fed by a real adapter (the scripted one used by `demo`), on fake timers.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { SimulatedPlayerAdapter, type SimulatedStep } from "../../src/players/simulated/adapter.js";
import { ScrobbleEngine } from "../../src/scrobble/engine.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import { baseSettings, T0 } from "./helpers.js";

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

it("turns a scripted playback with a long pause into start, pause, start, stop", async () => {
  const stored: ScrobbleIntent[] = [];
  const engine = new ScrobbleEngine({ sink: { submit: (i) => Promise.resolve(void stored.push(i)) }, settings: baseSettings });
  const minute = 60_000;
  const steps: SimulatedStep[] = [{ afterMs: 0, state: "playing", positionMs: 0 }];
  for (let m = 1; m <= 50; m++) steps.push({ afterMs: minute, state: "playing", positionMs: m * minute });
  steps.push({ afterMs: 1000, state: "paused", positionMs: 50 * minute + 1000 });
  steps.push({ afterMs: 10 * minute, state: "playing", positionMs: 50 * minute + 1000 });
  for (let m = 51; m <= 99; m++) steps.push({ afterMs: minute, state: "playing", positionMs: m * minute + 1000 });
  steps.push({ afterMs: minute, state: "ended", positionMs: 100 * minute });
  const adapter = new SimulatedPlayerAdapter("simulated:test", { hints: { kind: "movie", title: "Alpha", year: 2001 }, durationMs: 100 * minute, steps }, { emit: engine.listener, now: () => Date.now() });
  await adapter.start(new AbortController().signal);
  await vi.advanceTimersByTimeAsync(200 * minute);
  await adapter.whenFinished();
  await engine.idle();
  expect(stored.map((i) => `${i.kind} ${i.progress}`)).toEqual(["start 1", "pause 50.02", "start 50.02", "stop 100"]);
  expect(new Set(stored.map((i) => i.playthroughId)).size).toBe(1);
  await adapter.stop();
  await engine.stop();
});
