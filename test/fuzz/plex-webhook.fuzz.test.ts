// Fuzzing the Plex webhook boundary: arbitrary bodies, content types and payload JSON must always get a clear
// status, never crash the server, never hang, and never scrobble from garbage.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, startPlexHarness, type PlexHarness } from "../players/plex/support.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ALLOWED = new Set([200, 204, 400, 413]);

let harness: PlexHarness;
beforeAll(async () => {
  harness = await startPlexHarness({}, { maxBodyBytes: 256 * 1024 });
});
afterAll(async () => {
  await harness.close();
});

const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,-./:=?]{1,40}$/);

/** A multipart body assembled from random parts: sometimes well-formed, often not. */
const multipartBody = fc
  .record({
    boundary,
    parts: fc.array(
      fc.record({
        name: fc.oneof(fc.constant("payload"), fc.constant("thumb"), fc.string({ maxLength: 10 })),
        filename: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        body: fc.oneof(fc.string({ maxLength: 400 }), fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString("latin1"))),
      }),
      { maxLength: 4 },
    ),
    closing: fc.boolean(),
    headerBoundary: fc.option(boundary, { nil: undefined }),
  })
  .map(({ boundary: b, parts, closing, headerBoundary }) => {
    let body = "";
    for (const part of parts) {
      const file = part.filename === undefined ? "" : `; filename="${part.filename}"`;
      body += `--${b}\r\nContent-Disposition: form-data; name="${part.name}"${file}\r\n\r\n${part.body}\r\n`;
    }
    if (closing) body += `--${b}--\r\n`;
    return { body, contentType: `multipart/form-data; boundary=${headerBoundary ?? b}` };
  });

/** Plex-shaped payloads with random values in the fields we read. */
const plexishPayload = fc
  .record({
    event: fc.oneof(fc.constantFrom("media.play", "media.pause", "media.resume", "media.stop", "media.scrobble", "media.rate", "library.new"), fc.string()),
    type: fc.oneof(fc.constantFrom("movie", "episode", "track", "clip"), fc.anything()),
    viewOffset: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    duration: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    Guid: fc.oneof(fc.array(fc.record({ id: fc.string() })), fc.anything()),
    account: fc.anything(),
  })
  .map((r) => {
    const base = fixture("movie.media.scrobble.plexagent-guidarray.json");
    return {
      ...base,
      event: r.event,
      Account: r.account,
      Metadata: { ...(base.Metadata as object), type: r.type, viewOffset: r.viewOffset, duration: r.duration, Guid: r.Guid },
    };
  });

describe("Plex webhook fuzzing", () => {
  it(`answers every random multipart body with a clear status (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(multipartBody, async ({ body, contentType }) => {
        const res = await fetch(harness.url, { method: "POST", body, headers: { "content-type": contentType } });
        const text = await res.text();
        expect(ALLOWED.has(res.status)).toBe(true);
        if (res.status === 400) expect(text.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it(`never throws on Plex-shaped payloads with random field values (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(plexishPayload, async (payload) => {
        const form = new FormData();
        form.set("payload", JSON.stringify(payload));
        const res = await fetch(harness.url, { method: "POST", body: form });
        await res.text();
        expect(ALLOWED.has(res.status)).toBe(true);
        for (const event of harness.events) {
          if (event.progress !== undefined) expect(Number.isFinite(event.progress)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // Still serving real webhooks afterwards.
    const form = new FormData();
    form.set("payload", JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json")));
    expect((await fetch(harness.url, { method: "POST", body: form })).status).toBe(200);
  });

  it(`answers random URLs after /plex (bad %-escapes, garbage, long) with 400/401/403 before reading anything (${RUNS} runs)`, async () => {
    const char = fc.oneof(fc.constantFrom("%", "%Z", "%E0%A4", "%00", "%2F", "/", "?", "#", "..", "secret=", "&"), fc.string({ minLength: 1, maxLength: 3 }));
    const tail = fc.oneof(fc.array(char, { maxLength: 30 }).map((parts) => parts.join("")), fc.integer({ min: 1, max: 16_000 }).map((n) => "%".repeat(n)));
    await fc.assert(
      fc.asyncProperty(tail, async (rest) => {
        const url = `${harness.url.slice(0, harness.url.indexOf("/plex") + "/plex".length)}/${encodeURI(rest).replace(/%25/g, "%")}`;
        const res = await fetch(url, { method: "POST", body: "x", headers: { "content-type": "text/plain" } }).catch(() => undefined);
        if (res === undefined) return; // a URL fetch itself refuses to send
        await res.text();
        expect([400, 401, 403, 431], `${res.status} for ${url}`).toContain(res.status); // 431: a request line over Node's header limit
      }),
      { numRuns: RUNS },
    );
    const form = new FormData();
    form.set("payload", JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json")));
    expect((await fetch(harness.url, { method: "POST", body: form })).status).toBe(200);
  });

  it(`payloads nested from 40 to 50,000 levels deep, huge Guid arrays and oversized fields get 200/204/400/413 (${Math.ceil(RUNS / 5)} runs)`, async () => {
    const nested = (depth: number, arrays: boolean): string => (arrays ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
    const hostile = fc.oneof(
      fc.record({ depth: fc.oneof(fc.integer({ min: 40, max: 70 }), fc.integer({ min: 1_000, max: 50_000 })), arrays: fc.boolean(), field: fc.constantFrom("Guid", "title", "Account", "extra") }).map(({ depth, arrays, field }) => {
        const base = JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json"));
        const deep = nested(depth, arrays);
        return field === "extra" ? `${base.slice(0, -1)},"extra":${deep}}` : base.replace(`"${field}":`, `"${field}":${deep},"was${field}":`);
      }),
      fc.integer({ min: 1_000, max: 20_000 }).map((n) => {
        const p = fixture("movie.media.scrobble.plexagent-guidarray.json");
        (p.Metadata as Record<string, unknown>).Guid = Array.from({ length: n }, (_, i) => ({ id: `tmdb://${i}` }));
        return JSON.stringify(p);
      }),
      fc.integer({ min: 255 * 1024, max: 1_100_000 }).map((n) => JSON.stringify({ ...fixture("movie.media.scrobble.plexagent-guidarray.json"), padding: "x".repeat(n) })),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const form = new FormData();
        form.set("payload", text);
        const res = await fetch(harness.url, { method: "POST", body: form });
        await res.text();
        expect(ALLOWED.has(res.status), String(res.status)).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
    const form = new FormData();
    form.set("payload", JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json")));
    expect((await fetch(harness.url, { method: "POST", body: form })).status).toBe(200);
  });
});
