import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, multipart, SECRET, startPlexHarness, thumb, webhookFixtures, type PlexHarness } from "./support.js";

let harness: PlexHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function post(url: string, body: NonNullable<RequestInit["body"]>, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: "POST", body, headers });
  return { status: res.status, text: await res.text() };
}

describe("Plex webhook endpoint", () => {
  it.each(webhookFixtures().map((f) => [f.file, f.payload] as const))(
    "accepts %s as real multipart, with and without a thumb",
    async (file, payload) => {
      harness = await startPlexHarness();
      for (const withThumb of [false, true]) {
        const before = harness.events.length;
        const res = await post(harness.url, multipart(payload, withThumb));
        if (file.includes("media.rate")) {
          expect(res.status).toBe(204);
          expect(harness.events.length).toBe(before);
        } else {
          expect(res.status).toBe(200);
          expect(harness.events.length).toBeGreaterThan(before);
          const event = harness.events.at(-1)!;
          expect(event.player).toBe("plex");
          expect(event.account).toBe("default");
          expect(event.hints.guids?.length).toBeGreaterThan(0);
        }
      }
    },
  );

  it("refuses a request without the secret or with a wrong one, and scrobbles nothing", async () => {
    harness = await startPlexHarness();
    const payload = fixture("movie.media.scrobble.plexagent-guidarray.json");
    const base = harness.url.replace(`/${SECRET}`, "");
    expect((await post(base, multipart(payload))).status).toBe(401);
    expect((await post(`${base}/wrong-secret-wrong-secret`, multipart(payload))).status).toBe(403);
    expect((await post(`${base}?secret=nope`, multipart(payload))).status).toBe(403);
    expect((await post(`${base}?secret=${SECRET}`, multipart(payload))).status).toBe(200);
    expect(harness.events).toHaveLength(1);
  });

  it("refuses everything while no secret is configured", async () => {
    harness = await startPlexHarness({}, { secret: undefined });
    const res = await post(harness.url, multipart(fixture("movie.media.scrobble.plexagent-guidarray.json")));
    expect(res.status).toBe(403);
    expect(res.text).toContain("plex.webhookSecret");
    expect(harness.events).toHaveLength(0);
  });

  it("enforces the source allow-list", async () => {
    harness = await startPlexHarness({}, { allowFrom: ["10.9.8.7"] });
    const res = await post(harness.url, multipart(fixture("movie.media.scrobble.plexagent-guidarray.json")));
    expect(res.status).toBe(403);
    expect(harness.events).toHaveLength(0);
  });

  it("answers 400 with a reason for non-multipart bodies, broken multipart and broken JSON", async () => {
    harness = await startPlexHarness();
    const json = await post(harness.url, JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json")), {
      "content-type": "application/json",
    });
    expect(json.status).toBe(400);
    expect(json.text).toContain("multipart/form-data");

    const broken = await post(harness.url, "--xyz\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{\"ev", {
      "content-type": "multipart/form-data; boundary=xyz",
    });
    expect(broken.status).toBe(400);

    const noBoundary = await post(harness.url, "hello", { "content-type": "multipart/form-data" });
    expect(noBoundary.status).toBe(400);

    const form = new FormData();
    form.set("payload", "{not json");
    const badJson = await post(harness.url, form);
    expect(badJson.status).toBe(400);
    expect(badJson.text).toContain("not valid JSON");

    const noPayload = new FormData();
    noPayload.set("other", "x");
    expect((await post(harness.url, noPayload)).status).toBe(400);

    const wrongShape = new FormData();
    wrongShape.set("payload", JSON.stringify({ hello: "world" }));
    const shape = await post(harness.url, wrongShape);
    expect(shape.status).toBe(400);
    expect(shape.text).toContain("event");
    expect(harness.events).toHaveLength(0);
  });

  it("accepts application/x-www-form-urlencoded payloads as some tools send them", async () => {
    harness = await startPlexHarness();
    const body = new URLSearchParams({ payload: JSON.stringify(fixture("movie.media.scrobble.plexagent-guidarray.json")) });
    expect((await post(harness.url, body)).status).toBe(200);
    expect(harness.events).toHaveLength(1);
  });

  it("answers 204 for events it does not use", async () => {
    harness = await startPlexHarness();
    const base = fixture("movie.media.scrobble.plexagent-guidarray.json");
    const library = { ...base, event: "library.new" };
    const music = { ...base, event: "media.play", Metadata: { type: "track", title: "Song", librarySectionType: "artist" } };
    const trailer = { ...base, event: "media.play", Metadata: { ...(base.Metadata as object), type: "clip", extraType: 1 } };
    for (const p of [library, music, trailer, { event: "admin.database.backup" }]) {
      expect((await post(harness.url, multipart(p))).status).toBe(204);
    }
    expect(harness.events).toHaveLength(0);
  });

  it("refuses an oversize body with 413 — by declared length and while streaming — and a 10 MB thumb", async () => {
    harness = await startPlexHarness({}, { maxBodyBytes: 64 * 1024 });
    const payload = fixture("movie.media.scrobble.plexagent-guidarray.json");
    const big = new FormData();
    big.set("payload", JSON.stringify(payload));
    big.set("thumb", thumb(10 * 1024 * 1024), "thumb.jpg");
    expect((await post(harness.url, big)).status).toBe(413);

    // Chunked upload with no Content-Length: the limit must hold while streaming.
    const url = new URL(harness.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "multipart/form-data; boundary=b" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write('--b\r\nContent-Disposition: form-data; name="thumb"; filename="t.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
      const chunk = Buffer.alloc(16 * 1024, 1);
      let sent = 0;
      const pump = (): void => {
        while (sent < 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        req.end("\r\n--b--\r\n");
      };
      pump();
    });
    expect(status).toBe(413);
    expect(harness.events).toHaveLength(0);
  });

  it("stays up and bounded under 1,000 concurrent requests of mixed validity", async () => {
    harness = await startPlexHarness();
    const good = fixture("movie.media.scrobble.plexagent-guidarray.json");
    const wrong = harness.url.replace(SECRET, "wrong-secret-xxxxxxxxxxxxxxxx");
    const rssBefore = process.memoryUsage().rss;
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const kind = i % 4;
        if (kind === 0) return (await post(wrong, multipart(good))).status;
        if (kind === 1) {
          const form = new FormData();
          form.set("payload", "{broken");
          return (await post(harness!.url, form)).status;
        }
        if (kind === 2) return (await post(harness!.url, "x", { "content-type": "text/plain" })).status;
        return (await post(harness!.url, multipart({ ...good, event: "library.new" }, true))).status;
      }),
    );
    expect(results.filter((s) => s === 403)).toHaveLength(250);
    expect(results.filter((s) => s === 400)).toHaveLength(500);
    expect(results.filter((s) => s === 204)).toHaveLength(250);
    expect(harness.events).toHaveLength(0);
    // Loose bound: a leak of bodies would be hundreds of MB; this catches that without timing anything.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect((await post(harness.url, multipart(good))).status).toBe(200);
  });
});
