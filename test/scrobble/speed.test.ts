// Fast playback is not seeking: at 2× a player's position moves 30 s per 15 s of wall time.
import { describe, expect, it } from "vitest";
import { newSession, step, type SessionState } from "../../src/scrobble/session.js";
import { baseSettings, DURATION_MS, event, T0 } from "./helpers.js";

function run(speed: number | undefined, points: [seconds: number, positionSeconds: number][]): string[] {
  let state: SessionState = newSession("mpv:test", "s1", T0);
  const out: string[] = [];
  for (const [seconds, position] of points) {
    const e = event(seconds, "playing");
    e.positionMs = position * 1000;
    e.durationMs = DURATION_MS;
    if (speed !== undefined) e.speed = speed;
    const r = step(state, { kind: "event", event: e }, T0 + seconds * 1000, baseSettings);
    state = r.state;
    out.push(...r.intents.map((i) => `${i.kind} ${i.progress}`));
    const tick = step(state, { kind: "tick" }, T0 + (seconds + 5) * 1000, baseSettings);
    state = tick.state;
    out.push(...tick.intents.map((i) => `${i.kind} ${i.progress}`));
  }
  return out;
}

const every15sAt2x: [number, number][] = [0, 15, 30, 45, 60, 75].map((t) => [t, 600 + 2 * t]);

describe("playback speed", () => {
  it("at 2× with the speed reported, regular updates are not seeks: one start only", () => {
    expect(run(2, every15sAt2x)).toEqual(["start 10"]);
  });

  it("without the speed, the same updates look like seeks (what the speed field fixes)", () => {
    expect(run(undefined, every15sAt2x).filter((i) => i.startsWith("start")).length).toBeGreaterThan(1);
  });

  it("a real seek at 2× is still a seek", () => {
    expect(run(2, [[0, 600], [15, 630], [30, 3000]])).toEqual(["start 10", "start 50"]);
  });
});
