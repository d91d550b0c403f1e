// Fuzzing the mpv IPC boundary: a fake mpv on a real unix socket answers the real MpvAdapter (client + tracker)
// with random replies, mutated transcript events, garbage lines, over-long lines, invalid UTF-8 and random chunking.
// The adapter must never throw, never emit a nonsense PlaybackEvent, always let go of a broken peer, and stop on time.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { mpvSection } from "../../src/config/sections/players.js";
import type { PlaybackEvent } from "../../src/core/playback.js";
import { MpvAdapter } from "../../src/players/mpv/adapter.js";
import { OBSERVED_PROPERTIES } from "../../src/players/mpv/tracker.js";
import { createLogger, silentLogger } from "../../src/util/log.js";
import { readFixture } from "../support/fixtures.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const MAX_LINE = 4096;

/** Real lines from the transcripts in test/fixtures/mpv (events and replies, one JSON object a line). */
function transcriptLines(): string[] {
  const out: string[] = [];
  for (const name of ["transcript.socat.observe-filename.playlist.txt", "examples.ipc-rst.jsonl.txt"]) {
    const text = readFixture("mpv", name);
    // Some transcript objects wrap over lines: join, then split on object boundaries.
    for (const m of text.replace(/\n(?!\{|\*|>|bacher)/g, " ").matchAll(/\{[^\n]*\}/g)) {
      try {
        const v = JSON.parse(m[0]) as unknown;
        if (v !== null && typeof v === "object" && ("event" in v || "error" in v)) out.push(JSON.stringify(v));
      } catch {
        // transcript prose
      }
    }
  }
  return out;
}
const REAL = transcriptLines();

const PROPS: readonly string[] = OBSERVED_PROPERTIES;
const change = (name: string, data: unknown): string => JSON.stringify({ event: "property-change", id: PROPS.indexOf(name) + 1, name, ...(data === undefined ? {} : { data }) });
const value = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 1e308, -1e308, 3600, 0.001),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("/media/The.Matrix.1999.mkv", "", "..", "http://x/y.mkv", "\u0000"),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Arrays nested `depth` levels deep around a leaf, as text (2 bytes a level, so it fits under the line limit). */
const nested = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** A message nested from just under the parser's limit (64 levels) to far past it, where mpv puts values. */
const deepLine: fc.Arbitrary<string> = fc
  .record({ depth: fc.oneof(fc.integer({ min: 40, max: 70 }), fc.integer({ min: 500, max: 2_000 })), name: fc.constantFrom(...PROPS), reply: fc.boolean(), id: fc.nat({ max: 30 }) })
  .map(({ depth, name, reply, id }) =>
    reply ? `{"request_id":${id},"error":"success","data":${nested(depth)}}` : `{"event":"property-change","id":${PROPS.indexOf(name) + 1},"name":"${name}","data":${nested(depth)}}`,
  );

/** One line from the fake mpv. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: fc.constantFrom(...PROPS), data: fc.option(value, { nil: undefined }) }).map((p) => change(p.name, p.data)) },
  { weight: 1, arbitrary: fc.record({ id: fc.integer({ min: -1, max: 40 }), name: fc.string({ maxLength: 12 }), data: value }).map((p) => JSON.stringify({ event: "property-change", ...p })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ event: fc.constantFrom("start-file", "file-loaded", "playback-restart", "seek", "end-file", "idle", "shutdown", "pause", "unpause", "client-message"), reason: fc.option(fc.constantFrom("eof", "stop", "quit", "error", "redirect", "unknown", 7), { nil: undefined }), playlist_entry_id: fc.option(fc.integer(), { nil: undefined }) })
      .map((e) => JSON.stringify(e)),
  },
  { weight: 2, arbitrary: fc.constantFrom(...REAL) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REAL), fc.nat(), fc.string({ maxLength: 3 })).map(([l, at, s]) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 60 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"), fc.constant("{}"), fc.constant("[]"), fc.constant("")) },
  { weight: 1, arbitrary: fc.record({ request_id: fc.oneof(fc.nat({ max: 30 }), fc.string()), error: fc.oneof(fc.constantFrom("success", "property unavailable", "error running command"), fc.string()), data: value }).map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: deepLine },
);

/** A plausible playback (start, metadata, progress, maybe pause, an end) with random values in it. */
const playback: fc.Arbitrary<string[]> = fc
  .record({
    path: fc.oneof(fc.constant("/media/The.Matrix.1999.mkv"), value),
    duration: fc.oneof(fc.double({ min: 1, max: 20_000, noNaN: true }), value),
    times: fc.array(fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), value), { maxLength: 12 }),
    pauseAt: fc.option(fc.nat({ max: 12 }), { nil: undefined }),
    end: fc.option(fc.constantFrom("eof", "stop", "quit", "error", "redirect"), { nil: undefined }),
  })
  .map((p) => {
    const out = [
      JSON.stringify({ event: "start-file", playlist_entry_id: 1 }),
      change("path", p.path),
      change("media-title", "The Matrix"),
      change("duration", p.duration),
      JSON.stringify({ event: "file-loaded" }),
      change("pause", false),
      JSON.stringify({ event: "playback-restart" }),
    ];
    p.times.forEach((t, i) => {
      if (i === p.pauseAt) out.push(change("pause", true));
      out.push(change("time-pos", t));
    });
    if (p.end !== undefined) out.push(JSON.stringify({ event: "end-file", reason: p.end, playlist_entry_id: 1 }));
    return out;
  });

interface Script {
  /** Replies to requests: how mpv answers the adapter's get_property/observe. */
  replyError: string;
  replyData: unknown;
  observeFails: boolean;
  lines: string[];
  /** Extra nasties. */
  longLine: boolean;
  badUtf8: boolean;
  chunk: number;
  endWith: "close" | "half-line" | "silence";
}

const scriptArb: fc.Arbitrary<Script> = fc.record({
  replyError: fc.oneof(fc.constantFrom("success", "success", "success", "property unavailable"), fc.string({ maxLength: 10 })),
  replyData: value,
  observeFails: fc.boolean().map((b) => b && Math.random() < 0.2),
  lines: fc.tuple(playback, fc.array(fc.tuple(fc.nat(), line), { maxLength: 12 })).map(([base, extra]) => {
    const out = [...base];
    for (const [at, l] of extra) out.splice(at % (out.length + 1), 0, l);
    return out;
  }),
  longLine: fc.boolean().map((b) => b && Math.random() < 0.3),
  badUtf8: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 512 }),
  endWith: fc.constantFrom<Script["endWith"]>("close", "half-line", "silence"),
});

let root: string | undefined;
/** Every level logged and thrown away: what peers send goes through the log redaction as in the daemon. */
const discardingLogger = createLogger({ level: "trace", destination: { write: () => undefined } });
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function validEvent(e: PlaybackEvent): void {
  expect(["playing", "paused", "stopped", "ended"]).toContain(e.state);
  if (e.progress !== undefined) {
    expect(Number.isFinite(e.progress)).toBe(true);
    expect(e.progress).toBeGreaterThanOrEqual(0);
    expect(e.progress).toBeLessThanOrEqual(100);
  }
  if (e.positionMs !== undefined) expect(Number.isFinite(e.positionMs) && e.positionMs >= 0, `positionMs ${e.positionMs}`).toBe(true);
  if (e.durationMs !== undefined) expect(Number.isFinite(e.durationMs) && e.durationMs > 0, `durationMs ${e.durationMs}`).toBe(true);
  expect(typeof e.sessionKey).toBe("string");
}

async function writeChunked(socket: Socket, data: Buffer, chunk: number): Promise<void> {
  for (let i = 0; i < data.length && !socket.destroyed; i += chunk) {
    const ok = socket.write(data.subarray(i, i + chunk));
    if (!ok) {
      await new Promise<void>((resolve) => {
        socket.once("drain", resolve);
        socket.once("close", resolve);
      });
    }
    if (i % (chunk * 8) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe("mpv IPC fuzzing through the real adapter", () => {
  it(`random and mutated mpv output never crashes the adapter or yields a bad event (${RUNS} runs)`, async () => {
    root = mkdtempSync(join(tmpdir(), "tsd-fuzz-mpv-"));
    let n = 0;
    let emitted = 0;
    await fc.assert(
      fc.asyncProperty(scriptArb, async (script) => {
        const socketPath = join(root!, `m${n++}.sock`);
        const events: PlaybackEvent[] = [];
        let served: () => void = () => undefined;
        const done = new Promise<void>((resolve) => (served = resolve));
        let connected = false;
        const server: Server = createServer((socket) => {
          connected = true;
          socket.on("error", () => undefined);
          // Answer every request the adapter sends, the way this case's mpv does.
          let buffered = "";
          socket.on("data", (chunk: Buffer) => {
            buffered += chunk.toString("utf8");
            let nl: number;
            while ((nl = buffered.indexOf("\n")) >= 0) {
              const text = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              try {
                const req = JSON.parse(text) as { request_id?: number; command?: unknown[] };
                const [cmd, arg] = req.command ?? [];
                let reply: Record<string, unknown>;
                if (cmd === "observe_property") {
                  reply = { request_id: req.request_id, error: script.observeFails ? script.replyError : "success" };
                  observed++;
                } else if (cmd === "get_property" && arg === "pid") {
                  reply = { request_id: req.request_id, error: "success", data: 4242 };
                } else {
                  reply = { request_id: req.request_id, error: script.replyError, data: script.replyData };
                }
                if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
                if (observed === PROPS.length) {
                  observed++;
                  setImmediate(play);
                }
              } catch {
                // not ours to judge
              }
            }
          });
          let observed = 0;
          const play = (): void => void (async () => {
            const parts = [...script.lines];
            if (script.longLine) parts.splice(parts.length >> 1, 0, `{"event":"property-change","name":"path","data":"${"x".repeat(MAX_LINE * 2)}"}`);
            let data = Buffer.from(parts.map((l) => `${l}\n`).join(""));
            if (script.badUtf8) data = Buffer.concat([data, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d, 0x0a])]);
            if (script.endWith === "half-line") data = Buffer.concat([data, Buffer.from('{"event":"end-f')]);
            await writeChunked(socket, data, script.chunk);
            if (script.endWith === "silence" || socket.destroyed || socket.closed) {
              served();
            } else {
              // Once the adapter's side closes after our end, it has read every byte we wrote.
              socket.once("close", () => served());
              socket.end();
            }
          })();
          // An mpv that refuses the subscriptions gets no script: it is dropped during the handshake.
          if (script.observeFails) socket.on("close", () => served());
        });
        await new Promise<void>((resolve) => server.listen(socketPath, resolve));
        const adapter = new MpvAdapter({
          config: mpvSection.parse({ sockets: [socketPath], reconnectSeconds: 3600, requestTimeoutSeconds: 1, progressIntervalSeconds: 1 }),
          context: { emit: (e) => events.push(e), now: Date.now },
          log: discardingLogger,
          maxLineBytes: MAX_LINE,
        });
        try {
          await adapter.start(new AbortController().signal);
          let doneTimer: NodeJS.Timeout | undefined;
          await Promise.race([
            done,
            new Promise<never>((_, reject) => {
              doneTimer = setTimeout(() => reject(new Error(`fake mpv not done after 5 s (connected: ${connected})`)), 5_000);
            }),
          ]).finally(() => clearTimeout(doneTimer));
          const stopped = adapter.stop();
          let timer: NodeJS.Timeout | undefined;
          const hang = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("adapter.stop() hung")), 5_000);
          });
          await Promise.race([stopped, hang]).finally(() => clearTimeout(timer));
          for (const e of events) validEvent(e);
          emitted += events.length;
          expect(adapter.status()[0]?.state).toBe("stopped");
        } finally {
          server.close();
          await adapter.stop();
        }
      }),
      { numRuns: RUNS },
    );
    // The generator reaches the adapter's logic: some cases make it emit playback events.
    console.log(`mpv fuzz: ${emitted} playback events from ${RUNS} cases`);
    expect(emitted).toBeGreaterThan(0);
  }, Math.max(120_000, RUNS * 200));

  // Found by the fuzzer: mpv's time-pos can be negative (streams with a start offset), and -1e308 s would become
  // -Infinity ms, a duration of 1e308 s Infinity ms. The tracker clamps them (src/players/mpv/tracker.ts).
  it("a negative or out-of-range time-pos or duration is not reported as a negative or infinite value", async () => {
    root ??= mkdtempSync(join(tmpdir(), "tsd-fuzz-mpv-"));
    const socketPath = join(root, "negative.sock");
    const events: PlaybackEvent[] = [];
    let played: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (played = resolve));
    const server = createServer((socket) => {
      socket.on("error", () => undefined);
      let observed = 0;
      let buffered = "";
      socket.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const req = JSON.parse(buffered.slice(0, nl)) as { request_id?: number; command?: unknown[] };
          buffered = buffered.slice(nl + 1);
          socket.write(`${JSON.stringify({ request_id: req.request_id, error: "success", data: req.command?.[1] === "pid" ? 4242 : null })}\n`);
          if (req.command?.[0] === "observe_property" && ++observed === PROPS.length) {
            const lines = [
              JSON.stringify({ event: "start-file", playlist_entry_id: 1 }),
              change("path", "/media/The.Matrix.1999.mkv"),
              change("duration", 1e308),
              JSON.stringify({ event: "file-loaded" }),
              change("pause", false),
              JSON.stringify({ event: "playback-restart" }),
              change("time-pos", -1),
              change("time-pos", -1e308),
              // A pause after them: once it is reported, every line before it has been handled (one ordered stream).
              change("pause", true),
            ];
            socket.write(lines.map((l) => `${l}\n`).join(""), () => played());
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ sockets: [socketPath], reconnectSeconds: 3600 }),
      context: { emit: (e) => events.push(e), now: Date.now },
      log: silentLogger(),
    });
    try {
      await adapter.start(new AbortController().signal);
      await done;
      await vi.waitFor(() => expect(events.some((e) => e.state === "paused")).toBe(true));
      await adapter.stop();
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        if (e.positionMs !== undefined) expect(Number.isFinite(e.positionMs) && e.positionMs >= 0).toBe(true);
        if (e.durationMs !== undefined) expect(Number.isFinite(e.durationMs)).toBe(true);
      }
    } finally {
      await adapter.stop();
      server.close();
    }
  });

  it("a peer that floods one endless line is dropped at the line limit (memory stays bounded)", async () => {
    root ??= mkdtempSync(join(tmpdir(), "tsd-fuzz-mpv-"));
    const socketPath = join(root, "flood.sock");
    let sent = 0;
    let peerClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (peerClosed = resolve));
    const server = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.on("close", () => peerClosed());
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!socket.destroyed && sent < 512 * 1024 * 1024) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ sockets: [socketPath], reconnectSeconds: 3600 }),
      context: { emit: () => undefined, now: Date.now },
      log: silentLogger(),
      maxLineBytes: 1024 * 1024,
    });
    try {
      await adapter.start(new AbortController().signal);
      await closed;
      // Dropped soon after the limit, not after reading hundreds of MB.
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await adapter.stop();
      server.close();
    }
  });

  it("a line nested 100,000 levels deep (200 KB, under the 1 MiB line limit) is refused, not a crash; the peer is dropped", async () => {
    root ??= mkdtempSync(join(tmpdir(), "tsd-fuzz-mpv-"));
    const socketPath = join(root, "deep.sock");
    let peerClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (peerClosed = resolve));
    const server = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.on("close", () => peerClosed());
      socket.write(`{"event":"property-change","id":1,"name":"path","data":${nested(100_000)}}\n{"request_id":1,"error":"success","data":${nested(100_000)}}\n`);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const adapter = new MpvAdapter({
      config: mpvSection.parse({ sockets: [socketPath], reconnectSeconds: 3600 }),
      context: { emit: () => undefined, now: Date.now },
      log: discardingLogger,
    });
    try {
      await adapter.start(new AbortController().signal);
      await closed;
      expect(adapter.status().find((s) => s.name === `mpv:${socketPath}`)?.state).not.toBe("connected");
    } finally {
      await adapter.stop();
      server.close();
    }
  });
});
