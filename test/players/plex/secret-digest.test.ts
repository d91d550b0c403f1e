// The webhook secret is compared by SHA-256 digest: timingSafeEqual always runs on two 32-byte digests, whatever the
// length of what was sent (comparing raw buffers had to stop early on a length mismatch, which told the length).
import type * as Crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { multipart, fixture, SECRET, startPlexHarness, type PlexHarness } from "./support.js";

const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return real.timingSafeEqual(a, b);
    },
  };
});

let harness: PlexHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  compared.length = 0;
});

describe("webhook secret comparison", () => {
  it("compares 32-byte digests for a secret of any length, and accepts only the right one", async () => {
    harness = await startPlexHarness();
    const base = harness.url.replace(`/${SECRET}`, "");
    const payload = multipart(fixture("movie.media.scrobble.plexagent-guidarray.json"));
    for (const given of ["x", SECRET.slice(0, -1), `${SECRET}x`, "y".repeat(SECRET.length)]) {
      expect((await fetch(`${base}/${given}`, { method: "POST", body: payload })).status, given).toBe(403);
    }
    expect((await fetch(harness.url, { method: "POST", body: payload })).status).toBe(200);
    expect(compared).toEqual(Array.from({ length: 5 }, () => [32, 32]));
  });
});
