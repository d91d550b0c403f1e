// Outage test: Trakt (the emulator) is down for 30 minutes of a fake clock while three watches end; when it comes
// back, the three arrive in ONE batched /sync/history request carrying their true end times.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogue, startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { Outbox } from "../../src/outbox/outbox.js";
import type { AccessTokenProvider } from "../../src/trakt/api.js";
import { TraktClient } from "../../src/trakt/client.js";
import type { HistoryBody } from "../../src/trakt/types.js";
import { FakeIdentifier, intent } from "./fakes.js";

const MIN = 60_000;
let t: number;
let emulator: Emulator;
let dir: string;
let outbox: Outbox | undefined;

beforeEach(async () => {
  t = Date.parse("2026-11-27T20:00:00Z");
  emulator = await startTraktEmulator({ now: () => t, writeLimitMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), "outbox-outage-"));
});

afterEach(async () => {
  await outbox?.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Trakt outage", () => {
  it("three watches ending during a 30-minute outage arrive in one history request with their true times", async () => {
    const token = emulator.issueTokens().access_token;
    const tokens: AccessTokenProvider = { getAccessToken: () => Promise.resolve(token), refreshAfterUnauthorized: () => Promise.resolve(token) };
    // The client's own retries are off: the outbox owns waiting, on the fake clock.
    const client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, tokens, writeSpacingMs: 0, retry: { retries: 0 }, now: () => t });
    outbox = await Outbox.open({ dir, api: client, identifier: new FakeIdentifier(), now: () => t, autoWake: false });
    const movies = catalogue.movies.slice(0, 3).map((m) => m.ids.trakt);

    for (const [i, movie] of movies.entries()) {
      await outbox.submit(intent({ kind: "start", movie, sessionKey: `tv${i}`, playthroughId: `w${i}` }, t));
    }
    await outbox.idle();
    expect(emulator.requests.filter((r) => r.path === "/scrobble/start" && r.status === 201)).toHaveLength(3);

    await emulator.outage();
    const outageStart = t;
    const ends: number[] = [];
    for (const [i, movie] of movies.entries()) {
      t += 5 * MIN;
      ends.push(t);
      await outbox.submit(intent({ kind: "stop", movie, sessionKey: `tv${i}`, playthroughId: `w${i}`, progress: 97, endedAt: t }, t));
      await outbox.idle();
      await outbox.drain();
      await outbox.idle();
    }
    expect(outbox.depth()).toBe(3);
    expect(outbox.list().pending.map((p) => p.lastError)).toContainEqual(expect.stringMatching(/ECONNREFUSED/));

    t = outageStart + 30 * MIN;
    await emulator.recover();
    emulator.clearRequests();
    await outbox.drain();
    await outbox.idle();

    const writes = emulator.requests.filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /sync/history 201"]);
    const body = writes[0]!.body as HistoryBody;
    expect(body.movies?.map((m) => [m.ids.trakt, m.watched_at])).toEqual(movies.map((m, i) => [m, new Date(ends[i]!).toISOString()]));
    // Connection refused means Trakt never saw those stops: no history lookup was needed.
    expect(emulator.requests.filter((r) => r.method === "GET")).toHaveLength(0);
    const history = emulator.history();
    expect(history.map((h) => [h.traktId, h.watchedAt]).sort()).toEqual(movies.map((m, i) => [m, new Date(ends[i]!).toISOString()]).sort());
    expect(outbox.depth()).toBe(0);
  });
});
