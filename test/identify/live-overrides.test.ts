// Overrides apply live: a config reload (or a match fixed in the dashboard) hands the identifier new rules; the
// next identification uses them (a remembered miss does not stand in the way) and the misses they cover are gone.
import { describe, expect, it } from "vitest";
import { identifySection } from "../../src/config/sections/identify.js";
import { IdentificationCache } from "../../src/identify/cache.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { FakeSearchApi } from "./fake-trakt.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("TraktIdentifier.setOverrides", () => {
  it("identifies a file it could not before, and drops the misses the new rule covers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tsd-live-overrides-"));
    try {
      const api = new FakeSearchApi([{ title: "Blade Runner 2049", year: 2017, ids: { trakt: 900001, imdb: "tt1856101" } }], []);
      const cache = new IdentificationCache({ file: join(dir, "cache.json"), maxEntries: 100, hitTtlMs: 3_600_000, missTtlMs: 3_600_000 });
      const id = new TraktIdentifier({ api, config: identifySection.parse({}), cache });
      const film = { path: "/films/Bladerunner.Final.Cut.mkv" };
      const other = { path: "/films/Home.Video.2019.mkv" };
      expect((await id.identify(film)).ok).toBe(false);
      expect((await id.identify(other)).ok).toBe(false);
      expect(id.recentMisses().map((m) => m.what)).toEqual([film.path, other.path]);

      id.setOverrides([{ title: "Bladerunner Final Cut", to: { type: "movie", trakt: 900001 } }]);
      const calls = api.calls.length;
      const fixed = await id.identify(film);
      expect(fixed).toMatchObject({ ok: true, source: "override", items: [{ type: "movie", movie: { ids: { trakt: 900001 } } }] });
      expect(api.calls.length).toBe(calls); // no request: the rule decides before the remembered miss is looked at
      expect(id.recentMisses().map((m) => m.what)).toEqual([other.path]);

      id.setOverrides([]);
      expect((await id.identify(film)).ok).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
