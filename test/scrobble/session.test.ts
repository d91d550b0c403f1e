import { describe, expect, it } from "vitest";
import { isDisposable, nextDeadline, step, newSession } from "../../src/scrobble/session.js";
import { baseSettings, event, runSteps, show, T0, type Step } from "./helpers.js";

interface Row {
  name: string;
  steps: Step[];
  out: string[];
  threshold?: number;
  /** scrobble.trustPlayerVerdict (default true). */
  trust?: boolean;
}

// Items are 100 minutes long, so 1 % = 60 s of playing; events are consistent with elapsed time unless they seek.
const rules: Record<string, Row[]> = {
  start: [
    { name: "first playing sends start with the current progress", steps: [[0, "playing", 10]], out: ["start 10"] },
    { name: "no repeated start while playing", steps: [[0, "playing", 10], [60, "playing", 11], [120, "playing", 12]], out: ["start 10"] },
    { name: "paused first, then playing: start on play", steps: [[0, "paused", 30], [60, "playing", 30]], out: ["start 30"] },
    { name: "resume after a sent pause sends start", steps: [[0, "playing", 10], [60, "paused", 11], [65, "tick"], [600, "playing", 11]], out: ["start 10", "pause 11", "start 11"] },
  ],
  seek: [
    { name: "a seek while playing re-sends start after the debounce", steps: [[0, "playing", 10], [60, "playing", 40], [62, "tick"], [63, "tick"]], out: ["start 10", "start 40"] },
    { name: "a burst of seeks sends one start with the final progress", steps: [[0, "playing", 10], [60, "playing", 40], [61, "playing", 60], [62, "playing", 30], [64, "tick"], [65, "tick"]], out: ["start 10", "start 30"] },
    { name: "endless scrubbing still sends a start after four debounce times", steps: [[0, "playing", 10], [60, "playing", 40], [62, "playing", 50], [64, "playing", 60], [66, "playing", 70], [68, "playing", 20], [70, "playing", 30], [71, "tick"], [72, "tick"]], out: ["start 10", "start 30"] },
    { name: "a seek during a fast pause/resume is still sent", steps: [[0, "playing", 10], [60, "paused", 11], [62, "playing", 50], [65, "tick"]], out: ["start 10", "start 50"] },
    { name: "seek then pause: the pause carries the new progress", steps: [[0, "playing", 10], [60, "playing", 40], [61, "paused", 40], [66, "tick"]], out: ["start 10", "pause 40"] },
    { name: "seek, pause, quick resume: the seek's start still goes out", steps: [[0, "playing", 10], [60, "playing", 40], [61, "paused", 40], [62, "playing", 40], [65, "tick"]], out: ["start 10", "start 40"] },
  ],
  pause: [
    { name: "pause is sent once the debounce has passed", steps: [[0, "playing", 10], [60, "paused", 11], [64, "tick"], [65, "tick"]], out: ["start 10", "pause 11"] },
    { name: "pause and resume within the debounce send nothing", steps: [[0, "playing", 10], [60, "paused", 11], [62, "playing", 11], [70, "tick"]], out: ["start 10"] },
    { name: "repeated paused reports send one pause", steps: [[0, "playing", 10], [60, "paused", 11], [61, "paused", 11], [65, "tick"], [70, "paused", 11]], out: ["start 10", "pause 11"] },
  ],
  stop: [
    { name: "ended sends stop at 100", steps: [[0, "playing", 10], [600, "ended"]], out: ["start 10", "stop 100"] },
    { name: "stopped below the threshold sends pause with the last position", steps: [[0, "playing", 10], [1800, "stopped", 40]], out: ["start 10", "pause 40"] },
    { name: "stopped at or above 80 sends stop", steps: [[0, "playing", 10], [4800, "stopped", 90]], out: ["start 10", "stop 90"] },
    { name: "player vanished while playing: last position advanced by the time played", steps: [[0, "playing", 10], [4500, "playing", 85], [4800, "stopped"]], out: ["start 10", "stop 90"] },
    { name: "a stop reported at position 0 after real progress counts as no position", steps: [[0, "playing", 10], [4500, "playing", 85], [4800, "stopped", 0]], out: ["start 10", "stop 90"] },
    { name: "player vanished while paused: last position, not advanced", steps: [[0, "playing", 10], [600, "paused", 20], [605, "tick"], [4000, "stopped"]], out: ["start 10", "pause 20"] },
    { name: "a stop with no start sends nothing", steps: [[0, "stopped", 50]], out: [] },
    { name: "paused then stopped without ever playing sends nothing", steps: [[0, "paused", 50], [10, "stopped", 90]], out: [] },
    { name: "a pending pause is replaced by the stop", steps: [[0, "playing", 10], [4800, "paused", 90], [4801, "stopped", 90]], out: ["start 10", "stop 90"] },
  ],
  playlist: [
    { name: "playlist next stops the old item (advanced) and starts the new one", steps: [[0, "playing", 10, "A"], [5100, "playing", 95, "A"], [5400, "playing", 0, "B"]], out: ["start 10 A", "stop 100 A", "start 1 B"] },
    { name: "skipping to the next item early pauses the old one", steps: [[0, "playing", 10, "A"], [600, "playing", 20, "A"], [610, "playing", 0, "B"]], out: ["start 10 A", "pause 20.17 A", "start 1 B"] },
    { name: "a new item while paused: old one finished at its paused position", steps: [[0, "playing", 10, "A"], [600, "paused", 20, "A"], [605, "tick"], [900, "paused", 5, "B"], [960, "playing", 5, "B"]], out: ["start 10 A", "pause 20 A", "start 5 B"] },
  ],
  stale: [
    // A player that reports while playing (two reports within staleAfterSeconds) is expected to keep reporting.
    { name: "silent while playing: paused at the last progress, closed without inventing", steps: [[0, "playing", 10], [60, "playing", 11], [359, "tick"], [360, "tick"], [3659, "tick"], [3660, "tick"]], out: ["start 10", "pause 11"] },
    { name: "silent past the threshold: the watch it saw counts at close", steps: [[0, "playing", 10], [60, "playing", 11], [4800, "playing", 90], [5100, "tick"], [8400, "tick"]], out: ["start 10", "pause 90", "stop 90"] },
    { name: "reporting again after going stale sends start", steps: [[0, "playing", 10], [60, "playing", 11], [360, "tick"], [660, "playing", 30]], out: ["start 10", "pause 11", "start 30"] },
    { name: "silent but still playing, as its position shows: the silent time counts as played", steps: [[0, "playing", 90], [30, "playing", 90.5], [330, "tick"], [400, "stopped", 96.67]], out: ["start 90", "pause 90.5", "stop 96.67"] },
    { name: "a player that only reports changes is not paused while the item could still be playing", steps: [[0, "playing", 10], [5699, "tick"], [5700, "tick"], [8999, "tick"], [9000, "tick"], [9001, "playing", 10]], out: ["start 10", "pause 10", "start 10"] },
    { name: "event-driven player (Plex webhooks): play, scrobble at 90 %, stop — a watch", steps: [[0, "playing", 10], [4800, "playing", 90], [5100, "stopped", 95]], out: ["start 10", "stop 95"] },
    { name: "a paused session is closed after the close time", steps: [[0, "playing", 10], [600, "paused", 20], [605, "tick"], [4199, "tick"], [4200, "tick"], [4300, "playing", 20]], out: ["start 10", "pause 20", "start 20"] },
  ],
  preview: [
    { name: "opened at 95 % and stopped after 30 s: not a watch", steps: [[0, "playing", 95], [30, "stopped", 95.5]], out: ["start 95", "pause 95.5"] },
    { name: "opened at 95 % and played 90 s: a watch", steps: [[0, "playing", 95], [90, "stopped", 96.5]], out: ["start 95", "stop 96.5"] },
    { name: "opened at 95 %, ended after 30 s: not a watch", steps: [[0, "playing", 95], [30, "ended"]], out: ["start 95", "pause 100"] },
    { name: "seeking past the threshold arms the preview", steps: [[0, "playing", 10], [600, "playing", 20], [610, "playing", 95], [613, "tick"], [640, "stopped", 95.5]], out: ["start 10", "start 95", "pause 95.5"] },
    { name: "playing across the threshold needs no preview", steps: [[0, "playing", 10], [4200, "playing", 80], [4210, "stopped", 80.17]], out: ["start 10", "stop 80.17"] },
    { name: "paused time does not count as preview", steps: [[0, "playing", 95], [30, "paused", 95.5], [35, "tick"], [600, "playing", 95.5], [630, "stopped", 96]], out: ["start 95", "pause 95.5", "start 95.5", "stop 96"] },
    { name: "paused time does not count as preview (too short)", steps: [[0, "playing", 95], [20, "paused", 95.33], [25, "tick"], [600, "playing", 95.33], [620, "stopped", 95.67]], out: ["start 95", "pause 95.33", "start 95.33", "pause 95.67"] },
  ],
  clamp: [
    { name: "progress below 1 is sent as 1", steps: [[0, "playing", 0], [10, "paused", 0.17], [15, "tick"]], out: ["start 1", "pause 1"] },
    { name: "progress above 100 is sent as 100", steps: [[0, "playing", 10], [5400, "stopped", 120]], out: ["start 10", "stop 100"] },
  ],
  shutdown: [
    { name: "shutdown while playing: pause with the last progress", steps: [[0, "playing", 10], [60, "playing", 11], [61, "shutdown"]], out: ["start 10", "pause 11"] },
    { name: "shutdown while paused (sent): nothing more", steps: [[0, "playing", 10], [60, "paused", 11], [65, "tick"], [70, "shutdown"]], out: ["start 10", "pause 11"] },
    { name: "shutdown with a pause pending: the pause goes out now", steps: [[0, "playing", 10], [60, "paused", 11], [61, "shutdown"]], out: ["start 10", "pause 11"] },
    { name: "shutdown past the threshold is still only a pause", steps: [[0, "playing", 10], [5100, "playing", 95], [5101, "shutdown"]], out: ["start 10", "pause 95"] },
  ],
  threshold: [
    { name: "80: stop at exactly 80 counts", steps: [[0, "playing", 10], [4200, "stopped", 80]], out: ["start 10", "stop 80"] },
    { name: "80: stop at 79.99 is a pause", steps: [[0, "playing", 10], [4199, "stopped", 79.99]], out: ["start 10", "pause 79.99"] },
    { name: "90: a stop at 85 is sent as pause", threshold: 90, steps: [[0, "playing", 10], [4500, "stopped", 85]], out: ["start 10", "pause 85"] },
    { name: "90: a stop at 95 is a stop", threshold: 90, steps: [[0, "playing", 10], [5100, "stopped", 95]], out: ["start 10", "stop 95"] },
    { name: "70: a stop at 75 is a pause plus a history watch", threshold: 70, steps: [[0, "playing", 10], [3900, "stopped", 75]], out: ["start 10", "pause 75", "watched 75"] },
    { name: "70: a stop at 85 is a stop", threshold: 70, steps: [[0, "playing", 10], [4500, "stopped", 85]], out: ["start 10", "stop 85"] },
    { name: "70: a stop at 60 is a pause", threshold: 70, steps: [[0, "playing", 10], [3000, "stopped", 60]], out: ["start 10", "pause 60"] },
    { name: "70: stale at 75 becomes a history watch at close", threshold: 70, steps: [[0, "playing", 10], [60, "playing", 11], [3900, "playing", 75], [4200, "tick"], [7500, "tick"]], out: ["start 10", "pause 75", "watched 75"] },
  ],
  verdict: [
    // The case: played from the start to 50 %, skipped to 96 % and left to end; the player marked it watched.
    { name: "skipped to the end, the player counted it: a watch despite the preview rule", steps: [[0, "playing", 1], [3000, "playing", 51], [3001, "playing", 99.5], [3004, "tick"], [3020, "playing", 99.82, "A", "watched"], [3030, "ended"]], out: ["start 1", "start 99.5", "stop 100"] },
    { name: "the same without the player's verdict: the preview rule holds", steps: [[0, "playing", 1], [3000, "playing", 51], [3001, "playing", 99.5], [3004, "tick"], [3020, "playing", 99.82], [3030, "ended"]], out: ["start 1", "start 99.5", "pause 100"] },
    { name: "the same with trustPlayerVerdict off: the preview rule holds", trust: false, steps: [[0, "playing", 1], [3000, "playing", 51], [3001, "playing", 99.5], [3004, "tick"], [3020, "playing", 99.82, "A", "watched"], [3030, "ended"]], out: ["start 1", "start 99.5", "pause 100"] },
    { name: "the verdict with the stop counts", steps: [[0, "playing", 95], [30, "stopped", 95.5, "A", "watched"]], out: ["start 95", "stop 95.5"] },
    { name: "the player counted it below 80 %: a pause plus a history watch", steps: [[0, "playing", 10], [600, "playing", 20, "A", "watched"], [1200, "stopped", 30]], out: ["start 10", "pause 30", "watched 30"] },
    { name: "counted between 80 % and a higher threshold: a stop", threshold: 90, steps: [[0, "playing", 10], [4500, "stopped", 85, "A", "watched"]], out: ["start 10", "stop 85"] },
    { name: "a verdict after the stop upgrades the finished playthrough once, through history", steps: [[0, "playing", 95], [30, "stopped", 95.5], [31, "stopped", 95.5, "A", "watched"], [32, "stopped", 96, "A", "watched"]], out: ["start 95", "pause 95.5", "watched 95.5"] },
    { name: "a late verdict with trustPlayerVerdict off changes nothing", trust: false, steps: [[0, "playing", 95], [30, "stopped", 95.5], [31, "stopped", 95.5, "A", "watched"]], out: ["start 95", "pause 95.5"] },
    { name: "a late verdict on a playthrough already counted adds nothing", steps: [[0, "playing", 10], [5400, "ended"], [5401, "stopped", 100, "A", "watched"]], out: ["start 10", "stop 100"] },
    { name: "a late verdict for another item changes nothing", steps: [[0, "playing", 95], [30, "stopped", 95.5], [31, "stopped", 100, "B", "watched"]], out: ["start 95 A", "pause 95.5 A"] },
    { name: "a stale verdict (more than five minutes after the stop) changes nothing", steps: [[0, "playing", 95], [30, "stopped", 95.5], [331, "stopped", 95.5, "A", "watched"]], out: ["start 95", "pause 95.5"] },
    { name: "a late verdict while the next item plays upgrades the previous one and leaves the playing one alone", steps: [[0, "playing", 95, "A"], [30, "playing", 0, "B"], [40, "stopped", 95.5, "A", "watched"], [100, "playing", 1, "B"]], out: ["start 95 A", "pause 95.5 A", "start 1 B", "watched 95.5 A"] },
    { name: "a verdict with the stop of an item playing again counts that playthrough, not the earlier one", steps: [[0, "playing", 95], [30, "stopped", 95.5], [40, "playing", 95.5], [45, "stopped", 95.58, "A", "watched"]], out: ["start 95", "pause 95.5", "start 95.5", "stop 95.58"] },
  ],
  duplicates: [
    { name: "identical consecutive events are ignored", steps: [[0, "playing", 10], [0, "playing", 10], [60, "paused", 11], [60, "paused", 11], [65, "tick"], [600, "ended"], [600, "ended"]], out: ["start 10", "pause 11", "stop 100"] },
  ],
};

describe("session state machine", () => {
  for (const [rule, rows] of Object.entries(rules)) {
    describe(rule, () => {
      it.each(rows)("$name", (row) => {
        const settings = { ...baseSettings, watchedThreshold: row.threshold ?? 80, trustPlayerVerdict: row.trust ?? true };
        const multi = row.steps.some((s) => s.length >= 4 && s[3] !== "A");
        expect(show(runSteps(row.steps, settings).intents, multi)).toEqual(row.out);
      });
    });
  }

  it("gives each playthrough its own id; a restart after a stop is a new playthrough", () => {
    const { intents } = runSteps([[0, "playing", 10], [600, "stopped", 20], [700, "playing", 20], [760, "stopped", 21]]);
    expect(show(intents)).toEqual(["start 10", "pause 20", "start 20", "pause 21"]);
    const [a, b, c, d] = intents.map((i) => i.playthroughId);
    expect(a).toBe(b);
    expect(c).toBe(d);
    expect(a).not.toBe(c);
    expect(new Set(intents.map((i) => i.id)).size).toBe(intents.length);
  });

  it("stamps stop and watched with when playback really ended", () => {
    const { intents } = runSteps([[0, "playing", 10], [60, "playing", 11], [3900, "playing", 75], [4200, "tick"], [7500, "tick"]], { ...baseSettings, watchedThreshold: 70 });
    const watched = intents.find((i) => i.kind === "watched");
    expect(watched?.endedAt).toBe(T0 + 3900 * 1000);
    expect(watched?.createdAt).toBe(T0 + 7500 * 1000);
    const stop = runSteps([[0, "playing", 10], [4800, "stopped", 90]]).intents.at(-1);
    expect(stop?.kind).toBe("stop");
    expect(stop?.endedAt).toBe(T0 + 4800 * 1000);
  });

  it("records a watch from a late verdict with the playthrough's real end, once, under its own playthrough id", () => {
    const { intents } = runSteps([[0, "playing", 95], [30, "stopped", 95.5], [90, "stopped", 95.5, "A", "watched"], [95, "stopped", 95.5, "A", "watched"]]);
    expect(show(intents)).toEqual(["start 95", "pause 95.5", "watched 95.5"]);
    const watched = intents.at(-1);
    expect(watched?.endedAt).toBe(T0 + 30_000);
    expect(watched?.createdAt).toBe(T0 + 90_000);
    expect(watched?.playthroughId).toBe(intents[0]?.playthroughId);
    expect(new Set(intents.map((i) => i.id)).size).toBe(intents.length);
  });

  it("keeps an idle session for a late verdict even when the close time is shorter", () => {
    const settings = { ...baseSettings, staleAfterSeconds: 60, closeAfterSeconds: 120 };
    const { state } = runSteps([[0, "playing", 95], [30, "stopped", 95.5]], settings);
    expect(isDisposable(state, T0 + 30_000 + 120_000, settings)).toBe(false);
    expect(nextDeadline(state, settings)).toBe(T0 + 30_000 + 300_000);
    expect(isDisposable(state, T0 + 30_000 + 300_000, settings)).toBe(true);
    const late = step(state, { kind: "event", event: event(250, "stopped", 95.5, "A", "watched") }, T0 + 250_000, settings);
    expect(show(late.intents)).toEqual(["watched 95.5"]);
    // Counted: nothing more to wait for, the close time applies again.
    expect(isDisposable(late.state, T0 + 30_000 + 120_000, settings)).toBe(true);
  });

  it("keeps enriching one item's hints instead of starting a new playthrough", () => {
    let state = newSession("mpv:test", "s1", T0);
    const first = event(0, "playing", 10);
    first.hints = { path: "/media/alpha.mkv" };
    state = step(state, { kind: "event", event: first }, T0, baseSettings).state;
    const later = event(60, "playing", 11);
    later.hints = { path: "/media/alpha.mkv", title: "Alpha", ids: { imdb: "tt0000001" } };
    const r = step(state, { kind: "event", event: later }, T0 + 60_000, baseSettings);
    expect(r.intents).toEqual([]);
    expect(r.state.hints).toMatchObject({ path: "/media/alpha.mkv", title: "Alpha", ids: { imdb: "tt0000001" } });
    const stop = step(r.state, { kind: "event", event: event(120, "stopped", 12) }, T0 + 120_000, baseSettings);
    expect(stop.intents[0]?.hints.title).toBe("Alpha");
  });

  it("carries the event's account into its intents", () => {
    const e = { ...event(0, "playing", 10), account: "alice" };
    const r = step(newSession("mpv:test", "s1", T0), { kind: "event", event: e }, T0, baseSettings);
    expect(r.intents[0]?.account).toBe("alice");
  });

  it("tells the engine when to tick next and when the session can be forgotten", () => {
    let state = runSteps([[0, "playing", 10], [60, "paused", 11]]).state;
    expect(nextDeadline(state, baseSettings)).toBe(T0 + 65_000);
    state = runSteps([[0, "playing", 10], [60, "playing", 11]]).state;
    expect(nextDeadline(state, baseSettings)).toBe(T0 + 360_000); // reports periodically: stale after 300 s
    state = runSteps([[0, "playing", 10]]).state;
    expect(nextDeadline(state, baseSettings)).toBe(T0 + 5_700_000); // not yet known to: the remaining 90 min first
    state = runSteps([[0, "playing", 10], [600, "ended"]]).state;
    expect(state.phase).toBe("idle");
    expect(isDisposable(state, T0 + 600_000 + 3_599_000, baseSettings)).toBe(false);
    expect(isDisposable(state, T0 + 600_000 + 3_600_000, baseSettings)).toBe(true);
  });

  it("does not change the state it is given", () => {
    const state = runSteps([[0, "playing", 10]]).state;
    const copy = structuredClone(state);
    step(state, { kind: "event", event: event(60, "paused", 11) }, T0 + 60_000, baseSettings);
    expect(state).toEqual(copy);
  });
});
