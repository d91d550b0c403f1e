// MpvClient against fake peers on real unix sockets: well-behaved ones (replies out of order, events in between,
// split chunks, invalid UTF-8) and misbehaving ones (garbage, a huge line, half a line, silence).
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { MpvClient, MpvClosedError, MpvCommandError, MpvTimeoutError } from "../../../src/players/mpv/client.js";
import { LineSplitter, LineTooLongError } from "../../../src/players/mpv/lines.js";
import { MpvProtocolError, parseMessage, type MpvEvent } from "../../../src/players/mpv/protocol.js";
import { createLogger } from "../../../src/util/log.js";
import { makeTempDir } from "../../support/mpv.js";

interface Peer {
  path: string;
  /** Resolves with the server side of the first connection. */
  connection: Promise<Socket>;
  /** Lines the client sent, parsed. */
  received: { command: unknown[]; request_id: number }[];
  /** Resolves when the client has sent `n` lines. */
  receivedCount(n: number): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakePeer(): Promise<Peer> {
  const tmp = await makeTempDir("mpv-client-");
  cleanups.push(tmp.remove);
  const path = join(tmp.dir, "fake.sock");
  const received: Peer["received"] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let resolveConnection!: (s: Socket) => void;
  const connection = new Promise<Socket>((resolve) => (resolveConnection = resolve));
  const server: Server = createServer((socket) => {
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
        received.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
      for (const w of [...waiters]) {
        if (received.length < w.n) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    socket.on("error", () => undefined);
    resolveConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    path,
    connection,
    received,
    receivedCount: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

function client(path: string, options: { requestTimeoutMs?: number; maxLineBytes?: number } = {}) {
  const events: MpvEvent[] = [];
  const eventWaiters: { n: number; resolve: () => void }[] = [];
  const eventCount = (n: number): Promise<void> =>
    events.length >= n ? Promise.resolve() : new Promise((resolve) => eventWaiters.push({ n, resolve }));
  const logs: string[] = [];
  let resolveClosed!: (error: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((resolve) => (resolveClosed = resolve));
  const c = new MpvClient({
    path,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    maxLineBytes: options.maxLineBytes ?? 1024 * 1024,
    log: createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          logs.push(chunk.toString());
          done();
        },
      }),
    }),
    onEvent: (e) => {
      events.push(e);
      for (const w of [...eventWaiters]) {
        if (events.length < w.n) continue;
        eventWaiters.splice(eventWaiters.indexOf(w), 1);
        w.resolve();
      }
    },
    onClose: resolveClosed,
  });
  cleanups.push(() => c.close());
  return { c, events, eventCount, logs, closed };
}

describe("MpvClient", () => {
  it("matches replies by request_id with events in between and replies out of order", async () => {
    const peer = await fakePeer();
    const { c, events } = client(peer.path);
    await c.connect();
    const a = c.getProperty("time-pos");
    const b = c.getProperty("duration");
    const d = c.command(["loadfile", "/nope"]);
    const x = c.getProperty("chapter");
    await peer.receivedCount(4);
    const [ra, rb, rd, rx] = peer.received.map((r) => r.request_id);
    expect(new Set([ra, rb, rd, rx]).size).toBe(4);
    const server = await peer.connection;
    server.write(`{"event":"seek"}\n{"error":"success","data":20.5,"request_id":${rb}}\n{"event":"property-change","id":3,"name":"pause","data":true}\n`);
    server.write(`{"request_id":${rx},"error":"property unavailable"}\n{"data":1.5,"request_id":${ra},"error":"success"}\n`);
    server.write(`{"request_id":${rd},"error":"error running command"}\n`);
    expect(await a).toBe(1.5);
    expect(await b).toBe(20.5);
    expect(await x).toBeUndefined();
    await expect(d).rejects.toBeInstanceOf(MpvCommandError);
    expect(events.map((e) => e.event)).toEqual(["seek", "property-change"]);
    expect(events[1]?.fields).toMatchObject({ name: "pause", data: true, id: 3 });
  });

  it("reassembles lines and characters split across chunks and is lenient with invalid UTF-8", async () => {
    const peer = await fakePeer();
    const { c, events, eventCount } = client(peer.path);
    await c.connect();
    const server = await peer.connection;
    const line = Buffer.from('{"event":"property-change","id":1,"name":"media-title","data":"Amélie"}\n');
    const cut = line.indexOf(Buffer.from("é")) + 1; // in the middle of the two-byte é
    server.write(line.subarray(0, cut));
    server.write(line.subarray(cut));
    // A Latin-1 file name as mpv may send it: raw 0xE9 is not valid UTF-8.
    server.write(Buffer.concat([Buffer.from('{"event":"property-change","id":2,"name":"path","data":"/films/caf'), Buffer.from([0xe9]), Buffer.from('.mkv"}\n')]));
    server.write('{"event":"end-file","reason":"eof"}\n');
    await eventCount(3);
    expect(events[0]?.fields.data).toBe("Amélie");
    expect(events[1]?.fields.data).toBe("/films/caf\uFFFD.mkv");
    expect(c.isOpen).toBe(true);
  });

  it("closes on a line that is not JSON and rejects what is pending", async () => {
    const peer = await fakePeer();
    const { c, closed } = client(peer.path);
    await c.connect();
    const pending = c.getProperty("pid");
    (await peer.connection).write("HTTP/1.1 400 Bad Request\r\n\r\n");
    const error = await closed;
    expect(error).toBeInstanceOf(MpvProtocolError);
    expect(error?.message).toContain("not JSON");
    await expect(pending).rejects.toBeInstanceOf(MpvProtocolError);
    expect(c.isOpen).toBe(false);
    await expect(c.getProperty("pid")).rejects.toBeInstanceOf(MpvClosedError);
  });

  it("closes on JSON that is not an mpv message", async () => {
    const peer = await fakePeer();
    const { c, closed } = client(peer.path);
    await c.connect();
    (await peer.connection).write('{"jsonrpc":"2.0","method":"Player.OnPlay"}\n');
    expect((await closed)?.message).toContain("neither an event nor a reply");
  });

  it("closes on a line longer than the limit without buffering it", async () => {
    const peer = await fakePeer();
    const { c, closed } = client(peer.path, { maxLineBytes: 64 * 1024 });
    await c.connect();
    const server = await peer.connection;
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    for (let i = 0; i < 8 && !server.destroyed; i++) server.write(chunk);
    const error = await closed;
    expect(error).toBeInstanceOf(MpvProtocolError);
    expect(error?.message).toContain("longer than 65536 bytes");
  });

  it("times out a request a silent peer never answers and closes the connection", async () => {
    const peer = await fakePeer();
    const { c, closed } = client(peer.path, { requestTimeoutMs: 150 });
    await c.connect();
    const request = c.getProperty("pid");
    await expect(request).rejects.toBeInstanceOf(MpvTimeoutError);
    expect(await closed).toBeInstanceOf(MpvTimeoutError);
  });

  it("treats a peer that closes after half a line as a normal close, logging the half line", async () => {
    const peer = await fakePeer();
    const { c, events, logs, closed } = client(peer.path);
    await c.connect();
    (await peer.connection).end('{"event":"property-change","na');
    expect(await closed).toBeUndefined();
    expect(events).toEqual([]);
    expect(logs.join("")).toContain("closed in the middle of a line");
  });

  it("rejects connect with the socket error code when nothing listens", async () => {
    const tmp = await makeTempDir("mpv-client-");
    cleanups.push(tmp.remove);
    const { c } = client(join(tmp.dir, "missing.sock"));
    await expect(c.connect()).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses observer id 0 (mpv omits a zero id from its events)", async () => {
    const peer = await fakePeer();
    const { c } = client(peer.path);
    await c.connect();
    await expect(c.observe(0, "pause")).rejects.toBeInstanceOf(RangeError);
  });
});

describe("framing and parsing", () => {
  it("splits on newlines, keeps the remainder, and enforces the limit across chunks", () => {
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from("ab\ncd"))).toEqual(["ab"]);
    expect(s.bufferedBytes).toBe(2);
    expect(s.push(Buffer.from("e\n\n"))).toEqual(["cde", ""]);
    s.push(Buffer.from("123456"));
    expect(() => s.push(Buffer.from("789012"))).toThrow(LineTooLongError);
    expect(s.bufferedBytes).toBe(0);
  });

  it("parses replies with or without data or request_id, and events", () => {
    expect(parseMessage('{"request_id":3,"error":"property unavailable"}')).toEqual({ type: "reply", requestId: 3, error: "property unavailable" });
    expect(parseMessage('{"data":null,"error":"success"}')).toEqual({ type: "reply", requestId: 0, error: "success", data: null });
    expect(parseMessage('{"event":"shutdown"}')).toMatchObject({ type: "event", event: "shutdown" });
    expect(parseMessage("  ")).toBeUndefined();
    expect(() => parseMessage("[1,2]")).toThrow(MpvProtocolError);
    expect(() => parseMessage("42")).toThrow(MpvProtocolError);
  });
});
