// Misbehaving peers in the watched socket directory: the adapter logs them, drops them, reports what was playing
// as stopped, and keeps following real mpv instances next to them.
import { createServer, type Server, type Socket } from "node:net";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { mpvSection } from "../../../src/config/sections/players.js";
import { MpvAdapter } from "../../../src/players/mpv/adapter.js";
import { createLogger } from "../../../src/util/log.js";
import { canRunMpv, EventCollector, makeMedia, makeTempDir, requireMpv, startMpv } from "../../support/mpv.js";

// Only the last test needs mpv; this prints SKIPPED for it when mpv or ffmpeg is missing.
requireMpv();

type Behaviour = "garbage" | "huge" | "silent" | "plays-then-garbage";

/** A fake peer on a unix socket. "plays-then-garbage" speaks enough mpv to look like a player mid-file. */
async function fakePeer(path: string, behaviour: Behaviour): Promise<{ server: Server; destroy: () => void; sendGarbage: () => void }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
    if (behaviour === "garbage") socket.write("\u0000\u0001garbage that is not JSON\n");
    if (behaviour === "huge") {
      // 2 MiB without a newline: twice the adapter's line limit.
      const chunk = Buffer.alloc(256 * 1024, 0x7b);
      for (let i = 0; i < 8; i++) socket.write(chunk);
    }
    if (behaviour !== "plays-then-garbage") return;
    let buffer = "";
    let observed = 0;
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
        const { command, request_id } = JSON.parse(buffer.slice(0, nl)) as { command: unknown[]; request_id: number };
        buffer = buffer.slice(nl + 1);
        const values: Record<string, unknown> = { pid: 4242, "playlist-playing-pos": 0, "playlist/0/id": 1 };
        if (command[0] === "get_property") socket.write(`${JSON.stringify({ request_id, error: "success", data: values[String(command[1])] })}\n`);
        if (command[0] === "observe_property") {
          socket.write(`${JSON.stringify({ request_id, error: "success" })}\n`);
          if (++observed === 11) {
            const change = (name: string, data: unknown) => `${JSON.stringify({ event: "property-change", id: 1, name, data })}\n`;
            socket.write(change("path", "/films/Fake.Movie.1999.mkv") + change("duration", 100) + change("time-pos", 30));
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    server,
    destroy: () => sockets.forEach((s) => s.destroy()),
    sendGarbage: () => {
      for (const s of sockets) s.write("}}} not json {{{\n");
    },
  };
}

describe("MpvAdapter with misbehaving peers", () => {
  let root: { dir: string; remove: () => Promise<void> };
  const cleanups: (() => Promise<void> | void)[] = [];
  let n = 0;
  beforeAll(async () => {
    root = await makeTempDir("mpv-peers-");
  });
  afterAll(() => root.remove());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const socketDir = join(root.dir, `d${++n}`);
    await mkdir(socketDir);
    const logs: string[] = [];
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const log = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          const line = chunk.toString();
          logs.push(line);
          for (const w of [...waiters]) {
            if (!w.re.test(line)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
          done();
        },
      }),
    });
    const logged = (re: RegExp): Promise<void> =>
      logs.some((l) => re.test(l)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ re, resolve }));
    const events = new EventCollector();
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ socketDir, requestTimeoutSeconds: 0.3, progressIntervalSeconds: 1 }),
      context: { emit: events.emit, now: Date.now },
      log,
      maxLineBytes: 1024 * 1024,
    });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    return { socketDir, adapter, events, logs, logged };
  }

  async function peer(path: string, behaviour: Behaviour) {
    const p = await fakePeer(path, behaviour);
    cleanups.push(() => new Promise<void>((resolve) => p.server.close(() => resolve())));
    cleanups.push(() => p.destroy());
    return p;
  }

  it("drops a peer that sends garbage, one that sends a huge line, and one that never answers; logs each once", async () => {
    const h = await setup();
    const garbage = join(h.socketDir, "garbage.sock");
    const huge = join(h.socketDir, "huge.sock");
    const silent = join(h.socketDir, "silent.sock");
    await peer(garbage, "garbage");
    await peer(huge, "huge");
    await peer(silent, "silent");
    await h.logged(/garbage\.sock.*not JSON/);
    await h.logged(/huge\.sock.*longer than 1048576 bytes/);
    await h.logged(/silent\.sock.*did not answer get_property within 300 ms/);
    expect(h.events.events).toEqual([]);
    for (const name of ["garbage", "huge", "silent"]) {
      expect(h.logs.filter((l) => l.includes(`${name}.sock`) && l.includes('"level":40'))).toHaveLength(1);
    }
    expect(h.adapter.status()[0]).toMatchObject({ name: "mpv", state: "connected" });
  });

  it("reports what a peer was playing as stopped when it turns to garbage mid-play", async () => {
    const h = await setup();
    const path = join(h.socketDir, "fake-mpv.sock");
    const p = await peer(path, "plays-then-garbage");
    const playing = await h.events.next((e) => e.state === "playing", "playing");
    await h.logged(/connected to mpv/);
    expect(playing).toMatchObject({ player: `mpv:${path}`, sessionKey: `${path}#4242:entry1`, progress: 30, hints: { path: "/films/Fake.Movie.1999.mkv" } });
    expect(h.adapter.status().find((s) => s.name === `mpv:${path}`)).toMatchObject({ state: "connected", detail: expect.stringContaining("playing") });
    p.sendGarbage();
    const stopped = await h.events.next((e) => e.state === "stopped", "stopped");
    expect(stopped.sessionKey).toBe(playing.sessionKey);
    expect(stopped.progress).toBeGreaterThanOrEqual(30);
    await h.logged(/mpv connection dropped/);
  });

  it("fails to start with a clear error when the socket directory cannot be created, and can start again", async () => {
    const file = join(root.dir, `not-a-dir-${++n}`);
    await writeFile(file, "");
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ socketDir: join(file, "sockets") }),
      context: { emit: () => undefined, now: Date.now },
      log: createLogger({ level: "silent" }),
    });
    await expect(adapter.start(new AbortController().signal)).rejects.toThrow(/cannot create the mpv socket directory .*not-a-dir.*set mpv.socketDir/);
    expect(adapter.status()[0]).toMatchObject({ state: "failed", detail: expect.stringContaining("cannot create") });
    await rm(file);
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    expect(adapter.status()[0]).toMatchObject({ state: "connected", detail: `watching ${join(file, "sockets")}` });
  });

  it("accepts a Windows named-pipe path and retries it quietly while nothing listens", async () => {
    const logs: string[] = [];
    let retries!: () => void;
    const retried = new Promise<void>((resolve) => (retries = resolve));
    const log = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          logs.push(chunk.toString());
          if (logs.filter((l) => l.includes("no mpv listening")).length >= 3) retries();
          done();
        },
      }),
    });
    const pipe = "\\\\.\\pipe\\mpvsocket";
    const config = mpvSection.parse({ sockets: [pipe], reconnectSeconds: 0.05 });
    expect(config.sockets).toEqual([pipe]);
    const adapter = new MpvAdapter({ config, context: { emit: () => undefined, now: Date.now }, log });
    await adapter.start(new AbortController().signal);
    cleanups.push(() => adapter.stop());
    await retried;
    expect(adapter.status()).toEqual([
      { name: "mpv", kind: "mpv", state: "connected" },
      { name: `mpv:${pipe}`, kind: "mpv", state: "disconnected", detail: "mpv not running (ENOENT)" },
    ]);
    expect(logs.join("")).not.toMatch(/"level":(40|50)/);
  });

  it.skipIf(!canRunMpv)("keeps following a real mpv next to misbehaving peers", async () => {
    const h = await setup();
    const media = await makeMedia(root.dir, "ok.mkv", 10);
    await peer(join(h.socketDir, "garbage.sock"), "garbage");
    await peer(join(h.socketDir, "silent.sock"), "silent");
    const socket = join(h.socketDir, "real.sock");
    const mpv = startMpv({ socket, file: media, speed: 10 });
    cleanups.push(() => mpv.kill("SIGKILL"));
    const ended = await h.events.next((e) => e.state === "ended", "ended");
    expect(ended.player).toBe(`mpv:${socket}`);
    await h.logged(/silent\.sock.*did not answer/);
  });
});
