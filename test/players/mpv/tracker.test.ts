// The pure part: mpv events and property changes in, PlaybackEvents out. Sequences follow what mpv 0.35 sends
// (recorded while writing the adapter: time-pos/percent-pos lose their data just before end-file).
import { describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import type { MpvEvent } from "../../../src/players/mpv/protocol.js";
import { MpvPlaybackTracker, resolveMediaPath } from "../../../src/players/mpv/tracker.js";

const ev = (event: string, fields: Record<string, unknown> = {}): MpvEvent => ({ type: "event", event, fields: { event, ...fields } });
const prop = (name: string, data?: unknown): MpvEvent =>
  ev("property-change", data === undefined ? { name, id: 1 } : { name, id: 1, data });

function tracker(options: Partial<ConstructorParameters<typeof MpvPlaybackTracker>[0]> = {}) {
  const t = new MpvPlaybackTracker({ player: "mpv:/s", socketPath: "/s", progressIntervalMs: 10_000, ...options });
  t.attach({ pid: 42 });
  const out: PlaybackEvent[] = [];
  let now = 1_000_000;
  return {
    out,
    at: (ms: number) => (now = 1_000_000 + ms),
    feed: (...messages: MpvEvent[]) => {
      for (const m of messages) out.push(...t.handle(m, now));
    },
    disconnect: () => out.push(...t.disconnect(now)),
  };
}

/** start-file … playback-restart for a 100 s file, as mpv sends it. */
function load(t: ReturnType<typeof tracker>, path = "/media/Movie.2010.mkv", entry = 1): void {
  t.feed(ev("start-file", { playlist_entry_id: entry }), prop("path", path), prop("media-title", "Movie.2010.mkv"));
  t.feed(ev("file-loaded"), prop("duration", 100), prop("eof-reached", false), ev("playback-restart"));
}

describe("MpvPlaybackTracker", () => {
  it("starts at the first position after playback-restart and ends at 100 % on eof", () => {
    const t = tracker();
    load(t);
    expect(t.out).toEqual([]);
    t.feed(prop("time-pos", 0.04));
    expect(t.out).toHaveLength(1);
    expect(t.out[0]).toMatchObject({
      player: "mpv:/s",
      sessionKey: "/s#42:entry1",
      state: "playing",
      positionMs: 40,
      durationMs: 100_000,
      progress: 0.04,
      observedAt: 1_000_000,
      hints: { path: "/media/Movie.2010.mkv", mediaTitle: "Movie.2010.mkv" },
    });
    expect(t.out[0]).not.toHaveProperty("account");
    t.at(99_900);
    t.feed(prop("time-pos", 99.9), prop("time-pos"), prop("percent-pos"), ev("end-file", { reason: "eof", playlist_entry_id: 1 }));
    expect(t.out.at(-1)).toMatchObject({ state: "ended", progress: 100, positionMs: 100_000 });
    expect(t.out.filter((e) => e.state === "ended")).toHaveLength(1);
  });

  it("sends periodic playing updates no more often than the interval", () => {
    const t = tracker({ progressIntervalMs: 10_000 });
    load(t);
    for (let s = 0; s <= 30; s += 0.5) {
      t.at(s * 1000);
      t.feed(prop("time-pos", s));
    }
    expect(t.out.map((e) => e.positionMs)).toEqual([0, 10_000, 20_000, 30_000]);
  });

  it("does not repeat the first report when mpv restarts playback again without a seek", () => {
    const t = tracker();
    load(t);
    t.feed(prop("time-pos", 0.1), ev("playback-restart"), prop("time-pos", 0.2));
    expect(t.out.map((e) => e.positionMs)).toEqual([100]);
  });

  it("reports pause and resume at once, and does not advance the position while paused", () => {
    const t = tracker();
    load(t);
    t.feed(prop("time-pos", 10));
    t.at(1000);
    t.feed(prop("pause", true));
    t.at(60_000);
    t.feed(prop("pause", false));
    expect(t.out.map((e) => [e.state, e.positionMs])).toEqual([
      ["playing", 10_000],
      ["paused", 11_000],
      ["playing", 11_000],
    ]);
  });

  it("reports a seek with the position mpv gives after playback-restart", () => {
    const t = tracker();
    load(t);
    t.feed(prop("time-pos", 5));
    t.feed(ev("seek"), prop("time-pos", 60), ev("playback-restart"));
    expect(t.out).toHaveLength(1);
    t.feed(prop("time-pos", 60.1));
    expect(t.out.at(-1)).toMatchObject({ state: "playing", positionMs: 60_100 });
  });

  it("stops at the last known position when mpv unloads the file (stop/quit), ignoring the data-less time-pos", () => {
    for (const reason of ["stop", "quit", "error", "redirect", "something-new"]) {
      const t = tracker();
      load(t);
      t.feed(prop("time-pos", 40));
      t.at(20);
      t.feed(prop("time-pos"), prop("percent-pos"), ev("end-file", { reason }));
      expect(t.out.at(-1)).toMatchObject({ state: "stopped", positionMs: 40_020, progress: 40.02 });
    }
  });

  it("on disconnect advances the last position by the time played, times the speed, capped", () => {
    const t = tracker();
    load(t);
    t.feed(prop("speed", 2), prop("time-pos", 10));
    t.at(1500);
    t.disconnect();
    expect(t.out.at(-1)).toMatchObject({ state: "stopped", positionMs: 13_000 });

    const stalled = tracker({ maxExtrapolationMs: 5000 });
    load(stalled);
    stalled.feed(prop("time-pos", 10));
    stalled.at(600_000);
    stalled.disconnect();
    expect(stalled.out.at(-1)).toMatchObject({ state: "stopped", positionMs: 15_000 });
  });

  it("treats an eof well before the end (broken stream, truncated file) as stopped, not ended", () => {
    const t = tracker();
    load(t);
    t.feed(prop("time-pos", 30), ev("end-file", { reason: "eof" }));
    expect(t.out.at(-1)).toMatchObject({ state: "stopped", progress: 30 });
  });

  it("reports the keep-open end once (eof-reached), not again when the file is unloaded later", () => {
    const t = tracker();
    load(t);
    t.feed(prop("time-pos", 99.95), prop("pause", true), prop("eof-reached", true));
    t.feed(ev("end-file", { reason: "quit" }));
    expect(t.out.map((e) => e.state)).toEqual(["playing", "paused", "ended"]);
  });

  it("emits nothing for a file that failed to load or an idle player", () => {
    const t = tracker();
    t.feed(ev("start-file", { playlist_entry_id: 3 }), prop("path", "/nope.mkv"), ev("end-file", { reason: "error", file_error: "loading failed" }));
    t.feed(ev("idle"), prop("idle-active", true));
    t.disconnect();
    expect(t.out).toEqual([]);
  });

  it("gives each playlist entry its own session key", () => {
    const t = tracker();
    load(t, "/a.mkv", 1);
    t.feed(prop("time-pos", 1), prop("time-pos"), ev("end-file", { reason: "stop" }));
    load(t, "/b.mkv", 2);
    t.feed(prop("time-pos", 1));
    expect(t.out.map((e) => [e.state, e.sessionKey, e.hints.path])).toEqual([
      ["playing", "/s#42:entry1", "/a.mkv"],
      ["stopped", "/s#42:entry1", "/a.mkv"],
      ["playing", "/s#42:entry2", "/b.mkv"],
    ]);
  });

  it("picks up a file already playing when it connects", () => {
    const t = new MpvPlaybackTracker({ player: "mpv:/s", socketPath: "/s", progressIntervalMs: 10_000, account: "alice" });
    t.attach({ pid: 7, currentEntryId: 4 });
    const out = [prop("path", "x.mkv"), prop("working-directory", "/home/me"), prop("duration", 50), prop("pause", false), prop("time-pos", 25)].flatMap(
      (m) => t.handle(m, 5),
    );
    expect(out).toEqual([
      {
        player: "mpv:/s",
        sessionKey: "/s#7:entry4",
        state: "playing",
        positionMs: 25_000,
        durationMs: 50_000,
        progress: 50,
        observedAt: 5,
        hints: { path: "/home/me/x.mkv" },
        account: "alice",
      },
    ]);
  });

  it("reports a file opened paused as paused", () => {
    const t = tracker();
    t.feed(prop("pause", true), ev("start-file", { playlist_entry_id: 1 }), prop("path", "/a.mkv"), ev("file-loaded"), prop("duration", 10));
    t.feed(prop("time-pos", 0), ev("playback-restart"));
    expect(t.out.map((e) => [e.state, e.positionMs])).toEqual([["paused", 0]]);
  });

  it("uses percent-pos when the duration is unknown (a stream)", () => {
    const t = tracker();
    t.feed(ev("start-file", { playlist_entry_id: 1 }), prop("path", "https://example.test/live.m3u8"), ev("file-loaded"), ev("playback-restart"));
    t.feed(prop("percent-pos", 12.5), prop("time-pos", 3));
    expect(t.out[0]).toMatchObject({ state: "playing", positionMs: 3000, progress: 12.5, hints: { path: "https://example.test/live.m3u8" } });
    expect(t.out[0]).not.toHaveProperty("durationMs");
  });
});

describe("resolveMediaPath", () => {
  it.each([
    ["movie.mkv", "/home/me/films", "/home/me/films/movie.mkv"],
    ["../x/movie.mkv", "/home/me/films", "/home/me/x/movie.mkv"],
    ["/abs/movie.mkv", "/home/me", "/abs/movie.mkv"],
    ["https://host/v.mp4", "/home/me", "https://host/v.mp4"],
    ["ytdl://abc", "/home/me", "ytdl://abc"],
    ["C:\\Films\\movie.mkv", "/home/me", "C:\\Films\\movie.mkv"],
    ["\\\\nas\\films\\movie.mkv", "/home/me", "\\\\nas\\films\\movie.mkv"],
    ["movie.mkv", undefined, "movie.mkv"],
    ["", "/home/me", undefined],
  ])("%s in %s → %s", (path, wd, expected) => {
    expect(resolveMediaPath(path, wd)).toBe(expected);
  });
});
