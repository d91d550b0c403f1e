// The Kodi adapter against a fake Kodi that answers with the real Kodi 20 transcript's payloads.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KodiAdapter, type KodiAdapterOptions } from "../../../src/players/kodi/adapter.js";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { FakeKodi, Scenario, type FakePlayback } from "./fake-kodi.js";
import { captureLog, EventRecorder, ioUntil, trackRequests } from "./support.js";
import { readFile } from "node:fs/promises";

const readFixture = (name: string): Promise<string> => readFile(new URL(`../../fixtures/kodi/${name}`, import.meta.url), "utf8");

const FAKE: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] };

function playbackFrom(name: ConstructorParameters<typeof Scenario>[0], nth = 0): FakePlayback {
  const s = new Scenario(name);
  return { activePlayers: s.result("Player.GetActivePlayers", nth), item: s.result("Player.GetItem", nth), properties: s.result("Player.GetProperties", nth) };
}

/** Consecutive duplicates removed: the state transitions. */
function transitions(events: PlaybackEvent[]): string[] {
  return events.map((e) => e.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);
}

function kodiTime(ms: number): { hours: number; milliseconds: number; minutes: number; seconds: number } {
  return { hours: Math.floor(ms / 3_600_000), milliseconds: Math.floor(ms % 1000), minutes: Math.floor(ms / 60_000) % 60, seconds: Math.floor(ms / 1000) % 60 };
}

describe("KodiAdapter (fake Kodi from the real transcript)", () => {
  let fake: FakeKodi;
  let adapter: KodiAdapter | undefined;
  let recorder: EventRecorder;

  beforeEach(async () => {
    fake = await FakeKodi.start();
    recorder = new EventRecorder();
  });

  afterEach(async () => {
    await adapter?.stop();
    adapter = undefined;
    await fake.close();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  async function start(options: Partial<KodiAdapterOptions> = {}): Promise<KodiAdapter> {
    adapter = new KodiAdapter(
      { name: "living-room", url: fake.url, timing: { reconnectMinMs: 20, reconnectMaxMs: 40 }, ...options },
      { emit: recorder.emit, now: () => Date.now() },
    );
    await adapter.start(new AbortController().signal);
    await fake.waitForRequests("Player.GetActivePlayers");
    return adapter;
  }

  it("the constructor does no work: nothing connects before start()", async () => {
    adapter = new KodiAdapter({ name: "x", url: fake.url }, { emit: recorder.emit, now: () => Date.now() });
    expect(adapter.status()).toEqual([{ name: "x", kind: "kodi", state: "starting", detail: fake.url }]);
    await adapter.start(new AbortController().signal);
    await fake.waitForConnections(1);
    await ioUntil(() => adapter!.status()[0]?.state === "connected", "connected");
  });

  it("idle: no request but the heartbeat while nothing plays (5 minutes of fake time)", async () => {
    vi.useFakeTimers(FAKE);
    const requests = trackRequests();
    await start();
    await requests.settled();
    expect(adapter!.status()[0]?.state).toBe("connected");
    for (let beat = 1; beat <= 30; beat++) {
      await vi.advanceTimersByTimeAsync(10_000);
      await requests.settled();
    }
    const counts: Record<string, number> = {};
    for (const r of fake.requests) counts[r.method] = (counts[r.method] ?? 0) + 1;
    expect(counts).toEqual({ "Player.GetActivePlayers": 1, "JSONRPC.Ping": 30 });
    expect(requests.sent()).toBe(31);
    expect(recorder.events).toEqual([]);
  });

  it("picks up a library episode already playing on connect: episode ids, show ids, negative time read as 0", async () => {
    fake.playback = playbackFrom("library-episode-by-path");
    await start({ account: "family" });
    const e = await recorder.waitFor((ev) => ev.state === "playing");
    expect(e).toMatchObject({
      player: "kodi:living-room",
      state: "playing",
      positionMs: 0, // Kodi said -112 ms
      durationMs: 60_021,
      progress: 0,
      account: "family",
    });
    expect(e.hints).toEqual({
      kind: "episode",
      title: "Lecture Circuit (1)",
      year: 2009,
      showTitle: "The Office (US)",
      season: 5,
      episode: 14,
      ids: { imdb: "tt1355876", tmdb: "62799", tvdb: "447981" },
      showIds: { imdb: "tt0386676", tmdb: "2316", tvdb: "73244" },
      guids: ["kodi-imdbnumber://447981"],
      path: "/srv/kodi-test/media/tv/The Office (US)/Season 05/The Office (US) - S05E14.mkv",
      runtimeSeconds: 60,
    });
    const getItem = fake.requests.find((r) => r.method === "Player.GetItem");
    expect(getItem?.params).toEqual({
      playerid: 1,
      properties: ["title", "showtitle", "season", "episode", "year", "uniqueid", "imdbnumber", "tvshowid", "file", "runtime", "playcount"],
    });
    expect(fake.requests.find((r) => r.method === "VideoLibrary.GetTVShowDetails")?.params).toMatchObject({ tvshowid: 1 });
  });

  it("follows the real notification sequence of a plain file: play, pause, resume, seek back, speed 2 → 1, stop", async () => {
    const s = new Scenario("file-episode");
    await start();
    fake.playback = playbackFrom("file-episode", 0);
    for (const m of ["Playlist.OnClear", "Playlist.OnAdd", "Player.OnAVChange", "Player.OnPlay", "Player.OnAVStart"]) fake.send(s.notification(m));
    const started = await recorder.waitFor((e) => e.state === "playing");
    expect(started.hints).toEqual({
      kind: "unknown",
      mediaTitle: "The Office (US) - S05E14.mkv",
      path: "/srv/kodi-test/media/loose/The Office (US) - S05E14.mkv",
    });

    fake.playback = playbackFrom("file-episode", 1); // speed 0, 3.092 s
    fake.send(s.notification("Player.OnPause"));
    const paused = await recorder.waitFor((e) => e.state === "paused");
    expect(paused.positionMs).toBe(3_092);

    fake.playback = playbackFrom("file-episode", 2); // speed 1, 3.917 s
    let from = recorder.mark();
    fake.send(s.notification("Player.OnResume"));
    await recorder.waitFor((e) => e.state === "playing", from);

    from = recorder.mark();
    fake.send(s.notification("Player.OnSeek")); // seekoffset -3 s, time 1.949 s
    const sought = await recorder.waitFor(() => true, from);
    expect(sought.positionMs).toBe(1_949);

    fake.playback = playbackFrom("file-episode", 4); // speed 2
    fake.send(s.notification("Player.OnSpeedChanged", 0));
    fake.playback = playbackFrom("file-episode", 5); // speed 1 again
    fake.send(s.notification("Player.OnResume", 1));
    fake.send(s.notification("Player.OnSpeedChanged", 1));
    fake.setIdle();
    from = recorder.mark();
    fake.send(s.notification("Player.OnStop"));
    const stopped = await recorder.waitFor((e) => e.state === "stopped", from);

    expect(transitions(recorder.events)).toEqual(["playing", "paused", "playing", "stopped"]);
    expect(new Set(recorder.events.map((e) => e.sessionKey))).toEqual(new Set([started.sessionKey]));
    expect(stopped.durationMs).toBe(60_021);
    for (const r of fake.requests.filter((q) => q.method.startsWith("Player.Get") && q.method !== "Player.GetActivePlayers")) {
      expect(r.params?.playerid).toBe(1);
    }
  });

  it("OnStop with end: true is 'ended' at 100 %", async () => {
    fake.playback = playbackFrom("library-movie-to-end", 1); // 93 %
    await start();
    const playing = await recorder.waitFor((e) => e.state === "playing");
    expect(playing.hints.ids).toEqual({ imdb: "tt1856101", tmdb: "335984" });
    fake.setIdle();
    fake.send(new Scenario("library-movie-to-end").notification("Player.OnStop"));
    const ended = await recorder.waitFor((e) => e.state === "ended");
    expect(ended).toMatchObject({ sessionKey: playing.sessionKey, progress: 100, positionMs: 60_021 });
    expect(recorder.events.filter((e) => e.state === "stopped" || e.state === "ended")).toHaveLength(1);
  });

  describe("Kodi's own verdict: VideoLibrary.OnUpdate raising the play count", () => {
    const toEnd = new Scenario("library-movie-to-end");
    /** The movie of the transcript playing, with the play count Player.GetItem gives for it. */
    function moviePlaying(playcount: number | undefined): FakePlayback {
      const playback = playbackFrom("library-movie-to-end", 1); // 93 %
      const item = structuredClone(playback.item) as { item: Record<string, unknown> };
      if (playcount !== undefined) item.item.playcount = playcount;
      return { ...playback, item };
    }

    /** A plain file starts playing: once its event is out, every notification sent before was handled. */
    async function nextPlaybackStarted(previousKey: string): Promise<void> {
      fake.playback = playbackFrom("file-movie", 0);
      fake.send(new Scenario("file-movie").notification("Player.OnAVStart"));
      await recorder.waitFor((e) => e.state === "playing" && e.sessionKey !== previousKey);
    }

    it("before OnStop (Kodi 20's order): a playing event with playerWatched, then the end", async () => {
      fake.playback = moviePlaying(1);
      await start();
      const playing = await recorder.waitFor((e) => e.state === "playing");
      expect(fake.requests.find((r) => r.method === "Player.GetItem")?.params?.properties).toContain("playcount");
      fake.setIdle();
      // Verbatim: OnUpdate {item, playcount: 2}, OnUpdate {id, type}, OnStop {end: true}.
      for (const m of [toEnd.notification("VideoLibrary.OnUpdate", 0), toEnd.notification("VideoLibrary.OnUpdate", 1), toEnd.notification("Player.OnStop")]) fake.send(m);
      await recorder.waitFor((e) => e.state === "ended");
      const own = recorder.events.filter((e) => e.sessionKey === playing.sessionKey);
      expect(own.map((e) => [e.state, e.playerWatched ?? false])).toEqual([
        ["playing", false],
        ["playing", true],
        ["ended", false],
      ]);
      expect(own[1]?.progress).toBeGreaterThan(90);
    });

    it("after OnStop: the finished playback gets a stopped event with playerWatched, once", async () => {
      fake.playback = moviePlaying(undefined); // play count not given: any count counts as raised
      await start();
      const playing = await recorder.waitFor((e) => e.state === "playing");
      fake.setIdle();
      fake.send(new Scenario("library-movie-by-id").notification("Player.OnStop"));
      await recorder.waitFor((e) => e.state === "stopped");
      const update = toEnd.notification("VideoLibrary.OnUpdate", 0);
      fake.send(update);
      fake.send(update);
      const verdict = await recorder.waitFor((e) => e.playerWatched === true);
      expect(verdict).toMatchObject({ sessionKey: playing.sessionKey, state: "stopped", hints: playing.hints });
      await nextPlaybackStarted(playing.sessionKey); // notifications are handled in order: the second update is done
      expect(recorder.events.filter((e) => e.playerWatched)).toHaveLength(1);
    });

    it("changes nothing for a play count that did not go up, another item, a resume point, or a stale update", async () => {
      fake.playback = moviePlaying(2);
      await start();
      const playing = await recorder.waitFor((e) => e.state === "playing");
      fake.send(toEnd.notification("VideoLibrary.OnUpdate", 0)); // playcount 2: not raised
      fake.send(new Scenario("library-episode-by-path").notification("VideoLibrary.OnUpdate")); // resume point, no play count
      fake.send(JSON.parse(await readFixture("notification.VideoLibrary.OnUpdate.episode-playcount.json")) as Record<string, unknown>); // another item
      fake.setIdle();
      fake.send(toEnd.notification("Player.OnStop"));
      await recorder.waitFor((e) => e.state === "ended");
      await nextPlaybackStarted(playing.sessionKey);
      expect(recorder.events.filter((e) => e.playerWatched)).toEqual([]);
    });

    it("a play count raised more than five minutes after the stop is not taken as a verdict", async () => {
      vi.useFakeTimers(FAKE);
      const requests = trackRequests();
      fake.playback = moviePlaying(1);
      await start();
      await requests.settled();
      await ioUntil(() => recorder.events.some((e) => e.state === "playing"), "playing");
      fake.setIdle();
      fake.send(toEnd.notification("Player.OnStop"));
      await ioUntil(() => recorder.events.some((e) => e.state === "ended"), "ended");
      for (let beat = 0; beat <= 30; beat++) {
        // 10 s at a time, letting each heartbeat's answer in (a jump of minutes would time the heartbeat out).
        await vi.advanceTimersByTimeAsync(10_000);
        await requests.settled();
      }
      fake.send(toEnd.notification("VideoLibrary.OnUpdate", 0));
      fake.playback = playbackFrom("file-movie", 0);
      fake.send(new Scenario("file-movie").notification("Player.OnAVStart"));
      await ioUntil(() => recorder.events.some((e) => e.hints.path?.includes("Blade Runner 2049 (2017).mkv") && e.hints.kind === "unknown"), "the next playback");
      expect(recorder.events.filter((e) => e.playerWatched)).toEqual([]);
    });
  });

  it("polls only while playing, closer as the watched threshold nears, and not at all once paused", async () => {
    vi.useFakeTimers(FAKE);
    const totalMs = 60 * 60_000;
    const t0 = Date.now();
    let base = 47 * 60_000; // one minute before the 80 % threshold (48:00)
    let speed = 1;
    const position = (): number => base + (Date.now() - t0) * speed;
    const template = new Scenario("library-movie-by-id");
    fake.playback = { ...playbackFrom("library-movie-by-id"), properties: template.result("Player.GetProperties") };
    fake.handlers.set("Player.GetProperties", () => ({
      percentage: (position() / totalMs) * 100,
      speed,
      time: kodiTime(position()),
      totaltime: kodiTime(totalMs),
    }));
    const requests = trackRequests();
    await start({ watchedThreshold: 80 });
    await requests.settled();
    expect(recorder.events).toHaveLength(1);
    // Two minutes in 125 ms steps; after each step, let every poll sent be answered before time moves on.
    for (let i = 0; i < 960; i++) {
      await vi.advanceTimersByTimeAsync(125);
      await requests.settled();
    }
    expect(recorder.events).toHaveLength(requests.sent("Player.GetProperties"));
    const times = fake.requests.filter((r) => r.method === "Player.GetProperties").map((r) => r.at - t0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 47:00 → 47:15 → 47:30 → 47:45 → 47:52.5 → 47:56.25 → 47:58.125 → 47:59.125 → 48:00.125 (past 80 %) → every 15 s.
    expect(gaps.slice(0, 10)).toEqual([15_000, 15_000, 15_000, 7_500, 3_750, 1_875, 1_000, 1_000, 15_000, 15_000]);
    expect(times[0]).toBe(0);

    speed = 0;
    base = position();
    fake.send(new Scenario("library-movie-by-id").notification("Player.OnPause"));
    await ioUntil(() => recorder.events.at(-1)?.state === "paused", "paused event");
    const afterPause = fake.count("Player.GetProperties");
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      await requests.settled();
    }
    expect(fake.count("Player.GetProperties")).toBe(afterPause);
  });

  it("ignores live TV and excluded paths, and does not poll for them", async () => {
    const tv = playbackFrom("library-movie-by-id");
    fake.playback = { ...tv, item: { item: { file: "pvr://channels/tv/All channels/pvr.hts_1.pvr", id: 7, label: "BBC One", title: "BBC One", type: "channel" } } };
    await start({ excludePaths: ["**/loose/**"] });
    await fake.waitForRequests("Player.GetProperties");
    fake.playback = playbackFrom("file-movie");
    const s = new Scenario("file-movie");
    fake.send(s.notification("Player.OnAVStart"));
    await fake.waitForRequests("Player.GetProperties", 2);
    fake.send(s.notification("Player.OnPause"));
    fake.send(s.notification("Player.OnStop"));
    // A library movie that is not excluded is followed: proves the two above were ignored, not lost.
    fake.playback = playbackFrom("library-movie-by-id");
    fake.send(new Scenario("library-movie-by-id").notification("Player.OnAVStart"));
    const e = await recorder.waitFor(() => true);
    expect(e.hints.ids?.imdb).toBe("tt1856101");
    expect(recorder.events).toHaveLength(1);
  });

  it("System.OnQuit ends the session as stopped (current and old XBMC payloads)", async () => {
    fake.playback = playbackFrom("library-movie-by-id", 3); // 85.97 %
    await start();
    const first = await recorder.waitFor((e) => e.state === "playing");
    fake.send({ jsonrpc: "2.0", method: "System.OnQuit", params: { data: { exitcode: 0 }, sender: "xbmc" } });
    const stopped = await recorder.waitFor((e) => e.state === "stopped");
    expect(stopped.sessionKey).toBe(first.sessionKey);
    expect(stopped.progress).toBeGreaterThanOrEqual(85.9);
    fake.send({ jsonrpc: "2.0", method: "System.OnQuit", params: { data: null, sender: "xbmc" } });
    fake.send({ jsonrpc: "2.0", method: "System.OnSleep", params: { data: null, sender: "xbmc" } });
    await expect(fake.waitForRequests("JSONRPC.Ping", 0)).resolves.toBeUndefined();
    expect(recorder.events.filter((e) => e.state === "stopped")).toHaveLength(1);
  });

  it("a dropped socket pauses the session; the same item after reconnect continues it; nothing playing closes it", async () => {
    const log = captureLog("info");
    fake.playback = playbackFrom("library-movie-by-id", 2);
    await start({ log: log.logger });
    const first = await recorder.waitFor((e) => e.state === "playing");

    fake.dropAllLikeKodi();
    await recorder.waitFor((e) => e.state === "paused");
    let from = recorder.mark();
    const again = await recorder.waitFor((e) => e.state === "playing", from);
    expect(again.sessionKey).toBe(first.sessionKey);

    fake.setIdle();
    from = recorder.mark();
    fake.dropAllLikeKodi();
    const stopped = await recorder.waitFor((e) => e.state === "stopped", from);
    expect(stopped.sessionKey).toBe(first.sessionKey);
    await fake.waitForConnections(3);
    const messages = log.lines().map((l) => l.msg);
    expect(messages.filter((m) => m.startsWith("Kodi unavailable"))).toHaveLength(2);
    expect(messages.filter((m) => m === "Kodi is back")).toHaveLength(2);
  });

  it("stop() emits a final stopped event for what is still playing", async () => {
    fake.playback = playbackFrom("library-movie-by-id", 2);
    const a = await start();
    const first = await recorder.waitFor((e) => e.state === "playing");
    await a.stop();
    expect(recorder.events.at(-1)).toMatchObject({ state: "stopped", sessionKey: first.sessionKey });
    expect(a.status()[0]?.state).toBe("stopped");
  });

  it("malformed notification data is ignored; the adapter keeps following", async () => {
    fake.playback = playbackFrom("library-movie-by-id", 2);
    await start();
    await recorder.waitFor((e) => e.state === "playing");
    fake.send({ jsonrpc: "2.0", method: "Player.OnPause", params: { data: "garbage", sender: "xbmc" } });
    fake.send({ jsonrpc: "2.0", method: "Player.OnSeek", params: { data: { player: { playerid: 1, time: "soon" } }, sender: "xbmc" } });
    fake.send({ jsonrpc: "2.0", method: "Player.OnPlay" });
    fake.send(new Scenario("library-movie-by-id").notification("Player.OnStop"));
    await recorder.waitFor((e) => e.state === "stopped");
    expect(transitions(recorder.events)).toEqual(["playing", "stopped"]);
  });

  it("Kodi without OnAVStart (before 18): the item is read a grace period after OnPlay; OnStop without `end` is a stop", async () => {
    vi.useFakeTimers(FAKE);
    const requests = trackRequests();
    await start({ avStartGraceMs: 2_000 });
    await requests.settled();
    fake.playback = playbackFrom("library-movie-by-id", 2);
    const onPlay = new Scenario("library-movie-by-id").notification("Player.OnPlay");
    fake.send(onPlay);
    const timers = vi.getTimerCount(); // the heartbeat
    await ioUntil(() => vi.getTimerCount() === timers + 1, "OnPlay handled (grace timer set)");
    await vi.advanceTimersByTimeAsync(1_999);
    await requests.settled();
    expect(recorder.events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await requests.settled();
    expect(recorder.events.map((e) => e.state)).toEqual(["playing"]);
    fake.setIdle();
    fake.send({ jsonrpc: "2.0", method: "Player.OnStop", params: { data: { item: { id: 1, type: "movie" } }, sender: "xbmc" } });
    await ioUntil(() => recorder.events.length === 2, "stopped event");
    expect(recorder.events[1]?.state).toBe("stopped");
  });

  it("an active player with an empty item (playback just ended) starts nothing", async () => {
    fake.playback = { ...playbackFrom("library-movie-by-id"), item: new Scenario("library-movie-by-id").result("Player.GetItem", 5) };
    await start();
    await fake.waitForRequests("Player.GetProperties");
    fake.playback = playbackFrom("library-movie-by-id");
    fake.send(new Scenario("library-movie-by-id").notification("Player.OnAVStart"));
    await recorder.waitFor(() => true);
    expect(recorder.events).toHaveLength(1);
  });
});
