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
  it("a show's name with ' - ' where Trakt has a colon is whole when the episode marker follows the name", () => {
    for (const name of ["Saga Show - The Next Part - 1x02.avi", "Saga Show - The Next Part - S01E02 - Title.mkv", "Saga.Show.-.The.Next.Part.S01E02.720p.mkv"]) {
      const p = parseMediaName(name);
      expect([p.title, p.seasons, p.episodes], name).toEqual(["Saga Show - The Next Part", [1], [2]]);
      expect(p.alternatives, name).toContain("Saga Show");
    }
    // the marker between the name and an episode title: the name is the part before it
    expect(parseMediaName("Saga Show - 1x02 - The Next Part.avi").title).toBe("Saga Show");
    // a country or year in brackets ends the show's name
    expect(parseMediaName("Saga Show (US) - The Next Part S01E02.avi").title).toBe("Saga Show");
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
  it("a download date before the name is dropped, but a title written as a date is kept before an episode marker", () => {
    expect(parseMediaName("21.03.15 Some Show S01E02 1080p.mkv").title).toBe("Some Show");
    expect(parseMediaName("2021.3.4.Some.Film.2019.1080p.mkv").title).toBe("Some Film");
    const p = parseMediaName("12.24.63.S01E02.720p.HDTV.x264-GRP.mkv");
    expect([p.title, p.seasons, p.episodes]).toEqual(["12.24.63", [1], [2]]);
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

describe("brackets that belong to the title", () => {
  it("keeps a bracket glued to a word", () => {
    expect(parseMediaName("(T)ime (2015) 1080p.mkv").title).toBe("(T)ime");
    expect(parseMediaName("Word(ABC).S01E02.720p.mkv").title).toBe("Word(ABC)");
  });
  it("finds a title that is a whole bracket: [REC]-style names and bracket-only anime names", () => {
    for (const [name, title, episodes] of [
      ["[ABC].2007.720p.BluRay.mkv", "ABC", undefined],
      ["[ABC] 2 (2009) 1080p.mkv", "ABC 2", undefined],
      ["[Group][Some Anime Title][07][1080p][x264].mkv", "Some Anime Title", [7]],
      ["[Some Anime Title].148.[Xvid.mp3].[FE68D5F1].avi", "Some Anime Title", [148]],
      ["[字幕组][国漫][Some Anime Title][2019][17][AVC][1080P]", "Some Anime Title", [17]],
      ["【字幕组】★01月新番★[Some Anime Title][01][720p][简体]", "Some Anime Title", [1]],
    ] as const) {
      const p = parseMediaName(name);
      expect(p.title, name).toBe(title);
      expect(p.episodes, name).toEqual(episodes);
    }
  });
  it("a whole-bracket title keeps the year that follows it, whatever ends the name (a group tag, a plain end)", () => {
    const plain = core(parseMediaName("[ABC].2007.720p.BluRay.mkv"));
    expect(plain).toMatchObject({ type: "movie", title: "abc", year: 2007 });
    for (const name of ["[ABC].2007.720p.BluRay.x264-GRP.mkv", "[ABC].2007.x264-GRP.mkv", "[ABC] 2007 720p x264-GRP.mkv"]) {
      expect(core(parseMediaName(name)), name).toEqual(plain);
    }
  });
  it("curly brackets are brackets: a year in them is the year, an id tag in them is set aside", () => {
    const plain = core(parseMediaName("Some Film (2014) 1080p.mkv"));
    for (const name of ["Some Film {2014} 1080p.mkv", "Some Film (2014) {tmdb-12345} 1080p.mkv", "Some Film {2014} {edition-Long Cut}.mkv"]) {
      expect(core(parseMediaName(name)), name).toEqual(plain);
      expect(parseMediaName(name).title, name).toBe("Some Film");
    }
  });
  it("brackets that are not glued are set aside as other names", () => {
    const p = parseMediaName("Other Name (Original Name) 2011 720p.mkv");
    expect(p.title).toBe("Other Name");
    expect(p.alternatives).toContain("Original Name");
  });
});

describe("episode numbers without a season marker", () => {
  it("prefers the number after the last ' - ' over numbers in the title", () => {
    for (const [name, title, episode] of [
      ["Show Name 100 - 09 [1080p].mkv", "Show Name 100", 9],
      ["[Grp] Show - 100 Words Later - 05 (1080p) [ABCD1234].mkv", "Show - 100 Words Later", 5],
      ["[Grp] Show Name (DVD) - 02v2 [h-b].mkv", "Show Name", 2],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.title, p.episodes], name).toEqual([title, [episode]]);
    }
  });
  it("after a season marker the number is that season's episode, not an absolute one, and numbers before it are the title's", () => {
    for (const name of ["[Grp] Show 00 S2 - 07 [720p].mkv", "Show 00 Season 2 - 07 [720p].mkv", "Show 00 2nd Season - 07.mkv"]) {
      const p = parseMediaName(name);
      expect([p.title, p.seasons, p.episodes, p.absolute], name).toEqual(["Show 00", [2], [7], undefined]);
    }
  });
  it("a range needs the same width after S: S01-04 is seasons 1 to 4, S2-07 is S2E7", () => {
    expect(parseMediaName("Show.S01-04.1080p.BluRay").seasons).toEqual([1, 2, 3, 4]);
    const p = parseMediaName("Show S2-07 [720p].mkv");
    expect([p.seasons, p.episodes]).toEqual([[2], [7]]);
  });
  it("version numbers, resolutions and numbers followed by more title and a year are not episodes", () => {
    expect(parseMediaName("Film_1.11_You_Are_Here_(2009)_[1080p].mkv").episodes).toBeUndefined();
    expect(parseMediaName("[Grp]Show_05_1080.BD.FLAC_[D7F8E39D].mkv").episodes).toEqual([5]);
    const p = parseMediaName("4.20.Some.Title.2018.1080p.BluRay.mkv");
    expect([p.type, normalizeTitle(p.title ?? ""), p.year]).toEqual(["movie", "4 20 some title", 2018]);
  });
  it("reads season and episode written N-MM at the start", () => {
    const p = parseMediaName("Show Name/4-12 - The Title.mp4");
    expect([p.title, p.seasons, p.episodes]).toEqual(["Show Name", [4], [12]]);
  });
  it("reads S01x02, T01E02, 01E02 and #05 markers", () => {
    for (const [name, season, episode] of [
      ["Show S01x02 title.avi", 1, 2],
      ["Show ESP T01XE08.mkv", 1, 8],
      ["Show 01E06.mkv", 1, 6],
      ["[Grp] Show #05 (1280x720 x264).mp4", undefined, 5],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.title, p.seasons?.[0], p.episodes], name).toEqual(["Show", season, [episode]]);
    }
  });
  it("'Part 1 of 10', 'Pt.2.of.4', '3of6': the word before the count is the marker's, not the title's", () => {
    for (const [name, episode] of [
      ["Show Name part 1 of 10.avi", 1],
      ["Show.Name.Pt.2.of.4.HDTV.avi", 2],
      ["Show Name - Episode 3 of 6 - Title.avi", 3],
      ["Show.Name.3of6.720p.HDTV.x264-GRP.mkv", 3],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.episodes], name).toEqual(["episode", "Show Name", [episode]]);
    }
  });
  it("'Part 2' of a broadcast with no year is an episode of a serial; a film's part stays in its title", () => {
    for (const [name, episode] of [
      ["Show.Name.Part.2.HDTV.XviD-GRP.avi", 2],
      ["Show Name Pt III PDTV.avi", 3],
      ["Show.Name.Part1.720p.HDTV.x264-GRP.mkv", 1],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.episodes], name).toEqual(["episode", "Show Name", [episode]]);
    }
    for (const name of ["Some.Film.Part.2.2011.720p.HDTV.x264-GRP.mkv", "Some.Film.Part.2.720p.BluRay.x264-GRP.mkv"]) {
      const p = parseMediaName(name);
      expect([p.type, p.title], name).toEqual(["movie", "Some Film Part 2"]);
    }
  });
  it("a numbered special (OVA 01, SP02, Special 3) is an episode of the show but never an absolute number", () => {
    for (const [name, episode] of [
      ["[Grp] Show Name - OVA 01 [720p].mkv", 1],
      ["[Grp] Show Name - SP02 [BD][720p].mkv", 2],
      ["Show.Name.Special.3.720p.HDTV.x264-GRP.mkv", 3],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.episodes, p.absolute, p.seasons], name).toEqual(["episode", "Show Name", [episode], undefined, undefined]);
    }
    // in a specials folder it is season 0, Trakt's season of specials
    expect(parseMediaName("Show Name/Specials/[Grp] Show Name - SP02 [720p].mkv").seasons).toEqual([0]);
  });
  it("audio channels are not episodes", () => {
    expect(parseMediaName("Film (2000) (BDRip x265 AC3 5.1x2+2.0x3).mkv").type).toBe("movie");
  });
});

describe("whole paths as libraries store them", () => {
  it.each([
    ["/tv/Show Name (2005)/Season 02/03 - Some Title.mkv", { type: "episode", title: "Show Name", year: 2005, seasons: [2], episodes: [3] }],
    ["/tv/Show Name/S01/E03.mkv", { type: "episode", title: "Show Name", seasons: [1], episodes: [3] }],
    ["/tv/Show Name/Season 3/05.mkv", { type: "episode", title: "Show Name", seasons: [3], episodes: [5] }],
    ["/tv/Show Name/Season 2/7 - 12 Days.avi", { type: "episode", title: "Show Name", seasons: [2], episodes: [7] }],
    ["/tv/Show Name/02 - Some Title.avi", { type: "episode", title: "Show Name", episodes: [2] }],
    ["/films/Movie Title (1999)/movie.mkv", { type: "movie", title: "Movie Title", year: 1999 }],
    ["/films/1984 (1984)/1984 (1984).mkv", { type: "movie", title: "1984", year: 1984 }],
    ["/films/300 (2006).mkv", { type: "movie", title: "300", year: 2006 }],
    ["/tv/Show Name (2010)/Specials/02 - A Special.mkv", { type: "episode", title: "Show Name", year: 2010, seasons: [0], episodes: [2] }],
    ["/tv/Show Name/Season 1/103 - Some Title.mkv", { type: "episode", title: "Show Name", seasons: [1], episodes: [3], alternatives: [] }],
    ["/tv/Show Name/Season 12/1203 - Some Title.mkv", { type: "episode", title: "Show Name", seasons: [12], episodes: [3], alternatives: [] }],
    ["/tv/Show Name/Season 2/Disc 1/03.mkv", { type: "episode", title: "Show Name", seasons: [2], episodes: [3] }],
    ["/films/Movie Title (1999)/CD1/movie.avi", { type: "movie", title: "Movie Title", year: 1999 }],
  ] as const)("%s", (path, expected) => {
    expect(parseMediaName(path)).toMatchObject(expected);
  });
  it("a show's folder with ' - ' is the show's whole name, searched before its first part", () => {
    const p = parseMediaName("/tv/Saga Show - The Next Part/Season 1/03 - Episode Title.mkv");
    expect([p.title, p.seasons, p.episodes]).toEqual(["Saga Show - The Next Part", [1], [3]]);
    expect(p.alternatives[0]).toBe("Saga Show");
    expect(p.alternatives).not.toContain("Episode Title");
  });
  it("a number that does not start with the season folder's number is absolute", () => {
    const p = parseMediaName("/anime/Show/Season 21/Show 1001.mkv");
    expect([p.seasons, p.episodes, p.absolute]).toEqual([undefined, [1001], true]);
    const q = parseMediaName("/tv/Show/Season 21/Show 2105.mkv");
    expect([q.seasons, q.episodes, q.absolute]).toEqual([[21], [5], undefined]);
  });
});

describe("discs copied as folders", () => {
  it("the folder that holds VIDEO_TS or BDMV names the film, whichever file of the disc plays", () => {
    for (const path of [
      "/movies/Some Film (2019)/VIDEO_TS/VTS_01_1.VOB",
      "/movies/Some Film (2019)/VIDEO_TS/VIDEO_TS.IFO",
      "/movies/Some Film (2019)/VIDEO_TS.IFO",
      "/movies/Some Film (2019)/BDMV/STREAM/00000.m2ts",
      "/movies/Some Film (2019)/BDMV/index.bdmv",
      "D:\\Films\\Some.Film.2019.COMPLETE.BLURAY-GRP\\BDMV\\STREAM\\00001.m2ts",
    ]) {
      const p = parseMediaName(path);
      expect([p.type, p.title, p.year, p.titleFrom], path).toEqual(["movie", "Some Film", 2019, "folder"]);
    }
  });
});

describe("words inside titles", () => {
  it("Chapter and Part stay in the title and are not episodes", () => {
    for (const [name, title] of [
      ["It.Chapter.Two.2019.1080p.mkv", "It Chapter Two"],
      ["Some Film Chapter 2 (2019).mkv", "Some Film Chapter 2"],
      ["Some.Film.Part.2.2011.720p.mkv", "Some Film Part 2"],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.episodes], name).toEqual(["movie", title, undefined]);
    }
  });
  it.each(["TRUEFRENCH", "German", "GERMAN", "Dubbed", "IMAX", "THEATRiCAL", "iTALiAN"])("release word %s ends the title", (word) => {
    for (const name of [`Some.Film.2010.${word}.1080p.BluRay.mkv`, `Some.Film.${word}.2010.1080p.mkv`, `Some Film ${word} 720p.mkv`]) {
      expect(parseMediaName(name).title, name).toBe("Some Film");
    }
  });
  it("a sequel's number after ' - ' stays in a movie's title", () => {
    expect(parseMediaName("Some Film - 2 (2013).mkv").title).toBe("Some Film - 2");
  });
  it("describing words after a title are dropped: The Complete Series, Season", () => {
    expect(parseMediaName("Show Name: The Complete Series (Season 1,2,3) + Extras").title).toBe("Show Name");
    expect(parseMediaName("Show Name Season S01-S07 COMPLETE 720p").title).toBe("Show Name");
  });
});

describe("Chinese and Japanese tracker names", () => {
  const read = (name: string): unknown[] => {
    const p = parseMediaName(name);
    return [p.type, p.title, p.year, p.seasons, p.episodes];
  };
  it("reads full-width signs and lenticular or corner brackets as their ASCII forms", () => {
    expect(read("某电影（2012）.mkv")).toEqual(["movie", "某电影", 2012, undefined, undefined]);
    expect(read("「 Resolution: 4K 」Some Film 2014 2160p BluRay x265")).toEqual(["movie", "Some Film", 2014, undefined, undefined]);
    expect(read("【某字幕组】【Some Show】【05】【1080P】")).toEqual(["episode", "Some Show", undefined, undefined, [5]]);
  });
  it("a slash beside a space or inside brackets separates names of one thing, not folders", () => {
    expect(read("[某字幕组][某某某/Some Show][05][1080p]")).toEqual(["episode", "Some Show", undefined, undefined, [5]]);
    expect(read("Some Film 2014 2160p BluRay 某某/ 某某某(港)/ 某某(台)").slice(1, 3)).toEqual(["Some Film", 2014]);
    expect(read("/films/Some Film (2014)/Some.Film.2014.1080p.mkv").slice(1, 3)).toEqual(["Some Film", 2014]);
  });
  it("after the tags, a release name in a bracket of its own is read; a tag or a technical word is not", () => {
    expect(read("[地区][某某][Some.Show.S02E05.1080p.WEB-DL.H.264-GRP]")).toEqual(["episode", "Some Show", undefined, [2], [5]]);
    expect(read("[地区][某某][Some Show 2025 S01 1080p WEB-DL]")).toEqual(["episode", "Some Show", 2025, [1], undefined]);
    expect(read("[Group][Some Show][07][1080p][MP4]").slice(1)).toEqual(["Some Show", undefined, undefined, [7]]);
  });
  it("an uploader's tag is not a title; the first one-word bracket in Latin letters is a group's tag", () => {
    expect(read("[TV][user@Site][Some Show Season 2][1080p]").slice(1, 4)).toEqual(["Some Show", undefined, [2]]);
    expect(read("[某组][UHA-WINGS][某某][Some Show Title!][04][1080p]").slice(1)).toEqual(["Some Show Title!", undefined, undefined, [4]]);
  });
  it("a technical word glued to a title in Chinese script ends it", () => {
    expect(read("某某某某4K REMUX (2001)")).toEqual(["movie", "某某某某", 2001, undefined, undefined]);
    expect(read("某某某某1080p简中(5.53G)").slice(0, 2)).toEqual(["movie", "某某某某"]);
  });
  it("reads seasons and episodes in Chinese numerals, and 全N集 as a whole series", () => {
    expect(read("某某某 第二季 - 05 [1080p]").slice(2)).toEqual([undefined, [2], [5]]);
    expect(read("某某某 第十二话 [1080p]").slice(3)).toEqual([undefined, [12]]);
    expect(read("/媒体/某某某 第二十一季 (2016)/5.mkv").slice(2)).toEqual([2016, [21], [5]]);
    expect(read("[某某某][Some Drama][全10集][720p]")).toEqual(["episode", "Some Drama", undefined, undefined, undefined]);
    expect(read("[组] 某某之王 第四季 Some King IV [02] [1080p]").slice(1)).toEqual(["Some King IV", undefined, [4], [2]]);
    expect(read("[组] 某某 第二季 / Some Show!! - 02 (1920x1080 HEVC)").slice(1)).toEqual(["Some Show!!", undefined, [2], [2]]);
  });
  it("a title only in Chinese script is taken from its bracket, not from the group, the category or the subtitles", () => {
    expect(read("[某某字幕组][某某某某的故事][01-03][1280x720][简体].mp4")).toEqual(["episode", "某某某某的故事", undefined, undefined, [1, 2, 3]]);
    expect(read("[某某字幕组][7月新番][某某某某的教室 第二季][01][1080p][简体中文].mp4")).toEqual(["episode", "某某某某的教室", undefined, [2], [1]]);
    expect(read("[2018][国产动漫][某某某某某][全26集][国语中字][1080P]")).toEqual(["episode", "某某某某某", 2018, undefined, undefined]);
  });
  it("a title with its episode between the tags is kept, and [TV 04] is an episode", () => {
    expect(read("[Grp] 某某某某某 - 07 [1080P][Baha][WEB-DL].mp4").slice(1)).toEqual(["某某某某某", undefined, undefined, [7]]);
    expect(read("[某某][Some Show][2022][WEB-DL][2160][TV Series][TV 04][Grp]")).toEqual(["episode", "Some Show", 2022, undefined, [4]]);
    expect(read("[Grp]某某/Some Show/某某[BDrip][1920x1080][TV 01-03 Fin]")[4]).toEqual([1, 2, 3]);
  });
  it("a Chinese title before a dotted name in Latin letters is set aside, with a number that starts the Latin name kept", () => {
    expect(read("某某桥-英语.21.Some.Bridges.2019.BluRay.2160p.x265-GRP").slice(1, 3)).toEqual(["21 Some Bridges", 2019]);
    expect(read("2022.8.2.Some.Film.1995.4K.REMASTERED.BluRay.1080p.X264").slice(1, 3)).toEqual(["Some Film", 1995]);
  });
});

describe("more anime and release conventions", () => {
  it("reads episode ranges and lists of a batch", () => {
    expect(parseMediaName("[Grp] Show Name - 01 ~ 12 [1080p]").episodes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(parseMediaName("[Grp] Show Name - 01 - 04 [1080p]").episodes).toEqual([1, 2, 3, 4]);
    expect(parseMediaName("[Grp] Show Name - 01+02 [720p]").episodes).toEqual([1, 2]);
    // an episode title that starts with a number is not a range end
    expect(parseMediaName("Show Name - 07 - 12 Days.mkv").episodes).toEqual([7]);
  });
  it("reads Japanese and Chinese season and episode marks", () => {
    const p = parseMediaName("某番組 第2期 第05話.mkv");
    expect([p.title, p.seasons, p.episodes]).toEqual(["某番組", [2], [5]]);
    expect(parseMediaName("[Grp] Some Show 第3季 第12集 [1080p]").seasons).toEqual([3]);
  });
  it("3D followed by more title is the title's; 3D before technical words is not", () => {
    expect(parseMediaName("[Grp] Some 3D Title 01 [720p].mkv").title).toBe("Some 3D Title");
    expect(parseMediaName("Some.Title.3D.1080p.BluRay.mkv").title).toBe("Some Title");
  });
  it("'+' for spaces, a leading (year), and a release group's -S56 are understood", () => {
    const plus = parseMediaName("Some+Show+Episode+3.mp4");
    expect([plus.title, plus.episodes]).toEqual(["Some Show", [3]]);
    const led = parseMediaName("(2000) Some Film - Other Name (DvdRip Ita Eng).avi");
    expect([led.title, led.year]).toEqual(["Some Film", 2000]);
    const group = parseMediaName("Some Film 2024 1080p WEB-DL H264 DD5.1-S56");
    expect([group.type, group.seasons]).toEqual(["movie", undefined]);
    expect(parseMediaName("Some Film (1995) [1080p] [WEB-DL] [E-AC3-S78] [PL]").type).toBe("movie");
  });
  it("a bracket inside a title with more title after it stays; one before ' - ' or at the end is set aside", () => {
    expect(parseMediaName("Film_1.0_You_Are_(Not)_There_(1080p)").title).toBe("Film 1.0 You Are (Not) There");
    expect(parseMediaName("Show-A (US) - Episode Title S02E09 hdtv").title).toBe("Show-A");
  });
  it("the first bracket is the group's tag only when it reads like one", () => {
    expect(parseMediaName("[Some Long Show Title HD REMASTER][07][Big5][720p]").title).toBe("Some Long Show Title");
    expect(parseMediaName("[SubGrp][Some Show][07][Big5][720p]").title).toBe("Some Show");
  });
});

describe("movie titles: release words that are also title words", () => {
  it("reads a name written with decomposed accents like the composed one", () => {
    // a word ending in a decomposed accent ("Cache\u0301e") once cut the year off as an episode number
    const composed = "Une Fête Cachée 2019 1080p.mkv";
    expect(core(parseMediaName(composed.normalize("NFD")))).toEqual(core(parseMediaName(composed)));
    expect(parseMediaName(composed.normalize("NFD")).year).toBe(2019);
  });
  it("a flag that is also a word starts a title, or stays in it before the year in the title's case", () => {
    expect(parseMediaName("Uncut.Diamonds.2019.1080p.WEB.x264-GRP").title).toBe("Uncut Diamonds");
    expect(parseMediaName("xXx.Some.Words.2005.1080p.BluRay.x264").title).toBe("xXx Some Words");
    expect(parseMediaName("The.Blue.Limited.2007.720p.BluRay.x264").title).toBe("The Blue Limited");
    expect(parseMediaName("the.blue.limited.2007.french.720p.mkv").title).toBe("the blue limited");
    // written as a flag, or after the year, it is one
    expect(parseMediaName("Some.Film.LIMITED.2007.720p.BluRay.x264").title).toBe("Some Film");
    expect(parseMediaName("Some.Film.2007.Limited.720p.BluRay.x264").title).toBe("Some Film");
    expect(parseMediaName("UNRATED Some Film 2008 DTS.mkv").title).toBe("Some Film");
    // at the start, in the title's case, Extended, Unrated, Remastered and Dubbed are the title's too
    expect(parseMediaName("Extended.Kin.2023.1080p.WEB.x264").title).toBe("Extended Kin");
    expect(parseMediaName("Remastered.Some.Story.2019.1080p.WEB").title).toBe("Remastered Some Story");
  });
  it("technical words before the title are dropped, whatever separates them", () => {
    expect(parseMediaName("h265 - HEVC Some Film Unrated French 1080p DTS.mkv").title).toBe("Some Film");
  });
  it("in a title written in capitals, capitals say nothing: only context makes a word technical", () => {
    expect(parseMediaName("SOME FILM DE LA NUIT 1986 REMASTERED MULTI 720p x264.mkv").title).toBe("SOME FILM DE LA NUIT");
    expect(parseMediaName("Some.Film.De.La.Nuit.GERMAN.1986.720p.x264").title).toBe("Some Film De La Nuit");
  });
  it("mixed capitals mark a release word: MULTi, not Multi in a title", () => {
    expect(parseMediaName("Some.Film.MULTi.2019.1080p.WEB.H264-GRP").title).toBe("Some Film");
    expect(parseMediaName("Some Film Multi-VF2 1080p BluRay x264.mkv").title).toBe("Some Film");
  });
  it("All, Full and Season are title words; only a release's description is dropped", () => {
    expect(parseMediaName("Heads.and.All.2022.1080p.WEB.H264-GRP").title).toBe("Heads and All");
    expect(parseMediaName("Bought.In.Full.2002.1080p.BluRay.x264").title).toBe("Bought In Full");
    expect(parseMediaName("Gloomiest.Season.2020.1080p.WEB-DL.x264").title).toBe("Gloomiest Season");
    expect(parseMediaName("Show Name Season S01-S07 COMPLETE 720p").title).toBe("Show Name");
    expect(parseMediaName("Show Name - The Complete Series 720p").title).toBe("Show Name");
  });
  it("a language word before a year in brackets is the title's; before a bare year it is the release's", () => {
    expect(parseMediaName("Bobby English (2003) MULTi 1080p.mkv").title).toBe("Bobby English");
    expect(parseMediaName("Ein.Langer.Film.German.2014.1080p.BluRay.x264").title).toBe("Ein Langer Film");
    // but English before the year is a title's (groups do not mark English there), and so is a language word whose
    // title would otherwise be an article alone
    expect(parseMediaName("Bobby.English.2003.1080p.BluRay.x264").title).toBe("Bobby English");
    expect(parseMediaName("The.German.2020.1080p.WEB.x264").title).toBe("The German");
    expect(parseMediaName("La.French.2014.FRENCH.BRRip.x264").title).toBe("La French");
  });
  it("French and scene edition words end a title: Version Longue, CUSTOM, BR1080P, UltraHD", () => {
    expect(parseMediaName("Some.Film.Version.Longue.2005.MULTI.1080p").title).toBe("Some Film");
    expect(parseMediaName("Some.Film.CUSTOM.H265.AC3.mkv").title).toBe("Some Film");
    expect(parseMediaName("SOME FILM PART II BR1080P").title).toBe("SOME FILM PART II");
    expect(parseMediaName("Some.Film.UltraHD.mkv").title).toBe("Some Film");
  });
});

describe("movie titles: numbers, acronyms, other names and sets of films", () => {
  it("a number and a space before words starts a title; a padded number is an episode's", () => {
    for (const name of ["47 Samurai - 1080p x264.mkv", "12 Angry Cats 1080p x264.mkv", "17 girls.mkv"]) {
      const p = parseMediaName(name);
      expect([p.type, p.episodes, p.title?.split(" ")[0]], name).toEqual(["movie", undefined, name.split(" ")[0]]);
    }
    expect(parseMediaName("02 The Second Visit.mp4").episodes).toEqual([2]);
  });
  it("a number inside a bracket of words belongs to that other title", () => {
    for (const name of ["Some Film (2013) (Short Term 12).mkv", "128 Days (2010) (128 Hours) 1080p x264.mkv", "Guess 10 Words (Starter for 10).2006.1080p.mkv"]) {
      const p = parseMediaName(name);
      expect([p.type, p.seasons, p.episodes], name).toEqual(["movie", undefined, undefined]);
    }
    // an episode word inside the bracket says it is one
    expect(parseMediaName("Some Show (05 сер.) - webrip1080p.mkv").episodes).toEqual([5]);
  });
  it("the last letter of a dotted acronym before a year is not an episode marker", () => {
    for (const [name, title] of [["Titan.B.E.2000.720p.WEB-DL.mkv", "Titan B.E."], ["The.Man.from.A.B.C.L.E.2015.1080p.mkv", "The Man from A.B.C.L.E."]] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.year, p.episodes], name).toEqual(["movie", title, name.includes("2000") ? 2000 : 2015, undefined]);
    }
    expect(parseMediaName("Some.Show.E05.720p.mkv").episodes).toEqual([5]);
  });
  it("Special makes an episode, not a special edition or a word of another title in brackets", () => {
    expect(parseMediaName("Some.Show.Special.720p.HDTV.x264").type).toBe("episode");
    expect(parseMediaName("Some.Film.SPECIAL.EXTENDED.EDITION.2001.1080p.BluRay").type).toBe("movie");
    expect(parseMediaName("Some Film 3 (1992) Special Assembly Cut 1080p.mkv").type).toBe("movie");
    expect(parseMediaName("Some Film 2016 1080p x265 (Agent Trop Special) - GRP.mkv").type).toBe("movie");
  });
  it("'aka' separates names of one thing", () => {
    const p = parseMediaName("First.Name.AKA.Second.Name.2006.1080p.BluRay.x264.mkv");
    expect([p.title, p.year]).toEqual(["First Name", 2006]);
    expect(p.alternatives).toContain("Second Name");
    const dotted = parseMediaName("First Name a.k.a. Second Name (2006).mkv");
    expect([dotted.title, dotted.year]).toEqual(["First Name", 2006]);
    expect(dotted.alternatives).toContain("Second Name");
  });
  it("a leading year, a dash and a title: the year is the film's", () => {
    for (const name of ["1966 - Some Old Film.mkv", "1990-Some Old Film - 1080p.mkv", "2012 - Some Old Film (MULTi.1080p.BluRay).mkv"]) {
      const p = parseMediaName(name);
      expect([p.title, p.year], name).toEqual(["Some Old Film", Number(name.slice(0, 4))]);
    }
    // another year after it: the first number is the title's
    expect(parseMediaName("1984 - Some Film (2020).mkv").year).toBe(2020);
  });
  it("a set of films is named by the films, with no one year", () => {
    for (const name of [
      "Some Films Collection (1982-2019) MULTi 1080p BluRay x264",
      "Some Films Trilogie (2005-2012) 1080p x264",
      "Trilogie Some Films BluRay 1080p x264",
      "Some Films Ultimate Fan Collection",
      "Some Films l'Integrale 1989-2012",
      "Some.Films.QUADRILOGY.2012-2015.1080p.BluRay",
    ]) {
      const p = parseMediaName(name);
      expect([p.title, p.year], name).toEqual(["Some Films", undefined]);
    }
    expect(parseMediaName("The Collection (2012) 1080p.mkv").title).toBe("The Collection");
    // the films of a series by their numbers, counting up ("Class 5-2" is a name)
    for (const name of ["Some Films 1,2,3", "SOME FILMS 1-2-3 HD 720p BRRip x264", "Some Films 1&2 1080p.mkv"]) {
      expect(normalizeTitle(parseMediaName(name).title ?? ""), name).toBe("some films");
    }
    expect(parseMediaName("[Grp] Some Class 5-2 - 04.avi").title).toBe("Some Class 5-2");
    // a run of years in an episode's name is the show's first year
    expect(parseMediaName("Some Show (1993-2004) S02E03.mkv").year).toBe(1993);
  });
});

describe("movie titles: film series and bare titles", () => {
  it("a film series' 'Episode N', its title and a year name a film", () => {
    const p = parseMediaName("Saga Wars Episode 4 A New Dawn 1977 Truefrench BDrip x264-GRP");
    expect([p.type, p.title, p.year, p.episodes]).toEqual(["movie", "Saga Wars Episode 4 A New Dawn", 1977, undefined]);
    // without a year after the episode's title, it is an episode
    expect(parseMediaName("Some Show Episode 4 A New Dawn 720p.mkv").episodes).toEqual([4]);
    expect(parseMediaName("Some Show (2010) Episode 4 A New Dawn.mkv").episodes).toEqual([4]);
  });
  it("a title that is a technical word is kept when nothing else could be the title", () => {
    expect(parseMediaName("VHS - [1080p-BrRip] [MULTI] [x264].mkv").title).toBe("VHS");
    expect(parseMediaName("HEVC - Some Film 1080p.mkv").title).toBe("Some Film");
  });
  it("a run of years followed by more words is still a run", () => {
    const p = parseMediaName("Some.Films.1984-2019.6.Film.Collection.MULTi.1080p.BluRay");
    expect([p.title, p.year]).toEqual(["Some Films", undefined]);
    // a date is not a run of years
    expect(parseMediaName("Some.Show.2010-11-12.720p.HDTV").type).toBe("episode");
  });
  it("a 'Film (Year)' folder names the file's film when the file names it among other names", () => {
    const p = parseMediaName("/films/Some Old Film (1989)/A Director - Some Old Film (Fr Rip).avi");
    expect([p.type, p.title, p.year]).toEqual(["movie", "Some Old Film", 1989]);
    // a file about something else in the folder keeps its own name
    expect(parseMediaName("/films/Some Old Film (1989)/A Director - Interview (Fr Rip).avi").title).toBe("A Director");
  });
});

describe("movie titles: what files carry beyond scene names", () => {
  it("an anime film with no number and no year keeps its subtitle; an episode does not need one", () => {
    const film = parseMediaName("[SubGrp] Some Saga the Movie 2 - Riders of the Glass Tower [BD][1080p][FLAC] [0A1B2C3D].mkv");
    expect([film.type, film.title, film.episodes]).toEqual(["movie", "Some Saga the Movie 2 - Riders of the Glass Tower", undefined]);
    expect(film.alternatives).toContain("Some Saga the Movie 2");
    // an episode after the last dash: the title still has its subtitle, the number is the episode
    const episode = parseMediaName("[SubGrp] Some Saga - Riders of the Glass Tower - 07 [1080p].mkv");
    expect([episode.title, episode.episodes]).toEqual(["Some Saga - Riders of the Glass Tower", [7]]);
    // a name with a year is a film's: the whole name before the year, as for any film
    expect(parseMediaName("[Tag] Some Comedian - Live Show.2021.FRENCH.1080p.mkv").title).toBe("Some Comedian - Live Show");
  });
  it("a letter hyphened onto a word before the year ends the word: it is not an episode marker", () => {
    for (const name of ["Robo-E.2008.1080p.BluRay.x264-GRP.mkv", "ROBO-E 2008 720p WEB.mkv"]) {
      const p = parseMediaName(name);
      expect([p.type, normalizeTitle(p.title ?? ""), p.year, p.episodes], name).toEqual(["movie", "robo e", 2008, undefined]);
    }
    // glued to its number it is one
    expect(parseMediaName("Some_Show-e03-Title.mkv").episodes).toEqual([3]);
    expect(parseMediaName("Some.Show.S01-E02.720p.mkv").episodes).toEqual([2]);
  });
  it("a season letter alone after the year and the technical words is a setting or a tag, not a season", () => {
    for (const name of ["Some.Film.(2021)(2160p.WEBRip.x265.crf20.S42.AAC)[Grp].mkv", "Some Film 2019 1080p x264 S12 AC3.mkv"]) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.seasons], name).toEqual(["movie", "Some Film", undefined]);
    }
    // before the technical part it is a season, year or not
    expect(parseMediaName("Some.Show.2019.S02.1080p.WEB.x264").seasons).toEqual([2]);
    expect(parseMediaName("Some Show S03 1080p x264").seasons).toEqual([3]);
  });
  it("3D with more title after it, or before a year in brackets, stays in a film's title, also where the library would cut", () => {
    expect(parseMediaName("A.Very.Odd.Couple.3D.Holiday.2011.FRENCH.3D.HSBS.1080p.BluRay.x264-GRP").title).toBe("A Very Odd Couple 3D Holiday");
    expect(parseMediaName("A.Very.Odd.Couple.3D.2011.HSBS.1080p.BluRay.x264-GRP").title).toBe("A Very Odd Couple");
    // before a year in brackets it is the title's, as a language word is
    expect(parseMediaName("Dead Of Dusk 3D (2012) [3D.BLU-RAY] [1080p] [HSBS].mkv").title).toBe("Dead Of Dusk 3D");
  });
  it("an anniversary edition, a director's cut and a film's extras are the release's, not the title's", () => {
    for (const name of [
      "Some.Film.25th.Anniversary.Edition.1988.1080p.BluRay.x264-GRP",
      "Some.Film.1988.30th.ANNIVERSARY.REMUX.1080p",
      "Some.Film.Extras.Only.2019.1080p.WEB-DL",
      "Some Film 2019 Bonus 1080p BluRay.mkv",
      "Some.Film.EXTRAS.2019.720p",
      "Some.Film.Director.s.Cut.2013.1080p.x264",
      "Some Film Director's Cut 2013 1080p x264",
    ]) {
      expect(parseMediaName(name).title, name).toBe("Some Film");
    }
    // a title that is the word, or starts with it, keeps it
    expect(parseMediaName("Extras.S02E03.720p.HDTV.x264").title).toBe("Extras");
    expect(parseMediaName("The.Extras.2015.1080p.WEB.x264").title).toBe("The Extras");
    expect(parseMediaName("Bonus.Family.S01E02.1080p.WEB").title).toBe("Bonus Family");
  });
  it("a film's place in its set is not its title, and a set's folder does not name the film", () => {
    for (const name of ["(1)First Film Of Three (2009) 720p x264.mkv", "(2) First Film Of Three (2009).mkv"]) {
      expect([parseMediaName(name).title, parseMediaName(name).year], name).toEqual(["First Film Of Three", 2009]);
    }
    const inSet = parseMediaName("films/Three Films Trilogy (2009) BRrip 720p x264/(1)First Film Of Three (2009) BRrip 720p x264.mkv");
    expect([inSet.title, inSet.titleFrom]).toEqual(["First Film Of Three", "file"]);
    // a release folder that is not a set still names an obfuscated or shortened file
    expect(parseMediaName("Some.Film.2009.1080p.BluRay.x264-GRP/grp-sf.mkv").title).toBe("Some Film");
  });
  it("a bracketed number that starts a title is the title's, not an episode", () => {
    for (const name of ["(300) Nights of Winter (2011).mkv", "(300) Nights of Winter 2011 1080p BluRay x264"]) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.year, p.seasons, p.episodes], name).toEqual(["movie", "(300) Nights of Winter", 2011, undefined, undefined]);
    }
  });
  it("a part or chapter of a film after a dash stays in its title, as a sequel's number does", () => {
    for (const [name, title] of [
      ["Some Saga 7 - Part 1.mkv", "Some Saga 7 - Part 1"],
      ["Some Saga: The Finale - Part 2 (2015) 1080p.mkv", "Some Saga: The Finale - Part 2"],
      ["Some Tale - Chapter Two 2019 1080p WEB.mkv", "Some Tale - Chapter Two"],
      ["Some Film - 2 (2013).mkv", "Some Film - 2"],
    ] as const) {
      expect(parseMediaName(name).title, name).toBe(title);
    }
    // an episode keeps its show's name
    expect(parseMediaName("Some Show - Part 2 S01E03.mkv").title).toBe("Some Show");
  });
  it("a film's place in its series before a dash is not its title", () => {
    const p = parseMediaName("21 - Some Spy Film (2012) [1080p] MULTi BluRay x264-GRP.mkv");
    expect([p.type, p.title, p.year]).toEqual(["movie", "Some Spy Film", 2012]);
    // a number of three digits is a title, and without a year a leading number is an episode's
    const empire = parseMediaName("300 - Some Empire (2014) 1080p.mkv");
    expect(empire.title).toBe("300 - Some Empire");
    expect(empire.alternatives).toContain("300");
    expect(parseMediaName("Some Show/Season 1/03 - Some Episode.mkv").episodes).toEqual([3]);
  });
  it("a film's name with ' - ' before its year is the whole name; the part before the dash stays an alternative", () => {
    // file names cannot hold a colon, so "Some Saga: The Return" is written with a dash
    for (const [name, title, first] of [
      ["Some Saga - The Return (2013).mkv", "Some Saga - The Return", "Some Saga"],
      ["Some Saga - The Return 2013 1080p BluRay x264-GRP.mkv", "Some Saga - The Return", "Some Saga"],
      ["Mission - Improbable - Fallout (2018).mkv", "Mission - Improbable - Fallout", "Mission"],
      ["Der Film - Le Film (2004) MULTi 1080p.mkv", "Der Film - Le Film", "Der Film"],
    ] as const) {
      const p = parseMediaName(name);
      expect([p.type, p.title, p.year], name).toEqual(["movie", title, p.year]);
      expect(p.alternatives, name).toContain(first);
    }
    // an anime film with its year too
    expect(parseMediaName("[Grp] Some Saga the Movie - Subtitle (2019) [BD 1080p HEVC].mkv").title).toBe("Some Saga the Movie - Subtitle");
    // not when the year does not end the name's title, nor for a language code or an episode
    expect(parseMediaName("Some Film (2013) - Some Director.mkv").title).toBe("Some Film");
    expect(parseMediaName("Fr - Some Film (2005).avi").title).toBe("Some Film");
    expect(parseMediaName("Some Show - Some Episode 2013 S01E02.mkv").title).toBe("Some Show");
    expect(parseMediaName("Some Film - The Return.mkv").title).toBe("Some Film");
  });
  it("'Eps' before numbers marks episodes", () => {
    const p = parseMediaName("Some.Show.Eps.03-04.DVDRip.x264-GRP");
    expect([p.title, p.episodes]).toEqual(["Some Show", [3, 4]]);
  });
  it("a title that starts like 2x05 is a title when an SxxEyy follows", () => {
    const p = parseMediaName("6x6.Across.the.Dunes.S02E03.1080p.WEB.h264-GRP");
    expect([p.title, p.seasons, p.episodes]).toEqual(["6x6 Across the Dunes", [2], [3]]);
    expect(parseMediaName("6x06 - Some Episode.mkv").episodes).toEqual([6]);
  });
  it("a release group's tag after the last word of a dotted name is not the title's", () => {
    expect(parseMediaName("Some.Quiet.Hidden.River-HDC.mkv").title).toBe("Some Quiet Hidden River");
    expect(parseMediaName("Some.Quiet.River-GRP2.mkv").title).toBe("Some Quiet River");
    // a hyphenated word stays whole
    expect(parseMediaName("The.Amazing.Spider-Man.mkv").title).toBe("The Amazing Spider-Man");
    expect(parseMediaName("Some.Film.X-Men.mkv").title).toBe("Some Film X-Men");
  });
});

describe("multi-episode files written season x episode", () => {
  /** Each NxM name reads as its SxxEyy twin. */
  function readsLikeSxE(pairs: ReadonlyArray<readonly [string, string]>): void {
    for (const [name, sxe] of pairs) expect(core(parseMediaName(name)), name).toEqual(core(parseMediaName(sxe)));
  }
  it("a second NxM after a dash continues the first, as S01E05-S01E06 does", () => {
    readsLikeSxE([
      ["Some.Show.2x05-2x06.720p.mkv", "Some.Show.S02E05-S02E06.720p.mkv"],
      ["Some Show - 1x01-1x03 - Title.mkv", "Some Show - S01E01-S01E03 - Title.mkv"],
      ["Some.Show.3x07-08.mkv", "Some.Show.S03E07-08.mkv"],
    ]);
    expect(parseMediaName("Some.Show.2x05-2x06.720p.mkv").episodes).toEqual([5, 6]);
  });
  it("a second NxM after '+', '&' or ',' is the next episode, as S01E02 & S01E03 is", () => {
    readsLikeSxE([
      ["Some Show 1x02+1x03.avi", "Some Show S01E02+S01E03.avi"],
      ["Some Show - 1x02 & 1x03 - Title.avi", "Some Show - S01E02 & S01E03 - Title.avi"],
      ["Some Show 2x04, 2x05.avi", "Some Show S02E04, S02E05.avi"],
    ]);
    expect(parseMediaName("Some Show 1x02+1x03.avi").episodes).toEqual([2, 3]);
  });
});
