// One block per rule class of the file-name parser. Names are made up for the rule (not taken from the accuracy
// corpora), and most tests check an invariance: the same name with and without the feature the rule handles must
// give the same answer.
import { describe, expect, it } from "vitest";
import { parseMediaName, type ParsedName } from "../../src/identify/parse/name.js";
import { normalizeTitle, titleSimilarity } from "../../src/identify/similarity.js";

const core = (p: ParsedName) => ({ type: p.type, title: normalizeTitle(p.title ?? ""), year: p.year, seasons: p.seasons, episodes: p.episodes });

describe("dotted acronym titles", () => {
  const acronyms = ["S.W.A.T.", "M.A.S.H.", "S.H.I.E.L.D.", "E.R.", "N.C.I.S."];
  it.each(acronyms)("%s is kept as written, and its letters are never read as a season or episode", (acronym) => {
    for (const [name, season, episode, year] of [
      [`${acronym}S01E02.720p.HDTV.x264-GRP.mkv`, 1, 2, undefined],
      [`${acronym}2017.S03E04.1080p.WEB.mkv`, 3, 4, 2017],
      [`${acronym.replace(/\.$/, "")} - 2x05 - Pilot.avi`, 2, 5, undefined],
    ] as const) {
      const p = parseMediaName(name);
      expect(p.title, name).toBe(acronym.replace(/\.$/, name.startsWith(acronym) ? "." : ""));
      expect([p.seasons, p.episodes, p.year], name).toEqual([[season], [episode], year]);
    }
  });

  it("a dotted acronym movie keeps its number: V.H.S.2 is not an episode", () => {
    const p = parseMediaName("V.H.S.2.2013.1080p.BluRay.mkv");
    expect(core(p)).toEqual({ type: "movie", title: "vhs 2", year: 2013, seasons: undefined, episodes: undefined });
  });

  it("treats the dotted, spaced and joined forms as the same title", () => {
    for (const [a, b] of [["S.W.A.T.", "SWAT"], ["S W A T", "S.W.A.T."], ["Marvel's Agents of S.H.I.E.L.D.", "Marvels Agents of SHIELD"], ["The O.C.", "The OC"]]) {
      expect(normalizeTitle(a!)).toBe(normalizeTitle(b!));
      expect(titleSimilarity(a!, b!)).toBe(1);
    }
    expect(titleSimilarity("S.W.A.T.", "S.W.A.T. (2017)")).toBeLessThan(1);
    expect(normalizeTitle("X-Men")).toBe("x men");
  });
});

describe("site and tracker prefixes", () => {
  const names = ["Some.Movie.Title.2010.1080p.BluRay.x264-GRP.mkv", "Some Show S02E03 720p WEB H264-GRP", "Another Film (1999) [720p]"];
  const prefixes = ["www.SomeSite.net - ", "www SomeSite org - ", "[ SomeSite.my ] ", "{WWW.SOMESITE.TV} ", "[www.some-site.info]_-_", "【发布 www.site.com】"];
  it.each(prefixes)("%s before a name changes nothing", (prefix) => {
    for (const name of names) expect(core(parseMediaName(prefix + name)), prefix + name).toEqual(core(parseMediaName(name)));
  });
  it("a release group's tag is not a site", () => {
    expect(parseMediaName("[Some-Group] Show Name - 05 [1080p].mkv").title).toBe("Show Name");
  });
});

describe("several names of one thing", () => {
  it("prefers the name in Latin script, whichever comes first", () => {
    for (const name of ["Чужая страна / Foreign Land / Сезон 2 / Серии 1-8 [2019, WEB-DL 1080p]", "異国 / Foreign Land S02E01 1080p", "異国.Foreign.Land.S02E01.1080p.mkv"]) {
      const p = parseMediaName(name);
      expect(p.title, name).toBe("Foreign Land");
      expect(p.alternatives.length, name).toBeGreaterThan(0);
    }
  });
  it("a title in another script with no Latin name is kept", () => {
    expect(parseMediaName("Чужая страна 2019 1080p.mkv").title).toBe("Чужая страна");
  });
  it('" / " between spaces is not a folder separator', () => {
    expect(parseMediaName("First Name / Second Name (2004) 720p").title).toBe("First Name");
    expect(parseMediaName("/media/First Name (2004)/movie.mkv").title).toBe("First Name");
  });
});

describe("years", () => {
  it("a year in brackets is the year; a year-like number before it is the title's", () => {
    for (const [name, title, year] of [
      ["Some Film 1984 (2020).mkv", "Some Film 1984", 2020],
      ["1999 (2012) 1080p.mkv", "1999", 2012],
      ["Some Film 2001 [2013] 720p.mkv", "Some Film 2001", 2013],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.title, p.year], name).toEqual([title, year]);
    }
  });
  it("a year at the start is the title when another year follows", () => {
    const p = parseMediaName("1945.2021.1080p.WEB-DL.mkv");
    expect([p.type, p.title, p.year]).toEqual(["movie", "1945", 2021]);
  });
  it("accepts years before 1900 where nothing else can be meant", () => {
    expect(parseMediaName("An Early Film (1895).mkv").year).toBe(1895);
    expect(parseMediaName("An.Early.Film.1895.720p.mkv").year).toBe(1895);
    expect(parseMediaName("Show 1895 S01E01.mkv").year).toBeUndefined();
  });
  it("a run of years gives the first one and ends the title", () => {
    const p = parseMediaName("SOME SHOW 1993-2004 [S01-03] [1080p]");
    expect([p.title, p.year, p.seasons]).toEqual(["SOME SHOW", 1993, [1, 2, 3]]);
    expect(parseMediaName("Some Show (1988 - 89) Season 1").year).toBe(1988);
  });
});

describe("season words", () => {
  it.each([
    ["Show Name 2nd Season - 05 [720p]", 2, [5]],
    ["Show Name Third Season 12", 3, [12]],
    ["Show Name 3ª Temporada 720p", 3, undefined],
    ["Show Name 10 th season", 10, undefined],
    ["Шоу 5-й сезон 09 серия.avi", 5, undefined],
    ["Шоу / Show / Сезон: 2 / Серии: 1-4 из 10 [2020]", 2, [1, 2, 3, 4]],
  ] as const)("%s", (name, season, episodes) => {
    const p = parseMediaName(name);
    expect(p.seasons).toEqual([season]);
    if (episodes) expect(p.episodes).toEqual(episodes);
    expect(p.title).not.toMatch(/season|temporada|сезон|\d(?:nd|rd|th)$/i);
  });
});
