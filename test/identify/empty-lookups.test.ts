// Identification when Trakt's id lookups find nothing (as its IMDb episode lookups did for a while in 2026): it
// falls through imdb → tmdb → tvdb → show title + season/episode, and counts each empty lookup (shown in /metrics).
// Against the emulator with its "empty id search" fault mode, through the real client.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { identifySection } from "../../src/config/sections/identify.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

// Breaking Bad S01E01 as Plex's new agents send it: the episode's own ids, the show's title, season and number.
const PILOT = {
  kind: "episode",
  showTitle: "Breaking Bad",
  season: 1,
  episode: 1,
  guids: ["imdb://tt0959621", "tmdb://62085", "tvdb://349232"],
} as const;

let harness: Harness;
let identifier: TraktIdentifier;

beforeEach(async () => {
  harness = await startEmulatorHarness();
  identifier = new TraktIdentifier({ api: harness.client, config: identifySection.parse({}) });
});
afterEach(() => harness.close());

const searches = (): string[] => harness.emulator.requests.filter((r) => r.path.startsWith("/search/")).map((r) => r.path);

describe("id lookups that find nothing", () => {
  it("normally the first id kind finds the episode, and nothing is counted", async () => {
    const r = await identifier.identify({ ...PILOT, guids: [...PILOT.guids] });
    expect(r).toMatchObject({ ok: true, source: "plex-guid", items: [{ type: "episode", episode: { ids: { trakt: 73482 } } }] });
    expect(searches()).toEqual(["/search/imdb/tt0959621"]);
    expect(identifier.emptyIdLookups()).toEqual({ imdb: 0, tmdb: 0, tvdb: 0 });
  });

  it("IMDb lookups answering []: the TMDB id finds it, and the empty IMDb lookup is counted", async () => {
    harness.emulator.emptyIdSearch("imdb");
    const r = await identifier.identify({ ...PILOT, guids: [...PILOT.guids] });
    expect(r).toMatchObject({ ok: true, source: "plex-guid", items: [{ type: "episode", episode: { ids: { trakt: 73482 } } }] });
    expect(searches()).toEqual(["/search/imdb/tt0959621", "/search/tmdb/62085"]);
    expect(identifier.emptyIdLookups()).toEqual({ imdb: 1, tmdb: 0, tvdb: 0 });
  });

  it("every id lookup answering []: the show's title with season and number finds it", async () => {
    harness.emulator.emptyIdSearch();
    const r = await identifier.identify({ ...PILOT, guids: [...PILOT.guids] });
    expect(r).toMatchObject({ ok: true, source: "title-season-episode" });
    expect(r.ok && r.items[0]).toMatchObject({ type: "episode", show: { ids: { trakt: 1 } }, episode: { season: 1, number: 1 } });
    expect(searches()).toEqual(["/search/imdb/tt0959621", "/search/tmdb/62085", "/search/tvdb/349232", "/search/show"]);
    expect(identifier.emptyIdLookups()).toEqual({ imdb: 1, tmdb: 1, tvdb: 1 });
  });
});
