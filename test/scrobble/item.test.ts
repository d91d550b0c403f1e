import { describe, expect, it } from "vitest";
import type { MediaHints } from "../../src/core/playback.js";
import { describeItem, mergeHints, sameItem } from "../../src/scrobble/item.js";

const rows: Array<[name: string, a: MediaHints, b: MediaHints, same: boolean]> = [
  ["same path", { path: "/m/a.mkv" }, { path: "/m/a.mkv", title: "A" }, true],
  ["different path, same title", { path: "/m/a.mkv", title: "A" }, { path: "/m/a2.mkv", title: "A" }, false],
  ["path decides over a title that appeared later", { path: "/m/a.mkv", mediaTitle: "a.mkv" }, { path: "/m/a.mkv", mediaTitle: "Alpha" }, true],
  ["shared id agrees", { ids: { imdb: "tt1" } }, { ids: { imdb: "tt1", tmdb: "5" }, title: "X" }, true],
  ["shared id differs", { ids: { tmdb: "5" }, title: "X" }, { ids: { tmdb: "6" }, title: "X" }, false],
  ["no shared id type falls through to titles", { ids: { imdb: "tt1" }, title: "X" }, { ids: { tmdb: "6" }, title: "Y" }, false],
  ["guids overlap", { guids: ["plex://movie/1", "imdb://tt1"] }, { guids: ["imdb://tt1"] }, true],
  ["guids disjoint", { guids: ["plex://episode/1"] }, { guids: ["plex://episode/2"] }, false],
  ["next episode of the same show", { showTitle: "Show", season: 1, episode: 2 }, { showTitle: "Show", season: 1, episode: 3 }, false],
  ["same episode, title case differs", { showTitle: "Show", season: 1, episode: 2 }, { showTitle: "show ", season: 1, episode: 2 }, true],
  ["same title, different year", { title: "Dune", year: 1984 }, { title: "Dune", year: 2021 }, false],
  ["movie vs episode", { kind: "movie", title: "X" }, { kind: "episode", title: "X" }, false],
  ["media titles differ (nothing else known)", { mediaTitle: "a.mkv" }, { mediaTitle: "b.mkv" }, false],
  ["nothing comparable never splits", { path: "/m/a.mkv" }, { title: "A" }, true],
  ["empty hints never split", {}, { title: "A" }, true],
];

describe("sameItem", () => {
  it.each(rows)("%s", (_name, a, b, same) => {
    expect(sameItem(a, b)).toBe(same);
    expect(sameItem(b, a)).toBe(same);
  });
});

describe("mergeHints", () => {
  it("lets later values win and merges ids and guids", () => {
    const merged = mergeHints(
      { title: "a", ids: { imdb: "tt1" }, guids: ["g1"] },
      { title: "A", ids: { tmdb: "2" }, guids: ["g1", "g2"] },
    );
    expect(merged).toEqual({ title: "A", ids: { imdb: "tt1", tmdb: "2" }, guids: ["g1", "g2"] });
  });
});

describe("describeItem", () => {
  it.each([
    [{ showTitle: "Show", season: 1, episode: 2, title: "Pilot" }, "Show S01E02"],
    [{ title: "Alpha", year: 2001 }, "Alpha (2001)"],
    [{ path: "/media/movies/alpha.mkv" }, "alpha.mkv"],
    [{}, "unknown item"],
  ] as Array<[MediaHints, string]>)("%o → %s", (hints, label) => {
    expect(describeItem(hints)).toBe(label);
  });
});
