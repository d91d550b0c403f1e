// Episodes through /sync/history against the emulator: by their own ids and by show + season/number, batched,
// found again by the exactly-once lookup, and an episode Trakt does not know becoming a dead letter.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import type { Identification, Identifier } from "../../src/identify/types.js";
import { Outbox, type OutboxApi } from "../../src/outbox/outbox.js";
import type { MediaHints } from "../../src/core/playback.js";
import type { AccessTokenProvider } from "../../src/trakt/api.js";
import { TraktClient } from "../../src/trakt/client.js";
import { TraktError } from "../../src/trakt/errors.js";
import type { MediaItem } from "../../src/core/media.js";
import { intent } from "./fakes.js";

const MIN = 60_000;
let t: number;
let emulator: Emulator;
let dir: string;
let outbox: Outbox | undefined;

/** Episode hints → the item identify/ would return: own Trakt id when the player had it, else show tvdb + S/E. */
const identifier: Identifier = {
  identify(hints: MediaHints): Promise<Identification> {
    const item: MediaItem = hints.ids?.trakt
      ? { type: "episode", episode: { ids: { trakt: Number(hints.ids.trakt) } } }
      : { type: "episode", episode: { season: hints.season!, number: hints.episode! }, show: { ids: { tvdb: Number(hints.showIds?.tvdb) } } };
    return Promise.resolve({ ok: true, items: [item], source: "cache", confidence: 1, reason: "test" });
  },
};

function client(): TraktClient {
  const token = emulator.issueTokens().access_token;
  const tokens: AccessTokenProvider = { getAccessToken: () => Promise.resolve(token), refreshAfterUnauthorized: () => Promise.resolve(token) };
  return new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, tokens, writeSpacingMs: 0, retry: { retries: 0 }, now: () => t });
}

const breakingBad = (episode: number, extra: object = {}) =>
  intent({ kind: "watched", hints: { kind: "episode", showTitle: "Breaking Bad", showIds: { tvdb: "81189" }, season: 1, episode }, progress: 70, ...extra }, t);
const byId = (trakt: number, extra: object = {}) => intent({ kind: "watched", hints: { kind: "episode", ids: { trakt: String(trakt) } }, progress: 70, ...extra }, t);
const walkingDead = (extra: object = {}) => byId(900101, extra);

beforeEach(async () => {
  t = Date.parse("2026-11-27T20:00:00Z");
  emulator = await startTraktEmulator({ now: () => t, writeLimitMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), "outbox-episodes-"));
});

afterEach(async () => {
  await outbox?.close();
  outbox = undefined;
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe("episodes through /sync/history", () => {
  it("show-form and id-form episodes go out in one request and are found again by the exactly-once lookup", async () => {
    const real = client();
    let loseAnswer = true;
    // Trakt adds the watches, then the answer is lost (a reset after processing).
    const api: OutboxApi = {
      scrobble: (...a) => real.scrobble(...a),
      getHistory: (...a) => real.getHistory(...a),
      addHistory: async (...a) => {
        const result = await real.addHistory(...a);
        if (loseAnswer) throw new TraktError("retryable", "socket hang up after sending", { cause: new Error("ECONNRESET") });
        return result;
      },
    };
    outbox = await Outbox.open({ dir, api, identifier, now: () => t, autoWake: false });
    emulator.injectFault({ type: "status", status: 503 }, { path: "/sync/history", method: "POST" });
    const a = breakingBad(1, { sessionKey: "a", playthroughId: "a" });
    const b = walkingDead({ sessionKey: "b", playthroughId: "b", endedAt: t - 2 * MIN });
    await outbox.submit(a); // 503: not processed, the account waits
    await outbox.idle();
    await outbox.submit(b);
    await outbox.idle();
    t += MIN;
    await outbox.drain();
    await outbox.idle();
    const adds = emulator.requests.filter((r) => r.method === "POST" && r.path === "/sync/history" && r.status === 201);
    expect(adds).toHaveLength(1);
    expect(emulator.history()).toHaveLength(2);
    expect(outbox.depth()).toBe(2);

    loseAnswer = false;
    t += MIN;
    await outbox.drain();
    await outbox.idle();
    expect(outbox.depth()).toBe(0);
    expect(outbox.status().counters.inHistory).toBe(2);
    expect(emulator.requests.filter((r) => r.method === "POST" && r.path === "/sync/history" && r.status === 201)).toHaveLength(1);
    expect(emulator.history().map((h) => [h.traktId, h.watchedAt]).sort()).toEqual(
      [
        [73482, new Date(a.endedAt!).toISOString()],
        [900101, new Date(b.endedAt!).toISOString()],
      ].sort(),
    );
  });

  it("an episode Trakt does not know becomes a dead letter; its batch-mates are recorded once", async () => {
    outbox = await Outbox.open({ dir, api: client(), identifier, now: () => t, autoWake: false });
    await emulator.outage();
    const good = breakingBad(1, { sessionKey: "a", playthroughId: "a" });
    // (By id: the client cannot parse a not_found episode that has no ids — reported to the trakt area.)
    const bad = byId(999_999, { sessionKey: "b", playthroughId: "b" });
    const other = walkingDead({ sessionKey: "c", playthroughId: "c" });
    for (const i of [good, bad, other]) await outbox.submit(i);
    await outbox.idle();
    await emulator.recover();
    t += MIN;
    for (let n = 0; n < 3 && outbox.depth() > 0; n++) {
      await outbox.drain();
      await outbox.idle();
    }
    expect(outbox.depth()).toBe(0);
    expect(outbox.list().deadLetters.map((d) => [d.id, d.dead?.reason])).toEqual([[bad.id, "not_found"]]);
    expect(emulator.history().map((h) => h.traktId).sort()).toEqual([73482, 900101]);
  });
});
