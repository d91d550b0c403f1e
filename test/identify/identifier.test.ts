import { describe, expect, it } from "vitest";
import { identifySection, type IdentifySection } from "../../src/config/sections/identify.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { globToRegExp } from "../../src/util/glob.js";
import { FakeSearchApi } from "./fake-trakt.js";

function api(): FakeSearchApi {
  return new FakeSearchApi(
    [
      { title: "TRON: Legacy", year: 2010, ids: { trakt: 12601, imdb: "tt1104001", tmdb: 20526 } },
      { title: "The Lincoln Lawyer", year: 2011, ids: { trakt: 777, imdb: "tt1189340" } },
    ],
    [
      { title: "Mad Men", year: 2007, ids: { trakt: 4, tvdb: 80337 }, episodes: [] },
      { title: "Parks and Recreation", year: 2009, ids: { trakt: 900201, tvdb: 84912 }, episodes: [] },
      { title: "One Piece", year: 1999, ids: { trakt: 37696 }, episodes: [] },
    ],
  );
}

function identifier(a: FakeSearchApi, config: Partial<IdentifySection> = {}): TraktIdentifier {
  return new TraktIdentifier({ api: a, config: identifySection.parse(config) });
}

describe("search-based identification", () => {
  it("a weak search result is rejected, not sent: X-Men '97 never becomes Mad Men", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/tv/X-Men '97/Season 1/X-Men.97.S01E03.1080p.WEB.h264-ETHEL.mkv" });
    expect(a.calls).toEqual(["GET /search/show?query=X-Men 97"]);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).toMatch(/"Mad Men" \(2007\) rejected/);
    expect(!r.ok && r.reason).toContain("Add an override");
  });

  it("misses are kept for the status page, newest last, bounded", async () => {
    const id = identifier(api());
    for (let i = 0; i < 25; i++) await id.identify({ path: `/tv/Unknown Show ${i}/Unknown.Show.S01E01.mkv` });
    const misses = id.recentMisses();
    expect(misses).toHaveLength(20);
    expect(misses.at(-1)!.what).toBe("/tv/Unknown Show 24/Unknown.Show.S01E01.mkv");
  });

  it("a multi-episode file yields every episode", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/tv/Parks.and.Recreation.S02E01-E03.720p.HDTV.x264.mkv" });
    expect(r).toMatchObject({ ok: true, source: "filename-search" });
    expect(r.ok && r.items.map((i) => i.type === "episode" && [i.show?.ids.trakt, i.episode.season, i.episode.number])).toEqual([
      [900201, 2, 1],
      [900201, 2, 2],
      [900201, 2, 3],
    ]);
  });

  it("a numbered special is not scrobbled as an absolute episode: refused with what to do, before any search", async () => {
    const a = api();
    const r = await identifier(a).identify({ mediaTitle: "[Erai-raws] One Piece - OVA 01 [1080p].mkv" });
    expect(a.calls).toEqual([]);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).toContain('put the file in a "Season N" folder');
    const inSpecials = await identifier(a).identify({ path: "/anime/One Piece/Specials/[Erai-raws] One Piece - OVA 01 [1080p].mkv" });
    expect(inSpecials.ok && inSpecials.items[0]).toMatchObject({ type: "episode", episode: { season: 0, number: 1 } });
  });

  it("absolute anime numbering is sent as the absolute number of the found show, never guessed into a season", async () => {
    const a = api();
    const r = await identifier(a).identify({ mediaTitle: "[Erai-raws] One Piece - 1071 [1080p][Multiple Subtitle].mkv" });
    expect(a.calls).toEqual(["GET /search/show?query=One Piece"]);
    expect(r).toMatchObject({ ok: true, source: "filename-search", items: [{ type: "episode", show: { ids: { trakt: 37696 } }, episode: { number_abs: 1071 } }] });
    expect(r.ok && r.items[0]).not.toHaveProperty("episode.season");
    expect(r.ok && r.reason).toContain("absolute episode 1071");
  });

  it("an alternative title from the name is tried when the first finds nothing", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "La Defense Lincoln (The Lincoln Lawyer) 2011 [DVDRIP][Vostfr].avi" });
    expect(a.calls).toEqual(["GET /search/movie?query=La Defense Lincoln&years=2011", "GET /search/movie?query=The Lincoln Lawyer&years=2011"]);
    expect(r).toMatchObject({ ok: true, items: [{ type: "movie", movie: { ids: { trakt: 777 } } }] });
  });

  it("explicit Trakt ids are used as they are", async () => {
    const a = api();
    const r = await identifier(a).identify({ kind: "movie", ids: { trakt: "12601" }, title: "Anything" });
    expect(r).toMatchObject({ ok: true, source: "trakt-ids", items: [{ type: "movie", movie: { ids: { trakt: 12601 } } }] });
    expect(a.calls).toEqual([]);
  });

  it("Kodi's imdbnumber is used for a movie only when it is an IMDb id", async () => {
    const a = api();
    expect(await identifier(a).identify({ kind: "movie", guids: ["kodi-imdbnumber://tt1104001"] })).toMatchObject({
      ok: true,
      items: [{ movie: { ids: { imdb: "tt1104001" } } }],
    });
    expect(await identifier(a).identify({ kind: "movie", guids: ["kodi-imdbnumber://335984"] })).toMatchObject({ ok: false, retryable: false });
    expect(a.calls).toEqual([]);
  });

  it("no Trakt client: ids still work, searches say they were skipped", async () => {
    const id = new TraktIdentifier({ api: undefined, config: identifySection.parse({}) });
    expect(await id.identify({ kind: "movie", guids: ["imdb://tt1104001"] })).toMatchObject({ ok: true });
    const r = await id.identify({ path: "TRON.Legacy.2010.1080p.BluRay.mkv" });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toContain("no Trakt client configured");
  });
});

describe("overrides", () => {
  it("globs: * within a folder, ** across folders, ? one character", () => {
    expect(globToRegExp("/media/tv/**/X-Men*/**").test("/media/tv/cartoons/X-Men '97/S01/e.mkv")).toBe(true);
    expect(globToRegExp("/media/*/file?.mkv").test("/media/a/file1.mkv")).toBe(true);
    expect(globToRegExp("/media/*/file?.mkv").test("/media/a/b/file1.mkv")).toBe(false);
  });

  it("a path rule maps a show; season and episodes still come from the file; no request", async () => {
    const a = api();
    const id = identifier(a, { overrides: [{ path: "/media/tv/**/X-Men*/**", to: { type: "show", trakt: 200000 } }] });
    const r = await id.identify({ path: "/media/tv/cartoons/X-Men '97/Season 1/X-Men.97.S01E01E02.mkv" });
    expect(r).toMatchObject({
      ok: true,
      source: "override",
      items: [
        { type: "episode", show: { ids: { trakt: 200000 } }, episode: { season: 1, number: 1 } },
        { type: "episode", show: { ids: { trakt: 200000 } }, episode: { season: 1, number: 2 } },
      ],
    });
    expect(r.ok && r.reason).toContain("override #1");
    expect(a.calls).toEqual([]);
  });

  it("a title rule wins over the player's ids and matches the parsed title, punctuation ignored", async () => {
    const a = api();
    const id = identifier(a, { overrides: [{ title: "tron legacy", to: { type: "movie", imdb: "tt9999999" } }] });
    expect(await id.identify({ kind: "movie", title: "TRON: Legacy", guids: ["imdb://tt1104001"] })).toMatchObject({
      ok: true,
      source: "override",
      items: [{ type: "movie", movie: { ids: { imdb: "tt9999999" } } }],
    });
    expect(await id.identify({ path: "/x/TRON.Legacy.2010.720p.mkv" })).toMatchObject({ ok: true, source: "override" });
    expect(a.calls).toEqual([]);
  });

  it("a substring path rule to a show without season/episode in the name: refused with the reason", async () => {
    const id = identifier(api(), { overrides: [{ path: "Some Show", to: { type: "show", tvdb: 1 } }] });
    const r = await id.identify({ path: "/tv/Some Show/bonus.mkv" });
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(!r.ok && r.reason).toContain("no season and episode");
  });

  it("config says what to fix in a bad rule", () => {
    const bad = identifySection.safeParse({ overrides: [{ path: "/x", to: { type: "movie" } }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("needs at least one id");
    const none = identifySection.safeParse({ overrides: [{ to: { type: "movie", trakt: 1 } }] });
    expect(JSON.stringify(none.error?.issues)).toContain("needs `path` or `title`");
  });
});

describe("absolute numbering with an override", () => {
  it("an override with `season` places absolute numbers in that season", async () => {
    const a = api();
    const id = identifier(a, { overrides: [{ title: "Some Anime", to: { type: "show", trakt: 5555 }, season: 1 }] });
    const r = await id.identify({ mediaTitle: "[Group] Some Anime - 12 [1080p].mkv" });
    expect(r).toMatchObject({ ok: true, source: "override", items: [{ type: "episode", show: { ids: { trakt: 5555 } }, episode: { season: 1, number: 12 } }] });
    expect(a.calls).toEqual([]);
  });
  it("an override without `season` sends the absolute number with the show's ids", async () => {
    const a = api();
    const id = identifier(a, { overrides: [{ title: "Some Anime", to: { type: "show", trakt: 5555 } }] });
    const r = await id.identify({ mediaTitle: "[Group] Some Anime - 12 [1080p].mkv" });
    expect(r).toMatchObject({ ok: true, source: "override", items: [{ type: "episode", show: { ids: { trakt: 5555 } }, episode: { number_abs: 12 } }] });
    expect(a.calls).toEqual([]);
  });
});

describe("streams and concurrency", () => {
  it("a stream URL is not parsed as a name; mpv's media-title is used instead", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "https://www.example.com/watch?v=abc123", mediaTitle: "TRON: Legacy (2010)" });
    expect(a.calls).toEqual(["GET /search/movie?query=TRON: Legacy&years=2010"]);
    expect(r).toMatchObject({ ok: true, items: [{ movie: { ids: { trakt: 12601 } } }] });
    const b = api();
    expect(await identifier(b).identify({ path: "https://www.example.com/watch?v=abc123" })).toMatchObject({ ok: false, retryable: false });
    expect(b.calls).toEqual([]);
  });

  it("the same item asked twice at once costs one search", async () => {
    const a = api();
    const id = identifier(a);
    const hints = { path: "/films/TRON.Legacy.2010.1080p.BluRay.x264.mkv" };
    const [x, y] = await Promise.all([id.identify(hints), id.identify(hints)]);
    expect(x).toEqual(y);
    expect(a.calls).toHaveLength(1);
  });
});

describe("titles with a subtitle", () => {
  it("searches the whole name first, then the name before ' - '", async () => {
    const a = new FakeSearchApi([{ title: "Mission: Impossible - Dead Reckoning Part One", year: 2023, ids: { trakt: 31 } }], []);
    const r = await identifier(a).identify({ path: "/films/Mission Impossible - Dead Reckoning Part One (2023).mkv" });
    expect(a.calls).toEqual(["GET /search/movie?query=Mission Impossible - Dead Reckoning Part One&years=2023"]);
    expect(r).toMatchObject({ ok: true, items: [{ movie: { ids: { trakt: 31 } } }] });
    // two names of one film: the whole finds nothing, the first name does
    const b = new FakeSearchApi([{ title: "Der Untergang", year: 2004, ids: { trakt: 32 } }], []);
    const s = await identifier(b).identify({ path: "/films/Der Untergang - La Chute (2004).mkv" });
    expect(b.calls).toEqual([
      "GET /search/movie?query=Der Untergang - La Chute&years=2004",
      "GET /search/movie?query=Der Untergang&years=2004",
    ]);
    expect(s).toMatchObject({ ok: true, items: [{ movie: { ids: { trakt: 32 } } }] });
  });
});
