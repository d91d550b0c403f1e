// Outbox benchmarks against the real client + emulator on 127.0.0.1:
//  - requests and time to replay 10,000 queued watches (goal ⌈N/100⌉ requests),
//  - submit (enqueue, fsync included) latency p50/p99,
//  - event → request latency p50/p99 with cached identification (goal p99 ≤ 5 ms),
//  - journal load time and memory with 10,000 queued.
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BenchRow } from "./run.js";
import { catalogue, startTraktEmulator } from "../src/emulator/index.js";
import type { Identification, Identifier } from "../src/identify/types.js";
import type { MediaHints } from "../src/core/playback.js";
import { Outbox, type OutboxApi } from "../src/outbox/outbox.js";
import type { ScrobbleIntent } from "../src/scrobble/intent.js";
import type { AccessTokenProvider } from "../src/trakt/api.js";
import { TraktClient } from "../src/trakt/client.js";

const N = Number(process.env.OUTBOX_BENCH_N ?? 10_000);
const LATENCY_SAMPLES = 1500;

// Identification is cached in the daemon; here it is an immediate answer from the hints' ids.
const identifier: Identifier = {
  identify(hints: MediaHints): Promise<Identification> {
    return Promise.resolve({ ok: true, items: [{ type: "movie", movie: { ids: { trakt: Number(hints.ids?.trakt) } } }], source: "cache", confidence: 1, reason: "cached" });
  },
};

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const emulator = await startTraktEmulator({ writeLimitMs: 0 });
  const dir = await mkdtemp(path.join(tmpdir(), "outbox-bench-"));
  try {
    const token = emulator.issueTokens().access_token;
    const tokens: AccessTokenProvider = { getAccessToken: () => Promise.resolve(token), refreshAfterUnauthorized: () => Promise.resolve(token) };
    const client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, tokens, writeSpacingMs: 0, retry: { retries: 0 } });
    const movies = catalogue.movies.map((m) => m.ids.trakt);

    // 1. N watches queue up while Trakt is unreachable (each submit fsync'd).
    await emulator.outage();
    const outboxDir = path.join(dir, "replay");
    let outbox = await Outbox.open({ dir: outboxDir, api: client, identifier, autoWake: false });
    const now = Date.now();
    const submitMs: number[] = [];
    for (let i = 0; i < N; i++) {
      // The same movie comes round every 7 h: outside the 6 h dedupe window, so every watch is real.
      const endedAt = now - 3_600_000 - (N - i) * 70 * 60_000;
      const intent: ScrobbleIntent = {
        id: `bench-${i}`,
        kind: "stop",
        player: "bench",
        sessionKey: `s${i % 7}`,
        playthroughId: `pt-${i}`,
        progress: 95,
        hints: { kind: "movie", ids: { trakt: String(movies[i % movies.length]) } },
        createdAt: endedAt,
        endedAt,
      };
      const started = performance.now();
      await outbox.submit(intent);
      submitMs.push(performance.now() - started);
    }
    await outbox.idle();
    await outbox.close();
    const journalBytes = (await stat(Outbox.journalFile(outboxDir))).size;

    // 2. Trakt is back: open the queue (load time, memory) and replay it.
    await emulator.recover();
    emulator.clearRequests();
    const heapBefore = process.memoryUsage().heapUsed;
    let started = performance.now();
    outbox = await Outbox.open({ dir: outboxDir, api: client, identifier, autoWake: false });
    const loadMs = performance.now() - started;
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    started = performance.now();
    while (outbox.depth() > 0) {
      const before = outbox.depth();
      await outbox.drain();
      await outbox.idle();
      if (outbox.depth() === before) throw new Error(`replay stalled with ${before} left: ${JSON.stringify(outbox.status().accounts)}`);
    }
    const replayMs = performance.now() - started;
    await outbox.close();
    const requests = emulator.requests.length;
    const posts = emulator.requests.filter((r) => r.method === "POST").length;
    const inHistory = emulator.history().length;
    const goal = Math.ceil(N / 100);
    rows.push(
      { metric: `requests to replay ${N} queued watches`, value: String(requests), goal: `≤ ${goal}`, ok: requests <= goal },
      { metric: "  of which POST /sync/history / history lookups", value: `${posts} / ${requests - posts}`, goal: "" },
      { metric: "  watches in the emulator's history afterwards", value: String(inHistory), goal: String(N), ok: inHistory === N },
      { metric: `time to replay ${N} (emulator, no write spacing)`, value: `${(replayMs / 1000).toFixed(2)} s`, goal: "" },
      { metric: "time to replay at Trakt's 1 write/s (projected)", value: `${posts} s`, goal: `≤ ${goal} s`, ok: posts <= goal },
      { metric: `submit (enqueue + fsync) latency p50, ${N} submits`, value: ms(pct(submitMs, 50)), goal: "" },
      { metric: `submit (enqueue + fsync) latency p99, ${N} submits`, value: ms(pct(submitMs, 99)), goal: "≈ the disk's fsync p99" },
      { metric: `open a journal of ${N} queued watches`, value: ms(loadMs), goal: "≤ 1000 ms", ok: loadMs <= 1000 },
      { metric: `  journal size / heap growth with ${N} queued`, value: `${(journalBytes / 1024 / 1024).toFixed(1)} MB / ${heapMb.toFixed(1)} MB`, goal: "" },
    );

    // 3. Event → request: time from submit() to the client's scrobble() call, identification cached.
    //    start/pause leave once written (fsync in parallel); a stop waits for its fsync (write before send).
    let calledAt = 0;
    const timed: OutboxApi = {
      scrobble: (...args) => {
        calledAt = performance.now();
        return client.scrobble(...args);
      },
      addHistory: (...args) => client.addHistory(...args),
      getHistory: (...args) => client.getHistory(...args),
    };
    const live = await Outbox.open({ dir: path.join(dir, "live"), api: timed, identifier, autoWake: false, settings: { dedupeWindowMinutes: 0 } });
    const startPause: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const kind = (["start", "pause", "stop"] as const)[i % 3]!;
      const t0 = performance.now();
      calledAt = 0;
      await live.submit({
        id: `live-${i}`,
        kind,
        player: "bench",
        sessionKey: "live",
        playthroughId: `live-${Math.floor(i / 3)}`,
        progress: kind === "stop" ? 90 : 10 + (i % 50),
        hints: { kind: "movie", ids: { trakt: String(movies[0]) } },
        createdAt: Date.now(),
        ...(kind === "stop" ? { endedAt: Date.now() } : {}),
      });
      await live.idle();
      if (calledAt > 0) (kind === "stop" ? stops : startPause).push(calledAt - t0);
    }
    await live.close();

    // The disk's own fsync cost, for context.
    const probe = await open(path.join(dir, "fsync-probe"), "a");
    const fsyncMs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await probe.write(`${"x".repeat(250)}\n`);
      await probe.datasync();
      fsyncMs.push(performance.now() - t0);
    }
    await probe.close();
    rows.push(
      { metric: "event → request p50, start/pause (identification cached)", value: ms(pct(startPause, 50)), goal: "" },
      { metric: "event → request p99, start/pause (identification cached)", value: ms(pct(startPause, 99)), goal: "≤ 5 ms", ok: pct(startPause, 99) <= 5 },
      { metric: "event → request p50, stop (fsync'd first)", value: ms(pct(stops, 50)), goal: "" },
      { metric: "event → request p99, stop (fsync'd first)", value: ms(pct(stops, 99)), goal: "≈ the disk's fsync p99" },
      { metric: "this disk: append + fdatasync of one line p50 / p99", value: `${ms(pct(fsyncMs, 50))} / ${ms(pct(fsyncMs, 99))}`, goal: "" },
    );
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
