// The mpv adapter against real mpv processes (headless, --speed to keep it short), driven through mpv's own IPC.
import { Writable } from "node:stream";
import { mkdir, stat, utimes } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mpvSection } from "../../../src/config/sections/players.js";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { MpvAdapter } from "../../../src/players/mpv/adapter.js";
import { createLogger } from "../../../src/util/log.js";
import { EventCollector, makeMedia, makeTempDir, requireMpv, startMpv, type MpvController, type MpvProcess } from "../../support/mpv.js";

const runnable = requireMpv();
/** Tries one mpv start may cause on a watched socket: one per event (its old socket removed, the new one created)
 * and the adapter's quick retries after each (DIR_RETRY_MS in adapter.ts: mpv binds before it listens). */
const QUICK_RETRIES = 8;

interface Harness {
  adapter: MpvAdapter;
  events: EventCollector;
  logs: string[];
  logged: (text: string) => Promise<void>;
  socketDir: string;
}

describe.skipIf(!runnable)("MpvAdapter with real mpv", () => {
  let root: { dir: string; remove: () => Promise<void> };
  let media: string;
  let testDir: string;
  let testCount = 0;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    root = await makeTempDir();
    media = await makeMedia(root.dir, "Some.Movie.2010.mkv", 20);
  });
  afterAll(async () => {
    await root.remove();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function harness(config: Partial<ReturnType<typeof mpvSection.parse>> = {}): Promise<Harness> {
    testDir = join(root.dir, `t${++testCount}`);
    await mkdir(testDir);
    const socketDir = join(testDir, "sockets");
    const logs: string[] = [];
    const waiters: { text: string; resolve: () => void }[] = [];
    const log = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          const line = chunk.toString();
          logs.push(line);
          for (const w of [...waiters]) {
            if (!line.includes(w.text)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
          done();
        },
      }),
    });
    const logged = (text: string): Promise<void> =>
      logs.some((l) => l.includes(text)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }));
    const events = new EventCollector();
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ socketDir, progressIntervalSeconds: 1, reconnectSeconds: 0.1, requestTimeoutSeconds: 2, ...config }),
      context: { emit: events.emit, now: Date.now },
      log,
    });
    const controller = new AbortController();
    await adapter.start(controller.signal);
    cleanups.push(() => adapter.stop());
    return { adapter, events, logs, logged, socketDir };
  }

  function mpv(socket: string, options: { speed?: number; file?: string; cwd?: string; extraArgs?: string[] } = {}): MpvProcess {
    const p = startMpv({ socket, file: options.file ?? media, speed: options.speed ?? 1, ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}) });
    cleanups.push(() => p.kill("SIGKILL"));
    return p;
  }

  async function control(p: MpvProcess): Promise<MpvController> {
    const c = await p.control();
    cleanups.push(() => c.close());
    return c;
  }

  const of = (player: string) => (e: PlaybackEvent) => e.player === player;
  const states = (events: PlaybackEvent[], player: string) => events.filter(of(player)).map((e) => e.state);

  it("reports a file played to the end as one ended event at 100 %, with the path joined to mpv's cwd", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "tv.sock");
    // A relative file name: the adapter must join it with mpv's working-directory.
    mpv(socket, { speed: 10, cwd: root.dir, file: basename(media) });
    const ended = await h.events.next((e) => e.state === "ended", "ended");
    const mine = h.events.events.filter(of(`mpv:${socket}`));
    expect(mine[0]?.state).toBe("playing");
    expect(mine.filter((e) => e.state === "ended")).toHaveLength(1);
    expect(mine.filter((e) => e.state === "stopped")).toHaveLength(0);
    expect(ended.progress).toBe(100);
    expect(ended.durationMs).toBeGreaterThan(19_000);
    expect(ended.positionMs).toBe(ended.durationMs);
    expect(ended.hints.path).toBe(media);
    expect(ended.hints.mediaTitle).toBe("Some.Movie.2010.mkv");
    expect(new Set(mine.map((e) => e.sessionKey)).size).toBe(1);
    // Periodic updates while playing were sent and progress only went forward.
    const progresses = mine.filter((e) => e.state === "playing").map((e) => e.progress ?? -1);
    expect(progresses).toEqual([...progresses].sort((a, b) => a - b));
  });

  it("reports pause and resume with the position where it paused", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "a.sock");
    const p = mpv(socket, { speed: 2 });
    const c = await control(p);
    await h.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    expect((await c.request("seek", 30, "absolute-percent+exact")).error).toBe("success");
    await h.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 30, "playing after the seek");
    await c.request("set_property", "pause", true);
    const paused = await h.events.next((e) => e.state === "paused", "paused");
    const mpvPercent = (await c.get("percent-pos")) as number;
    expect(Math.abs((paused.progress ?? 0) - mpvPercent)).toBeLessThan(1);
    await c.request("set_property", "pause", false);
    await h.events.until((events) => events.indexOf(paused) < events.findLastIndex((e) => e.state === "playing"), "playing after pause");
    const resumed = h.events.events.at(-1)!;
    expect(resumed.state).toBe("playing");
    expect(resumed.progress).toBeGreaterThanOrEqual(paused.progress! - 0.01);
    expect(resumed.progress! - paused.progress!).toBeLessThan(1);
    expect(states(h.events.events, `mpv:${socket}`)).not.toContain("stopped");
  });

  it("reports a seek at once with the new position", async () => {
    const h = await harness({ progressIntervalSeconds: 60 });
    const socket = join(h.socketDir, "seek.sock");
    const p = mpv(socket, { speed: 1 });
    const c = await control(p);
    const first = await h.events.next((e) => e.state === "playing", "playing");
    expect(first.progress).toBeLessThan(10);
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    expect((await c.request("seek", 12, "absolute")).error).toBe("success");
    // No periodic update is due (60 s interval): this one comes from the seek.
    // (mpv may restart playback twice while opening, which repeats the first report: harmless, same position.)
    const after = await h.events.next((e) => e.state === "playing" && (e.positionMs ?? 0) >= 11_900, "playing after seek", 5000);
    expect(after.positionMs).toBeLessThan(14_000);
    expect(after.sessionKey).toBe(first.sessionKey);
  });

  it("reports stop at about 40 % as stopped with mpv's own progress (error measured)", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "stop.sock");
    const p = mpv(socket, { speed: 2 });
    const c = await control(p);
    await h.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    expect((await c.request("seek", 40, "absolute-percent+exact")).error).toBe("success");
    await h.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 39.9, "playing after the seek");
    const timePos = (await c.get("time-pos")) as number;
    const percentPos = (await c.get("percent-pos")) as number;
    c.send("stop");
    const stopped = await h.events.next((e) => e.state === "stopped", "stopped");
    const error = Math.abs(stopped.progress! - percentPos);
    console.log(
      `mpv progress error at stop: reported ${stopped.progress!.toFixed(3)} % (${stopped.positionMs} ms) vs mpv percent-pos ${percentPos.toFixed(3)} % (time-pos ${timePos.toFixed(3)} s) read just before stop → ${error.toFixed(3)} points`,
    );
    expect(error).toBeLessThanOrEqual(1);
    expect(stopped.progress).toBeGreaterThanOrEqual(40);
    expect(stopped.progress).toBeLessThan(43);
    expect(states(h.events.events, `mpv:${socket}`)).not.toContain("ended");
    await p.exited;
    // mpv left its socket file behind; the adapter never deletes a user's file.
    expect((await stat(socket)).isSocket()).toBe(true);
  });

  it("reports quit mid-file as stopped at the last position", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "quit.sock");
    const p = mpv(socket, { speed: 2 });
    const c = await control(p);
    await h.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    expect((await c.request("seek", 50, "absolute-percent+exact")).error).toBe("success");
    await h.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 50, "playing after the seek");
    const percentPos = (await c.get("percent-pos")) as number;
    c.send("quit");
    const stopped = await h.events.next((e) => e.state === "stopped", "stopped");
    console.log(`mpv progress error at quit: reported ${stopped.progress!.toFixed(3)} % vs mpv percent-pos ${percentPos.toFixed(3)} % → ${Math.abs(stopped.progress! - percentPos).toFixed(3)} points`);
    expect(Math.abs(stopped.progress! - percentPos)).toBeLessThanOrEqual(1);
    await p.exited;
    expect(h.events.events.filter((e) => e.state === "stopped")).toHaveLength(1);
  });

  it("reports mpv killed mid-play as stopped at the last position advanced by the time it played", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "kill.sock");
    const p = mpv(socket, { speed: 1 });
    const c = await control(p);
    await h.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    expect((await c.request("seek", 25, "absolute-percent+exact")).error).toBe("success");
    await h.events.next((e) => e.state === "playing" && (e.progress ?? 0) >= 25, "playing after the seek");
    const percentPos = (await c.get("percent-pos")) as number;
    await p.kill("SIGKILL");
    const stopped = await h.events.next((e) => e.state === "stopped", "stopped");
    console.log(`mpv progress error at SIGKILL: reported ${stopped.progress!.toFixed(3)} % vs mpv percent-pos ${percentPos.toFixed(3)} % read just before the kill → ${(stopped.progress! - percentPos).toFixed(3)} points`);
    expect(stopped.progress).toBeGreaterThanOrEqual(percentPos - 0.01);
    expect(stopped.progress! - percentPos).toBeLessThan(1);
  });

  it("connects to an mpv that is already playing when the adapter starts", async () => {
    testDir = join(root.dir, `t${++testCount}-pre`);
    const socketDir = join(testDir, "sockets");
    await mkdir(socketDir, { recursive: true });
    const socket = join(socketDir, "early.sock");
    const p = mpv(socket, { speed: 1, extraArgs: ["--start=20%"] });
    const c = await control(p);
    await c.waitFor("time-pos", (t) => typeof t === "number" && t >= 4);
    const events = new EventCollector();
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ socketDir, progressIntervalSeconds: 1 }),
      context: { emit: events.emit, now: Date.now },
      log: createLogger({ level: "silent" }),
    });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    const playing = await events.next((e) => e.state === "playing", "playing");
    expect(playing.progress).toBeGreaterThanOrEqual(19);
    expect(playing.hints.path).toBe(media);
    expect(playing.sessionKey).toContain(`#${p.process.pid}:entry1`);
    // Stopping the adapter reports what is still playing.
    await adapter.stop();
    expect(events.events.at(-1)?.state).toBe("stopped");
    expect(adapter.status()[0]?.state).toBe("stopped");
  });

  it("follows a second mpv that reuses the socket path of one that has quit", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "same.sock");
    const first = mpv(socket, { speed: 10 });
    await h.events.next((e) => e.state === "ended", "first ended");
    await first.exited;
    const second = mpv(socket, { speed: 10 });
    await h.events.until((events) => events.filter((e) => e.state === "ended").length === 2, "second ended");
    const ended = h.events.events.filter((e) => e.state === "ended");
    expect(ended[0]!.sessionKey).toContain(`#${first.process.pid}:`);
    expect(ended[1]!.sessionKey).toContain(`#${second.process.pid}:`);
    expect(ended.every((e) => e.player === `mpv:${socket}` && e.progress === 100)).toBe(true);
    // The left-over socket of the first mpv was not reported as a problem.
    expect(h.logs.join("")).not.toMatch(/"level":(40|50)/);
  });

  it("follows two mpv instances at once, each as its own player", async () => {
    const h = await harness();
    const a = join(h.socketDir, "a.sock");
    const b = join(h.socketDir, "b.sock");
    const pa = mpv(a, { speed: 10 });
    const pb = mpv(b, { speed: 2 });
    const cb = await control(pb);
    await h.events.next((e) => e.player === `mpv:${a}` && e.state === "ended", "a ended");
    await h.events.next((e) => e.player === `mpv:${b}` && e.state === "playing", "b playing");
    cb.send("stop");
    await h.events.next((e) => e.player === `mpv:${b}` && e.state === "stopped", "b stopped");
    expect(states(h.events.events, `mpv:${a}`)).not.toContain("stopped");
    expect(states(h.events.events, `mpv:${b}`)).not.toContain("ended");
    await pa.exited;
    const names = h.adapter.status().map((s) => s.name);
    expect(names[0]).toBe("mpv");
  });

  it("does not follow the same mpv twice when its socket file is touched", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "touched.sock");
    const p = mpv(socket, { speed: 1 });
    const c = await control(p);
    await h.events.next((e) => e.state === "playing", "playing");
    await c.waitFor("time-pos", (t) => typeof t === "number" && t > 0.2);
    const later = new Date(Date.now() + 5000);
    await utimes(socket, later, later);
    await h.logged("already following this mpv");
    c.send("stop");
    await h.events.next((e) => e.state === "stopped", "stopped");
    expect(h.logs.filter((l) => l.includes('"msg":"connected to mpv"'))).toHaveLength(1);
    expect(h.events.events.filter((e) => e.state === "stopped")).toHaveLength(1);
  });

  it("connects to an explicitly configured socket once mpv creates it", async () => {
    testDir = join(root.dir, `t${++testCount}-explicit`);
    await mkdir(testDir);
    const socket = join(testDir, "explicit.sock");
    const events = new EventCollector();
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ sockets: [socket], reconnectSeconds: 0.1, progressIntervalSeconds: 1 }),
      context: { emit: events.emit, now: Date.now },
      log: createLogger({ level: "silent" }),
    });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    expect(adapter.status().find((s) => s.name === `mpv:${socket}`)?.state).toBe("disconnected");
    mpv(socket, { speed: 10 });
    const ended = await events.next((e) => e.state === "ended", "ended");
    expect(ended.player).toBe(`mpv:${socket}`);
  });

  /** An adapter that follows only explicit socket paths, with its debug log kept and waitable. */
  async function explicitAdapter(sockets: string[], reconnectSeconds: number): Promise<{ events: EventCollector; logs: string[]; logged: (text: string) => Promise<void> }> {
    const events = new EventCollector();
    const logs: string[] = [];
    const waiters: { text: string; resolve: () => void }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        const line = chunk.toString();
        logs.push(line);
        for (const w of waiters.filter((w) => line.includes(w.text))) w.resolve();
        done();
      },
    });
    const logged = (text: string): Promise<void> =>
      logs.some((l) => l.includes(text)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }));
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ sockets, reconnectSeconds, progressIntervalSeconds: 1 }),
      context: { emit: events.emit, now: Date.now },
      log: createLogger({ level: "debug", destination }),
    });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    return { events, logs, logged };
  }

  it("watches an explicit socket instead of polling it: an mpv started there, and the next one after it quit, is followed at once", async () => {
    testDir = join(root.dir, `t${++testCount}-watched`);
    await mkdir(testDir);
    const socket = join(testDir, "explicit.sock");
    // An hour between polls: only the watch can find these.
    const { events, logs } = await explicitAdapter([socket], 3600);
    const tries = (): number => logs.filter((l) => l.includes("no mpv listening")).length;
    const first = mpv(socket, { speed: 10 });
    await events.next((e) => e.state === "ended", "first ended");
    await first.exited;
    const before = tries();
    const second = mpv(socket, { speed: 10 });
    await events.until((all) => all.filter((e) => e.state === "ended").length === 2, "second ended");
    const ended = events.events.filter((e) => e.state === "ended");
    expect(ended[0]!.sessionKey).toContain(`#${first.process.pid}:`);
    expect(ended[1]!.sessionKey).toContain(`#${second.process.pid}:`);
    // Between the two, nothing was tried but what the second mpv's socket events asked for.
    expect(tries() - before).toBeLessThanOrEqual(QUICK_RETRIES);
    expect(logs.join("")).not.toMatch(/"level":(40|50)/);
  });

  it("polls an explicit socket whose directory does not exist yet, and watches it once the directory is there", async () => {
    testDir = join(root.dir, `t${++testCount}-later`);
    await mkdir(testDir);
    const dir = join(testDir, "not-yet");
    const socket = join(dir, "explicit.sock");
    const { events, logged } = await explicitAdapter([socket], 0.05);
    await logged("cannot watch for this mpv socket");
    await mkdir(dir);
    await logged("watching for this mpv socket again");
    mpv(socket, { speed: 10 });
    const ended = await events.next((e) => e.state === "ended", "ended");
    expect(ended.player).toBe(`mpv:${socket}`);
  });

  it("reports the end of a --keep-open file once, when mpv stays on its last frame", async () => {
    const h = await harness();
    const socket = join(h.socketDir, "keep.sock");
    const p = mpv(socket, { speed: 10, extraArgs: ["--keep-open=yes"] });
    const c = await control(p);
    const ended = await h.events.next((e) => e.state === "ended", "ended");
    expect(ended.progress).toBe(100);
    expect(await c.get("eof-reached")).toBe(true);
    c.send("quit");
    await p.exited;
    await h.events.until((events) => events.length > 0, "events");
    expect(states(h.events.events, `mpv:${socket}`).filter((s) => s === "ended" || s === "stopped")).toEqual(["ended"]);
  });
});
