// Fuzzing the Kodi JSON-RPC boundary: a fake Kodi (ws server on 127.0.0.1) answers the real KodiAdapter (client +
// polling) with the real Kodi 20 transcript's results and notifications, mutated at random leaves, plus garbage
// frames, wrong JSON-RPC shapes and error replies. The adapter must never throw, never emit a nonsense PlaybackEvent,
// and stop on time.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../src/core/playback.js";
import { KodiAdapter } from "../../src/players/kodi/adapter.js";
import { KODI_MAX_MESSAGE_BYTES } from "../../src/players/kodi/client.js";
import { FakeKodi, Scenario, type ScenarioName } from "../players/kodi/fake-kodi.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SCENARIOS: ScenarioName[] = ["file-movie", "file-episode", "library-movie-by-id", "library-episode-by-path", "library-movie-to-end"];

interface TranscriptEvent {
  dir: string;
  msg?: { id?: number; method?: string };
}
/** Every notification Kodi sent in the real transcript, verbatim. */
const NOTIFICATIONS: Record<string, unknown>[] = (() => {
  const t = JSON.parse(readFileSync(new URL("../fixtures/kodi/transcript.kodi20.real-headless.json", import.meta.url), "utf8")) as {
    scenarios: Record<string, { events: TranscriptEvent[] }>;
  };
  return Object.values(t.scenarios).flatMap((s) => s.events.filter((e) => e.dir === "recv" && e.msg?.method !== undefined && e.msg.id === undefined).map((e) => e.msg as Record<string, unknown>));
})();

const leafValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 0, 1e308, -1e308, "", "video", "movie", "episode", "unknown", { hours: -1, minutes: 99, seconds: 1e9, milliseconds: -5 }, [], {}),
  fc.double(),
  fc.string({ maxLength: 20 }),
);

/** Replaces `count` random leaves (or whole subtrees) of `value` with garbage. */
function mutate(value: unknown, picks: readonly { at: number; to: unknown }[]): unknown {
  const root = { v: structuredClone(value) };
  for (const { at, to } of picks) {
    const slots: { parent: Record<string | number, unknown>; key: string | number }[] = [];
    const walk = (node: unknown, parent: Record<string | number, unknown>, key: string | number): void => {
      slots.push({ parent, key });
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, node as unknown as Record<number, unknown>, i));
      else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, node as Record<string, unknown>, k);
    };
    walk(root.v, root, "v");
    const slot = slots[at % slots.length]!;
    // A copy: fast-check hands out the same constant objects again, and a shared one could end up inside itself.
    slot.parent[slot.key] = structuredClone(to);
  }
  return root.v;
}

const picks = fc.array(fc.record({ at: fc.nat(), to: leafValue }), { maxLength: 3 });

/** Objects or arrays nested `depth` levels around a leaf, as text (building them as values would overflow the test's own stack). */
function nestedText(depth: number, arrays: boolean): string {
  return arrays ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** A message nested from just under the client's limit (64) to far beyond it, where a value goes in a real message. */
const deepFrame: fc.Arbitrary<string> = fc
  .record({ depth: fc.oneof(fc.integer({ min: 40, max: 70 }), fc.integer({ min: 1_000, max: 30_000 })), arrays: fc.boolean(), where: fc.constantFrom("error", "answer", "notification"), id: fc.nat({ max: 50 }) })
  .map(({ depth, arrays, where, id }) => {
    const deep = nestedText(depth, arrays);
    if (where === "error") return `{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error","data":${deep}}}`;
    if (where === "answer") return `{"jsonrpc":"2.0","id":${id},"result":${deep}}`;
    return `{"jsonrpc":"2.0","method":"Player.OnPlay","params":{"sender":"xbmc","data":${deep}}}`;
  });

const frame: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...NOTIFICATIONS), picks).map(([n, p]) => JSON.stringify(mutate(n, p))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id: fc.oneof(fc.nat({ max: 50 }), fc.string()), error: fc.record({ code: fc.integer(), message: fc.string() }) }).map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), method: fc.constantFrom("Player.OnPlay", "Player.OnStop", "Player.OnPause", "Player.OnResume", "Player.OnSeek", "System.OnQuit"), params: leafValue }).map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: deepFrame },
);

const caseArb = fc.record({
  scenario: fc.constantFrom(...SCENARIOS),
  nth: fc.integer({ min: 1, max: 4 }),
  // Often verbatim, so the adapter gets far enough into a playback for the mutations elsewhere to matter.
  activePlayers: fc.oneof(fc.constant([]), picks),
  item: fc.oneof(fc.constant([]), picks),
  properties: fc.oneof(fc.constant([]), picks),
  frames: fc.array(frame, { maxLength: 15 }),
});

function validEvent(e: PlaybackEvent): void {
  expect(["playing", "paused", "stopped", "ended"]).toContain(e.state);
  if (e.progress !== undefined) {
    expect(Number.isFinite(e.progress), `progress ${e.progress}`).toBe(true);
    expect(e.progress).toBeGreaterThanOrEqual(0);
    expect(e.progress).toBeLessThanOrEqual(100);
  }
  if (e.positionMs !== undefined) expect(Number.isNaN(e.positionMs), `positionMs ${e.positionMs}`).toBe(false);
  if (e.durationMs !== undefined) expect(Number.isNaN(e.durationMs), `durationMs ${e.durationMs}`).toBe(false);
  expect(e.player.startsWith("kodi:")).toBe(true);
}

let fake: FakeKodi;
beforeAll(async () => {
  fake = await FakeKodi.start();
});
afterAll(async () => {
  await fake.close();
});

/** Resolves at the adapter's next poll, or after `ms` (the adapter may rightly stay quiet). */
function nextPollOr(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    fake.waitForRequests("Player.GetProperties", fake.count("Player.GetProperties") + 1).then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe("Kodi JSON-RPC fuzzing through the real adapter", () => {
  it(`mutated transcript answers and notifications never crash the adapter or yield a bad event (${RUNS} runs)`, async () => {
    let emitted = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const s = new Scenario(c.scenario);
        const nth = (method: string): number => {
          for (let i = c.nth; i >= 0; i--) {
            try {
              s.result(method, i);
              return i;
            } catch {
              // this scenario has fewer answers
            }
          }
          return 0;
        };
        fake.playback = {
          activePlayers: mutate(s.result("Player.GetActivePlayers", nth("Player.GetActivePlayers")), c.activePlayers),
          item: mutate(s.result("Player.GetItem", nth("Player.GetItem")), c.item),
          properties: mutate(s.result("Player.GetProperties", nth("Player.GetProperties")), c.properties),
        };
        const events: PlaybackEvent[] = [];
        const before = fake.count("Player.GetActivePlayers");
        const adapter = new KodiAdapter(
          { name: "fuzz", url: fake.url, avStartGraceMs: 10, pollMinMs: 20, pollMaxMs: 50, timing: { requestTimeoutMs: 300, reconnectMinMs: 3_600_000, reconnectMaxMs: 3_600_000 } },
          { emit: (e) => events.push(e), now: Date.now },
        );
        try {
          await adapter.start(new AbortController().signal);
          await fake.waitForRequests("Player.GetActivePlayers", before + 1);
          for (const text of c.frames) fake.send(text);
          await nextPollOr(30);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            adapter.stop(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error("adapter.stop() hung")), 5_000);
            }),
          ]).finally(() => clearTimeout(timer));
          for (const e of events) validEvent(e);
          emitted += events.length;
        } finally {
          await adapter.stop();
          fake.setIdle();
          // waitForRequests listeners left by a poll that did not come.
          fake.removeAllListeners("request");
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`kodi fuzz: ${emitted} playback events from ${RUNS} cases`);
    expect(emitted).toBeGreaterThan(0);
  }, Math.max(120_000, RUNS * 300));

  it("frames over the 4 MiB cap and absurdly nested ones: the adapter reconnects, keeps following, stops on time", async () => {
    const s = new Scenario("library-movie-by-id");
    // The first moment of the real transcript where a movie plays.
    const playing = [0, 1, 2, 3, 4].find((i) => (s.result("Player.GetActivePlayers", i) as unknown[]).length > 0) ?? 0;
    fake.playback = { activePlayers: s.result("Player.GetActivePlayers", playing), item: s.result("Player.GetItem", playing), properties: s.result("Player.GetProperties", playing) };
    const events: PlaybackEvent[] = [];
    let onEvent = (): void => undefined;
    const adapter = new KodiAdapter(
      { name: "fuzz", url: fake.url, avStartGraceMs: 10, pollMinMs: 20, pollMaxMs: 50, timing: { requestTimeoutMs: 300, reconnectMinMs: 10, reconnectMaxMs: 20 } },
      {
        emit: (e) => {
          events.push(e);
          onEvent();
        },
        now: Date.now,
      },
    );
    const nextEvent = (): Promise<void> => new Promise((resolve) => (onEvent = resolve));
    try {
      const connections = fake.connections;
      await adapter.start(new AbortController().signal);
      await fake.waitForConnections(connections + 1);
      const oversized = [
        JSON.stringify({ jsonrpc: "2.0", method: "Player.OnPlay", params: { data: { item: { title: "x".repeat(KODI_MAX_MESSAGE_BYTES) } } } }),
        `{"jsonrpc":"2.0","id":1,"result":${nestedText(KODI_MAX_MESSAGE_BYTES / 2, true)}}`,
      ];
      for (const [i, text] of oversized.entries()) {
        fake.send(nestedText(50_000, i % 2 === 0));
        fake.send(text);
        await fake.waitForConnections(connections + 2 + i);
      }
      // Still following: a position poll after all that is reported.
      const seen = events.length;
      while (events.length === seen) await nextEvent();
      for (const e of events) validEvent(e);
      expect(events.at(-1)?.state, JSON.stringify(events.map((e) => e.state))).toBe("playing");
    } finally {
      await adapter.stop();
      fake.setIdle();
      fake.removeAllListeners("request");
    }
  }, 60_000);
});
