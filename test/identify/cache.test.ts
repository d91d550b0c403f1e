import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IdentificationCache, type CachedIdentification } from "../../src/identify/cache.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { TraktError } from "../../src/trakt/errors.js";
import type { Logger } from "../../src/util/log.js";
import { FakeSearchApi } from "./fake-trakt.js";

const HOUR = 3_600_000;
let dir: string;
let clock: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "identify-cache-"));
  clock = Date.UTC(2026, 0, 1);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cache(maxEntries = 100): IdentificationCache {
  return new IdentificationCache({ file: join(dir, "identify-cache.json"), maxEntries, hitTtlMs: 30 * 24 * HOUR, missTtlMs: 6 * HOUR, now: () => clock });
}

const hit = (trakt: number): CachedIdentification => ({
  ok: true,
  items: [{ type: "movie", movie: { ids: { trakt } } }],
  source: "filename-search",
  confidence: 1,
  reason: "test",
});

describe("IdentificationCache", () => {
  it("persists to the state dir and reads back in a new process", async () => {
    await cache().set("a", hit(1));
    expect(await cache().get("a")).toEqual(hit(1));
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("forgets misses sooner than hits", async () => {
    const c = cache();
    await c.set("hit", hit(1));
    await c.set("miss", { ok: false, reason: "nothing" });
    clock += 7 * HOUR;
    expect(await c.get("miss")).toBeUndefined();
    expect(await c.get("hit")).toEqual(hit(1));
    clock += 30 * 24 * HOUR;
    expect(await c.get("hit")).toBeUndefined();
  });

  it("is bounded: the least recently used entry goes first", async () => {
    const c = cache(2);
    await c.set("a", hit(1));
    await c.set("b", hit(2));
    await c.get("a");
    await c.set("c", hit(3));
    expect(await c.get("b")).toBeUndefined();
    expect(await c.get("a")).toEqual(hit(1));
    expect(await c.get("c")).toEqual(hit(3));
    expect(c.size).toBe(2);
  });

  it("prune() drops expired entries and saves", async () => {
    const c = cache();
    await c.set("miss", { ok: false, reason: "nothing" });
    await c.set("hit", hit(1));
    clock += 7 * HOUR;
    expect(await c.prune()).toBe(1);
    const onDisk = JSON.parse(await readFile(join(dir, "identify-cache.json"), "utf8"));
    expect(onDisk.entries.map((e: { key: string }) => e.key)).toEqual(["hit"]);
  });

  it("sets a broken file aside and starts empty", async () => {
    await writeFile(join(dir, "identify-cache.json"), "{not json");
    const c = cache();
    expect(await c.get("a")).toBeUndefined();
    await c.set("a", hit(1));
    expect((await readdir(dir)).some((f) => f.startsWith("identify-cache.json.corrupt-"))).toBe(true);
    expect(await cache().get("a")).toEqual(hit(1));
  });
});

describe("identification with the cache", () => {
  const config = { overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9 };
  const api = () =>
    new FakeSearchApi([{ title: "Blade Runner 2049", year: 2017, ids: { trakt: 900001, imdb: "tt1856101" } }], []);

  it("a hit costs no request, even after a restart", async () => {
    const first = api();
    const hints = { path: "/films/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.1080p.BluRay.x264.mkv" };
    const r1 = await new TraktIdentifier({ api: first, config, cache: cache() }).identify(hints);
    expect(r1).toMatchObject({ ok: true, source: "filename-search" });
    expect(first.calls).toHaveLength(1);

    const second = api();
    const r2 = await new TraktIdentifier({ api: second, config, cache: cache() }).identify(hints);
    expect(r2).toMatchObject({ ok: true, source: "cache", items: [{ type: "movie", movie: { ids: { trakt: 900001 } } }] });
    expect(r2.ok && r2.reason).toContain("cached (filename-search)");
    expect(second.calls).toEqual([]);
  });

  it("a miss is remembered for a while, then asked again", async () => {
    const a = api();
    const id = new TraktIdentifier({ api: a, config, cache: cache() });
    const hints = { path: "/tv/X-Men '97/Season 01/X-Men '97 - S01E01.mkv" };
    expect(await id.identify(hints)).toMatchObject({ ok: false, retryable: false });
    expect(await id.identify(hints)).toMatchObject({ ok: false, retryable: false });
    expect(a.calls).toHaveLength(1);
    clock += 7 * HOUR;
    await id.identify(hints);
    expect(a.calls).toHaveLength(2);
  });

  it("Trakt unreachable: retryable, and nothing cached", async () => {
    const a = api();
    a.failWith = new TraktError("retryable", "connect ECONNREFUSED 127.0.0.1:1");
    const c = cache();
    const id = new TraktIdentifier({ api: a, config, cache: c });
    const hints = { mediaTitle: "Blade Runner 2049 (2017)" };
    const r = await id.identify(hints);
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(!r.ok && r.reason).toContain("ECONNREFUSED");
    expect(c.size).toBe(0);
    a.failWith = undefined;
    expect(await id.identify(hints)).toMatchObject({ ok: true, items: [{ movie: { ids: { trakt: 900001 } } }] });
  });

  it("never writes through a symlink planted under a temp file name (it used to be the predictable <file>.<pid>.tmp)", async () => {
    const victim = join(dir, "victim");
    await writeFile(victim, "root-only content\n", { mode: 0o600 });
    await symlink(victim, join(dir, `identify-cache.json.${process.pid}.tmp`));
    await cache().set("a", hit(1));
    expect(await readFile(victim, "utf8")).toBe("root-only content\n");
    expect(await cache().get("a")).toEqual(hit(1));
  });

  it("does not read a cache file that is a symlink: starts empty and says why", async () => {
    const victim = join(dir, "victim");
    await writeFile(victim, JSON.stringify({ version: 1, entries: [{ key: "a", value: hit(9), storedAt: clock, expiresAt: clock + HOUR }] }));
    await symlink(victim, join(dir, "identify-cache.json"));
    const warnings: unknown[] = [];
    const log = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Logger;
    const c = new IdentificationCache({ file: join(dir, "identify-cache.json"), maxEntries: 10, hitTtlMs: HOUR, missTtlMs: HOUR, now: () => clock, log });
    expect(await c.get("a")).toBeUndefined();
    expect(String((warnings[0] as { err: Error }).err.message)).toContain("is a symbolic link");
  });
});
