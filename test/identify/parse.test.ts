import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMediaName } from "../../src/identify/parse/name.js";
import { normalizeTitle, titleSimilarity } from "../../src/identify/similarity.js";

// Names written for these tests (not taken from the accuracy corpus), one per rule.
describe("parseMediaName", () => {
  it.each([
    ["Show.Name.S02E01E02.720p.HDTV.x264-GRP.mkv", { type: "episode", title: "Show Name", seasons: [2], episodes: [1, 2] }],
    ["Show.Name.S02E01-E03.720p.mkv", { type: "episode", title: "Show Name", seasons: [2], episodes: [1, 2, 3] }],
    ["Show Name - S01E02 - S01E03 - Title.mkv", { title: "Show Name", seasons: [1], episodes: [2, 3] }],
    ["Show Name - 2x05 - The Title.avi", { title: "Show Name", seasons: [2], episodes: [5] }],
    ["[Group] Show Name - 123 [1080p][ABCD1234].mkv", { type: "episode", title: "Show Name", episodes: [123], absolute: true }],
    ["the.simpsons.2401.hdtv-lol.mp4", { title: "the simpsons", seasons: [24], episodes: [1] }],
    ["Show Name Saison sept FRENCH.avi", { title: "Show Name", seasons: [7] }],
    ["Show.Name.Season.IV.Complete.720p", { title: "Show Name", seasons: [4] }],
    ["Movie (2010)/movie.mkv", { type: "movie", title: "Movie", year: 2010 }],
    ["/tv/Show Name/Season 02/E05 - An Episode.mkv", { type: "episode", title: "Show Name", seasons: [2], episodes: [5] }],
    ["/tv/Show Name (2008)/Season 1/An Episode.mkv", { type: "episode", title: "Show Name", seasons: [1], year: 2008 }],
    ["/dl/Show.Name.S01E02.1080p.WEB-DL-GRP/a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6.mkv", { type: "episode", title: "Show Name", seasons: [1], episodes: [2] }],
    ["Blade Runner 2049 (2017).mkv", { type: "movie", title: "Blade Runner 2049", year: 2017 }],
    ["2001.A.Space.Odyssey.1968.1080p.BluRay.mkv", { type: "movie", title: "2001 A Space Odyssey", year: 1968 }],
    ["Wonder.Woman.1984.2020.1080p.WEB-DL.mkv", { type: "movie", title: "Wonder Woman 1984", year: 2020 }],
    ["Apollo.13.1995.720p.mkv", { type: "movie", title: "Apollo 13", year: 1995 }],
    ["X-Men '97 - S01E01.mkv", { title: "X-Men '97", seasons: [1], episodes: [1] }],
    ["Simpsons, The - 12x08.avi", { title: "The Simpsons", seasons: [12], episodes: [8] }],
    ["Late.Show.2017.11.27.Guest.Name.1080p.WEB.mkv", { type: "episode", title: "Late Show" }],
    ["Movie.Title.German.DL.1080p.BluRay.x264-GRP.mkv", { type: "movie", title: "Movie Title" }],
    ["Captain.Film.2016.HDR.2160p.BT.2020.mkv", { title: "Captain Film", year: 2016 }],
    ["/films/Some Movie (1999)/video.mkv", { type: "movie", title: "Some Movie", year: 1999 }],
  ])("%s", (input, expected) => {
    const parsed = parseMediaName(input);
    expect(parsed).toMatchObject(expected);
    if (!("year" in expected)) expect(parsed.year).toBeUndefined();
  });

  it("never throws, and numbers it returns are whole and non-negative", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const p = parseMediaName(s);
        for (const n of [...(p.seasons ?? []), ...(p.episodes ?? []), ...(p.year !== undefined ? [p.year] : [])]) {
          expect(Number.isInteger(n) && n >= 0).toBe(true);
        }
        expect(["movie", "episode"]).toContain(p.type);
      }),
      { numRuns: 500 },
    );
  });
});

describe("title similarity", () => {
  it("normalises case, accents, punctuation and acronyms", () => {
    expect(normalizeTitle("Marvel's Agents of S.H.I.E.L.D.")).toBe("marvels agents of shield");
    expect(normalizeTitle("Amélie & Co")).toBe("amelie and co");
    expect(titleSimilarity("The Office", "Office")).toBe(1);
  });
  it("keeps different titles apart", () => {
    expect(titleSimilarity("X-Men '97", "Mad Men")).toBeLessThan(0.7);
    expect(titleSimilarity("Dune", "Dune Part Two")).toBeLessThan(0.9);
  });
});
