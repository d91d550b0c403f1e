// Fuzzing the Trakt response boundary: a raw node:http server answers real TraktClient calls with random statuses,
// malformed or mistyped JSON, truncated and oversized bodies, HTML error pages, stalls and garbage headers.
// Every call must end — in a value or a TraktError with a clear message — never a crash, a hang or an echo of the body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TraktClient } from "../../src/trakt/client.js";
import { TraktError } from "../../src/trakt/errors.js";
import { readFixture } from "../support/fixtures.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** Put into every fuzzed body and header: it must never show up in an error message. */
const MARKER = "BODY-MARKER-7f3a";
const TIMEOUT_MS = 150;
const MAX_BODY = 64 * 1024;

function traktFixture(name: string): string {
  return readFixture("trakt", name);
}

type BodyKind =
  | { kind: "valid" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "html" }
  | { kind: "empty" }
  | { kind: "truncated"; keep: number }
  | { kind: "big"; bytes: number }
  | { kind: "drop" }
  | { kind: "stall" };

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: BodyKind;
}

/** The calls under test, with the body a healthy Trakt would give. */
const CALLS: { name: string; valid: string; call: (c: TraktClient) => Promise<unknown> }[] = [
  { name: "scrobble stop", valid: traktFixture("scrobble.stop.response-201.as-in-openapi.json"), call: (c) => c.scrobble("a", "stop", { progress: 90, movie: { ids: { trakt: 28 } } }) },
  { name: "checkin", valid: traktFixture("checkin.response-201.episode.json"), call: (c) => c.checkin("a", { movie: { ids: { trakt: 28 } } }) },
  { name: "add history", valid: traktFixture("sync.history.add.response-201.json"), call: (c) => c.addHistory("a", { movies: [{ ids: { trakt: 28 }, watched_at: "2026-01-01T00:00:00.000Z" }] }) },
  { name: "get history", valid: traktFixture("sync.history.get.episodes.response-200.json"), call: (c) => c.getHistory("a", { type: "episodes", page: 1, limit: 10 }) },
  { name: "search by id", valid: traktFixture("search.id-lookup.response-200.json"), call: (c) => c.searchById("imdb", "tt0111161", "movie") },
  { name: "search text", valid: traktFixture("search.text-query.response-200.json"), call: (c) => c.searchText(["movie", "show"], "tron: legacy", { years: 2010 }) },
  { name: "show seasons", valid: traktFixture("shows.seasons.extended-episodes.response-200.json"), call: (c) => c.showSeasons("game-of-thrones") },
  { name: "refresh token", valid: traktFixture("oauth.token.refresh.response-200.json"), call: (c) => c.refreshToken("refresh-token-value") },
  { name: "device code", valid: traktFixture("oauth.device.code.response-200.json"), call: (c) => c.deviceCode() },
  { name: "device poll", valid: traktFixture("oauth.device.token.response-200.json"), call: (c) => c.pollDeviceToken("device-code-value") },
  { name: "user settings", valid: traktFixture("users.settings.response-200.json"), call: (c) => c.userSettings("a") },
  { name: "playback", valid: traktFixture("sync.playback.response-200.json"), call: (c) => c.getPlayback("a", "movies") },
  { name: "last activities", valid: traktFixture("sync.last_activities.response-200.json"), call: (c) => c.lastActivities("a") },
  { name: "delete checkin", valid: "", call: (c) => c.deleteCheckin("a") },
];

const statusArb = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 405, 409, 410, 412, 418, 420, 422, 423, 426, 429, 500, 502, 503, 504, 520, 521, 522),
  fc.integer({ min: 200, max: 599 }),
);

const headerValue = fc.oneof(
  fc.stringMatching(/^[0-9]{1,25}$/),
  fc.stringMatching(/^-?[0-9]{1,4}(\.[0-9]{1,3})?$/),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
  fc.constant(MARKER),
);

const headersArb = fc
  .record(
    {
      "retry-after": headerValue,
      "x-pagination-page": headerValue,
      "x-pagination-limit": headerValue,
      "x-pagination-page-count": headerValue,
      "x-pagination-item-count": headerValue,
      "x-ratelimit": fc.oneof(fc.json(), headerValue),
      "content-type": fc.constantFrom("application/json", "text/html; charset=utf-8", "text/plain", "application/octet-stream", "garbage/;;;"),
    },
    { requiredKeys: [] },
  )
  .map((h) => h as Record<string, string>);

const bodyArb: fc.Arbitrary<BodyKind> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<BodyKind>({ kind: "valid" }) },
  { weight: 3, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3 })).map((value): BodyKind => ({ kind: "json", value })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300, unit: "grapheme" }).map((text): BodyKind => ({ kind: "text", text })) },
  { weight: 1, arbitrary: fc.constant<BodyKind>({ kind: "html" }) },
  { weight: 1, arbitrary: fc.constant<BodyKind>({ kind: "empty" }) },
  { weight: 2, arbitrary: fc.nat({ max: 400 }).map((keep): BodyKind => ({ kind: "truncated", keep })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 * MAX_BODY }).map((bytes): BodyKind => ({ kind: "big", bytes })) },
  { weight: 1, arbitrary: fc.constant<BodyKind>({ kind: "drop" }) },
  { weight: 1, arbitrary: fc.constant<BodyKind>({ kind: "stall" }) },
);

const answerArb: fc.Arbitrary<Answer> = fc.record({ status: statusArb, headers: headersArb, body: bodyArb });

/** Replaces one random value deep in the valid body with garbage: "right shape, wrong types". */
function mutate(valid: string, seed: number, value: unknown): string {
  if (valid === "") return JSON.stringify(value) ?? "null";
  const parsed = JSON.parse(valid) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        slots.push({ parent: node, key: i });
        walk(v);
      });
    } else if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key: k });
        walk(v);
      }
    }
  };
  walk(parsed);
  const slot = slots[seed % Math.max(1, slots.length)];
  if (!slot) return JSON.stringify(value) ?? "null";
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return JSON.stringify(parsed);
}

let server: Server;
let url: string;
/** What the server answers to each attempt of the current case, in order (the last one repeats). */
let script: { answers: Answer[]; valid: string; seed: number } = { answers: [], valid: "", seed: 0 };
let attempts = 0;
const stalled = new Set<ServerResponse>();

function answer(_req: IncomingMessage, res: ServerResponse): void {
  const a = script.answers[Math.min(attempts, script.answers.length - 1)];
  attempts++;
  if (!a) {
    res.writeHead(500).end();
    return;
  }
  const headers = { ...a.headers };
  const send = (text: string): void => {
    res.writeHead(a.status, headers);
    res.end(text);
  };
  switch (a.body.kind) {
    case "valid":
      send(script.valid);
      return;
    case "json":
      send(`${mutate(script.valid, script.seed, a.body.value)}${script.seed % 7 === 0 ? ` ${MARKER}` : ""}`);
      return;
    case "text":
      send(a.body.text + MARKER);
      return;
    case "html":
      send(`<!DOCTYPE html><html><head><title>${a.status}</title></head><body><h1>Error</h1><p>${MARKER}</p></body></html>`);
      return;
    case "empty":
      send("");
      return;
    case "truncated": {
      // Promise more than is sent, then cut the connection.
      const full = script.valid + MARKER;
      const part = full.slice(0, Math.min(a.body.keep, full.length - 1));
      res.writeHead(a.status, { ...headers, "content-length": String(Buffer.byteLength(full)) });
      res.write(part, () => res.socket?.destroy());
      return;
    }
    case "big": {
      const chunk = `[${`"${MARKER}",`.repeat(64)}`;
      res.writeHead(a.status, headers);
      res.end(chunk.repeat(Math.ceil(a.body.bytes / chunk.length)).slice(0, a.body.bytes));
      return;
    }
    case "drop":
      res.socket?.destroy();
      return;
    case "stall":
      res.writeHead(a.status, headers);
      res.write("{");
      stalled.add(res);
      return;
  }
}

function newClient(): TraktClient {
  let clock = 1_000_000;
  return new TraktClient({
    apiUrl: url,
    clientId: "fuzz-client-id",
    clientSecret: "fuzz-client-secret",
    tokens: {
      getAccessToken: () => Promise.resolve("fuzz-access-token"),
      refreshAfterUnauthorized: () => Promise.resolve("fuzz-access-token-2"),
    },
    timeoutMs: TIMEOUT_MS,
    maxBodyBytes: MAX_BODY,
    writeSpacingMs: 0,
    retries: 2,
    now: () => clock,
    // Retries and Retry-After waits pass on a virtual clock: only real stalls cost real time.
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  });
}

/** Runs the call with a generous outer deadline, so a hang fails the property instead of the whole run. */
async function settle(promise: Promise<unknown>, ms: number): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no answer within ${ms} ms`)), ms);
  });
  try {
    return { ok: true, value: await Promise.race([promise, deadline]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("hang:")) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  server = createServer(answer);
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("Trakt response fuzzing", () => {
  it(`every call ends in a value or a clear TraktError (${RUNS} runs)`, async () => {
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: CALLS.length - 1 }), fc.array(answerArb, { minLength: 1, maxLength: 3 }), fc.nat(), async (which, answers, seed) => {
        const call = CALLS[which]!;
        script = { answers, valid: call.valid, seed };
        attempts = 0;
        // 3 attempts (2 retries) + one after a 401 refresh, each bounded by the client's timeout.
        const outcome = await settle(call.call(newClient()), 8 * TIMEOUT_MS + 2_000);
        for (const res of stalled) res.destroy();
        stalled.clear();
        if (outcome.ok) {
          kinds.set("value", (kinds.get("value") ?? 0) + 1);
          if (call.name === "get history") {
            const page = outcome.value as { page: number; pageCount: number; itemCount: number };
            for (const n of [page.page, page.pageCount, page.itemCount]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
          }
          return;
        }
        const error = outcome.error;
        expect(error).toBeInstanceOf(TraktError);
        const e = error as TraktError;
        kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
        expect(e.message).toMatch(/Trakt/);
        // Bounded: a body is never echoed; the longest message is the plain-words explanation of a refused app (~550).
        expect(e.message.length).toBeLessThan(800);
        expect(e.message).not.toContain(MARKER);
        expect(e.message).not.toContain("fuzz-access-token");
        if (e.retryAfterMs !== undefined) expect(e.retryAfterMs).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both outcomes and several error kinds (a broken generator would not).
    expect(kinds.get("value") ?? 0).toBeGreaterThan(0);
    expect(kinds.size).toBeGreaterThan(3);
  }, Math.max(120_000, RUNS * 150));
});

describe("oversized and endless bodies", () => {
  /** A server that streams `total` bytes (Infinity = forever) of a JSON array, counting what it managed to write. */
  async function streamingServer(status: number, total: number): Promise<{ url: string; written: () => number; close: () => Promise<void> }> {
    let written = 0;
    const chunk = Buffer.from(`"${"x".repeat(1018)}",`);
    const srv = createServer((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.write("[");
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end('""]');
      };
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
    });
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      written: () => written,
      close: async () => {
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
      },
    };
  }

  const client = (apiUrl: string): TraktClient =>
    new TraktClient({
      apiUrl,
      clientId: "fuzz-client-id",
      timeoutMs: 20_000,
      retries: 0,
      tokens: { getAccessToken: () => Promise.resolve("t"), refreshAfterUnauthorized: () => Promise.resolve("t2") },
    });

  it("a 50 MB answer to a search is refused as bad_response after the cap, not buffered whole", async () => {
    const srv = await streamingServer(200, 50 * 1024 * 1024);
    try {
      const error = await client(srv.url).searchById("imdb", "tt0111161").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).kind).toBe("bad_response");
      expect((error as TraktError).message).toMatch(/body over \d+ bytes/);
      // The client stopped reading: the server could not push all 50 MB through.
      expect(srv.written()).toBeLessThan(50 * 1024 * 1024);
    } finally {
      await srv.close();
    }
  });

  it("an endless 200 body ends in bad_response well before the request timeout", async () => {
    const srv = await streamingServer(200, Number.POSITIVE_INFINITY);
    try {
      const error = await client(srv.url).userSettings("a").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).kind).toBe("bad_response");
    } finally {
      await srv.close();
    }
  });

  it("a 50 MB 503 page is still mapped by its status (retryable), the rest unread", async () => {
    const srv = await streamingServer(503, 50 * 1024 * 1024);
    try {
      const error = await client(srv.url).searchById("imdb", "tt0111161").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).kind).toBe("retryable");
      expect((error as TraktError).status).toBe(503);
      expect(srv.written()).toBeLessThan(50 * 1024 * 1024);
    } finally {
      await srv.close();
    }
  });

  it("a 421 whose body stalls ends in a timeout, not a hang (Node 20's fetch retries 421 and then ignores the signal)", async () => {
    const srv = createServer((_req, res) => {
      res.writeHead(421, { "content-type": "application/json" });
      res.write("{");
    });
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const stalling = new TraktClient({ apiUrl, clientId: "fuzz-client-id", timeoutMs: 200, retries: 0 });
      const error = await stalling.searchById("imdb", "tt0111161").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).message).toMatch(/timed out after 200 ms/);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  it("a declared Content-Length over the cap is refused without reading", async () => {
    const srv = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(100 * 1024 * 1024) });
      res.write("[");
    });
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const error = await client(apiUrl).getPlayback("a").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).kind).toBe("bad_response");
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});

describe("regressions found by fuzzing", () => {
  it("an add-history answer whose not_found item has no ids is a bad_response, not a raw ZodError", async () => {
    const srv = createServer((_req, res) => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ added: { movies: 0, episodes: 0 }, not_found: { movies: [{}] } }));
    });
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const c = new TraktClient({
        apiUrl,
        clientId: "fuzz-client-id",
        writeSpacingMs: 0,
        tokens: { getAccessToken: () => Promise.resolve("t"), refreshAfterUnauthorized: () => Promise.resolve("t2") },
      });
      const error = await c.addHistory("a", { movies: [{ ids: { trakt: 28 } }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraktError);
      expect((error as TraktError).kind).toBe("bad_response");
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
