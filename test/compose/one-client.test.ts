// One Trakt client per process (src/compose/app.ts): the outbox, identification and every other part call Trakt
// through the same client, so the per-account write spacing and the 429 blocks hold for all of them, while retries
// are chosen per call (the outbox sends each write once; a search is retried).
//
// Trakt counts limits per bucket: a user's writes (1/s) apart from unauthenticated GETs such as searches. The client
// blocks the bucket a 429 came from, so a 429 on the outbox's write holds back that account's calls from every part,
// and a search is held back by a 429 on the app's bucket — never by a user's write limit.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../../src/compose/app.js";
import { defaultConfig } from "../../src/config/schema.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import type { Outbox } from "../../src/outbox/index.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import { isTraktError } from "../../src/trakt/errors.js";
import { silentLogger } from "../../src/util/log.js";
import { seedLogin } from "../support/daemon.js";

let emulator: Emulator;
let stateDir: string;
let app: App;
let outbox: Outbox | undefined;

beforeEach(async () => {
  // The emulator enforces Trakt's write limit: a second write of one user within 1 s is answered 429.
  emulator = await startTraktEmulator({ writeLimitMs: 1_000 });
  stateDir = await mkdtemp(join(tmpdir(), "tsd-one-client-"));
  await seedLogin(emulator, stateDir);
  const config = defaultConfig();
  Object.assign(config.trakt, { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, writeSpacingMs: 1_000, timeoutMs: 5_000 });
  config.secrets.store = "file";
  app = new App({ config, stateDir, log: silentLogger() });
});

afterEach(async () => {
  await outbox?.close();
  outbox = undefined;
  await emulator.close();
  await rm(stateDir, { recursive: true, force: true });
});

let seq = 0;
function start(movie: number): ScrobbleIntent {
  seq += 1;
  const now = Date.now();
  return { id: `one-client-${seq}`, kind: "start", player: "mpv:test", sessionKey: `s${seq}`, playthroughId: `p${seq}`, progress: 10, hints: { kind: "movie", ids: { trakt: String(movie) } }, createdAt: now };
}

async function deliver(intent: ScrobbleIntent): Promise<void> {
  outbox ??= await app.outbox();
  await outbox.submit(intent);
  await outbox.idle();
}

const calls = (path: string): number[] => emulator.requests.filter((r) => r.path === path).map((r) => r.status);

describe("one Trakt client per process", () => {
  it("carries the outbox's writes and identification's searches", async () => {
    outbox = await app.outbox();
    const { identifier } = await app.identify();
    const client = await app.trakt();
    expect(await app.trakt()).toBe(client);
    // Both reach Trakt through it: a search and a scrobble arrive with the same app key and the account's token.
    const found = await identifier.identify({ path: "/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.2160p.mkv" });
    expect(found.ok).toBe(true);
    await deliver(start(28));
    expect(calls("/search/movie")).toEqual([200]);
    expect(calls("/scrobble/start")).toEqual([201]);
  });

  it("spaces the outbox's writes and another part's writes of the same account", async () => {
    const client = await app.trakt();
    outbox = await app.outbox();
    await outbox.submit(start(28));
    // Another part (a future dashboard, a checkin) writes for the same account at the same moment.
    const other = client.scrobble("default", "pause", { movie: { ids: { trakt: 28 } }, progress: 20 });
    await Promise.all([other, outbox.idle()]);
    const writes = emulator.requests.filter((r) => r.method === "POST" && r.path.startsWith("/scrobble/"));
    expect(writes.map((r) => r.status)).toEqual([201, 201]);
    expect(Math.abs(writes[1]!.at - writes[0]!.at)).toBeGreaterThanOrEqual(950);
  });

  it("a 429 the outbox receives holds back the account's calls from every part, without asking Trakt again", async () => {
    const client = await app.trakt(); // what another part holds, before the outbox exists
    emulator.injectFault({ type: "rate_limit", retryAfterSec: 30 }, { path: "/scrobble/start" });
    await deliver(start(28));
    expect(calls("/scrobble/start")).toEqual([429]);
    emulator.clearRequests();
    const error = await client.userSettings("default").catch((e: unknown) => e);
    expect(isTraktError(error, "rate_limited")).toBe(true);
    expect(emulator.requests).toEqual([]);
  });

  it("a 429 on a search holds back identification's next search (the app's bucket), not the account's writes", async () => {
    emulator.injectFault({ type: "rate_limit", retryAfterSec: 30 }, { path: /^\/search\// });
    const { identifier } = await app.identify();
    const first = await identifier.identify({ path: "/media/movies/Heat (1995)/Heat.1995.mkv" });
    expect(first).toMatchObject({ ok: false, retryable: true });
    const second = await identifier.identify({ path: "/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.mkv" });
    expect(second).toMatchObject({ ok: false, retryable: true });
    expect(emulator.requests.filter((r) => r.path.startsWith("/search/")).map((r) => r.status)).toEqual([429]);
    await deliver(start(28));
    expect(calls("/scrobble/start")).toEqual([201]);
  });

  it("retries per call: the outbox's write is sent once, a search through the same client is retried", async () => {
    emulator.injectFault({ type: "status", status: 503 }, { path: "/scrobble/start" });
    emulator.injectFault({ type: "status", status: 503 }, { path: "/search/movie" });
    await deliver(start(28));
    expect(calls("/scrobble/start")).toEqual([503]);
    const { identifier } = await app.identify();
    const found = await identifier.identify({ path: "/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.mkv" });
    expect(found.ok).toBe(true);
    expect(calls("/search/movie")).toEqual([503, 200]);
  });
});
