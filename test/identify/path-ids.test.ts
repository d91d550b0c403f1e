// Ids in folder and file names, as Plex ({tmdb-…}), Jellyfin ([tmdbid-…]) and Emby ([tmdbid=…]) ask libraries to be
// named: a movie or a show identified without a search.
import { describe, expect, it } from "vitest";
import { identifySection } from "../../src/config/sections/identify.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { idsInName, idsInPath } from "../../src/identify/path-ids.js";
import { FakeSearchApi } from "./fake-trakt.js";

describe("idsInName", () => {
  it("reads the Plex, Jellyfin and Emby forms", () => {
    expect(idsInName("Some Film (1999) {tmdb-603}")).toEqual({ tmdb: 603 });
    expect(idsInName("Some Film (1999) {imdb-tt0133093}")).toEqual({ imdb: "tt0133093" });
    expect(idsInName("Some Film (1999) [imdbid-tt0133093] [tmdbid-603]")).toEqual({ imdb: "tt0133093", tmdb: 603 });
    expect(idsInName("Some Show (2005) [tvdbid-73244]")).toEqual({ tvdb: 73244 });
    expect(idsInName("Some Film (1999) [tmdbid=603]")).toEqual({ tmdb: 603 });
    expect(idsInName("Some Film (1999) {TMDB-603}")).toEqual({ tmdb: 603 });
  });

  it("ignores what is not an id: a number without a kind, an IMDb id without tt, a tt id given as another kind, 0", () => {
    for (const name of ["Some Film (1999) {603}", "Some Film {imdb-0133093}", "Some Film {tmdb-tt0133093}", "Some Film {tmdb-0}", "Some Film tmdb-603", "Some Film {edition-Long Cut}"]) {
      expect(idsInName(name), name).toEqual({});
    }
  });

  it("a kind given two different values says nothing", () => {
    expect(idsInName("Some Film {tmdb-603} {tmdb-604}")).toEqual({});
  });
});

describe("idsInPath", () => {
  it("a movie: its file name, else its own folder, never a folder further up", () => {
    expect(idsInPath("/movies/Some Film (1999) {tmdb-603}/Some Film (1999).mkv", "movie")).toEqual({ ids: { tmdb: 603 }, name: "Some Film (1999) {tmdb-603}", inFileName: false });
    expect(idsInPath("/movies/Some Film (1999)/Some Film (1999) {imdb-tt0133093}.mkv", "movie")?.ids).toEqual({ imdb: "tt0133093" });
    expect(idsInPath("/tv/Some Show {tmdb-1399}/Specials/Behind the Scenes.mkv", "movie")).toBeUndefined();
  });

  it("an episode: the nearest folder with ids (its show), never the file name", () => {
    expect(idsInPath("/tv/Some Show (2005) [tvdbid-73244]/Season 02/Some Show - S02E03.mkv", "episode")?.ids).toEqual({ tvdb: 73244 });
    expect(idsInPath("/tv/Some Show/Some Show - S02E03 {tvdb-12345}.mkv", "episode")).toBeUndefined();
    expect(idsInPath("C:\\TV\\Some Show {tmdb-1399}\\Season 1\\S01E01.mkv", "episode")?.ids).toEqual({ tmdb: 1399 });
  });
});

describe("identification by ids in the path", () => {
  const identifier = (api: FakeSearchApi) => new TraktIdentifier({ api, config: identifySection.parse({}) });
  const api = () => new FakeSearchApi([{ title: "Some Film", year: 1999, ids: { trakt: 481, imdb: "tt0133093", tmdb: 603 } }], []);

  it("a movie's ids go to Trakt as they are: no search", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/movies/Some Film (1999) {tmdb-603}/Some Film (1999).mkv" });
    expect(r).toMatchObject({ ok: true, source: "path-ids", items: [{ type: "movie", movie: { ids: { tmdb: 603 } } }] });
    expect(a.calls).toEqual([]);
  });

  it("an episode: the show's ids with the season and episode read from the name", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/tv/Some Show (2005) [tvdbid-73244]/Season 05/Some.Show.S05E14-E15.mkv" });
    expect(r).toMatchObject({ ok: true, source: "path-ids" });
    expect(r.ok && r.items.map((i) => i.type === "episode" && [i.show?.ids, i.episode.season, i.episode.number])).toEqual([
      [{ tvdb: 73244 }, 5, 14],
      [{ tvdb: 73244 }, 5, 15],
    ]);
    expect(a.calls).toEqual([]);
  });

  it("the player's own ids still come first", async () => {
    const r = await identifier(api()).identify({ kind: "movie", ids: { imdb: "tt0000001" }, path: "/movies/Some Film (1999) {tmdb-603}/Some Film.mkv" });
    expect(r).toMatchObject({ ok: true, source: "kodi-uniqueid", items: [{ movie: { ids: { imdb: "tt0000001" } } }] });
  });

  it("a folder's ids serve a file that names the same film, or none (movie.mkv)", async () => {
    for (const path of ["/movies/Some Film (1999) [tmdbid-603]/Some.Film.1999.1080p.BluRay.mkv", "/movies/Some Film (1999) [tmdbid-603]/movie.mkv"]) {
      const a = api();
      const r = await identifier(a).identify({ path });
      expect(r, path).toMatchObject({ ok: true, source: "path-ids", items: [{ movie: { ids: { tmdb: 603 } } }] });
      expect(a.calls, path).toEqual([]);
    }
  });

  it("a show's folder ids are never a film's: a file without episode numbers in it goes to the search", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/tv/Some Show {tmdb-1399}/Some Film (1999).mkv" });
    expect(r).toMatchObject({ ok: true, source: "filename-search", items: [{ type: "movie", movie: { ids: { trakt: 481 } } }] });
    expect(a.calls).toEqual(["GET /search/movie?query=Some Film&years=1999"]);
  });

  it("a show's folder ids without an episode number are not a guess: the search decides", async () => {
    const a = api();
    const r = await identifier(a).identify({ path: "/tv/Some Show {tvdb-73244}/Some Film (1999).mkv" });
    expect(r).toMatchObject({ ok: true, source: "filename-search", items: [{ type: "movie", movie: { ids: { trakt: 481 } } }] });
  });
});
