import { describe, expect, it } from "vitest";
import { compileExclusions, hintsFromItem, idsFromUniqueId, isIgnoredType, isLiveTv } from "../../../src/players/kodi/hints.js";
import { playerItem, timeToMs, tvShowDetails } from "../../../src/players/kodi/protocol.js";
import { Scenario, tvShowDetailsResult } from "./fake-kodi.js";

const itemOf = (scenario: ConstructorParameters<typeof Scenario>[0]) => playerItem.parse(new Scenario(scenario).result("Player.GetItem")).item;

describe("hintsFromItem", () => {
  it("library movie (real Kodi 20 answer): ids from uniqueid, imdbnumber as a guid, runtime", () => {
    expect(hintsFromItem(itemOf("library-movie-by-id"))).toEqual({
      kind: "movie",
      title: "Blade Runner 2049",
      year: 2017,
      ids: { imdb: "tt1856101", tmdb: "335984" },
      guids: ["kodi-imdbnumber://tt1856101"],
      path: "/srv/kodi-test/media/movies/Blade Runner 2049 (2017)/Blade Runner 2049 (2017).mkv",
      runtimeSeconds: 60,
    });
  });

  it("library episode: the episode's own ids, and the show's ids from GetTVShowDetails", () => {
    const show = tvShowDetails.parse(tvShowDetailsResult).tvshowdetails;
    const hints = hintsFromItem(itemOf("library-episode-by-path"), show);
    expect(hints.ids).toEqual({ imdb: "tt1355876", tmdb: "62799", tvdb: "447981" });
    expect(hints.showIds).toEqual({ imdb: "tt0386676", tmdb: "2316", tvdb: "73244" });
    expect(hints).toMatchObject({ kind: "episode", showTitle: "The Office (US)", season: 5, episode: 14 });
    // imdbnumber is Kodi's default id, the tvdb id for episodes: passed on as a guid, not as an IMDb id.
    expect(hints.guids).toEqual(["kodi-imdbnumber://447981"]);
  });

  it("plain file (real answer: type unknown, empty title, -1 and 0 sentinels): path and file name only", () => {
    expect(hintsFromItem(itemOf("file-episode"))).toEqual({
      kind: "unknown",
      mediaTitle: "The Office (US) - S05E14.mkv",
      path: "/srv/kodi-test/media/loose/The Office (US) - S05E14.mkv",
    });
  });

  it("add-on episode of type unknown keeps its season, episode and title; empty showtitle and -1 tvshowid are missing", () => {
    const item = playerItem.parse({
      item: { episode: 2, file: "plugin://plugin.video.example/?id=42", label: "Kiss Tomorrow Goodbye", season: 3, showtitle: "", title: "Kiss Tomorrow Goodbye", tvshowid: -1, type: "unknown" },
    }).item;
    expect(hintsFromItem(item)).toEqual({ kind: "unknown", title: "Kiss Tomorrow Goodbye", season: 3, episode: 2, path: "plugin://plugin.video.example/?id=42" });
  });

  it("year 1601 and 0 are missing; a runtime from the stream is kept", () => {
    const item = playerItem.parse({ item: { file: "http://upnp/x/movie.mkv", imdbnumber: "", label: "movie.mkv", runtime: 8037, title: "", type: "unknown", year: 1601 } }).item;
    expect(hintsFromItem(item)).toEqual({ kind: "unknown", mediaTitle: "movie.mkv", path: "http://upnp/x/movie.mkv", runtimeSeconds: 8037 });
  });
});

describe("idsFromUniqueId", () => {
  it("keeps well-formed imdb/tmdb/tvdb/trakt ids as strings and drops the rest", () => {
    expect(idsFromUniqueId({ unknown: "" })).toBeUndefined();
    expect(idsFromUniqueId({ imdb: "1856101", tmdb: 335984, tvdb: "", anidb: "12" })).toEqual({ tmdb: "335984" });
    expect(idsFromUniqueId({ imdb: " tt0386676 ", trakt: "1390" })).toEqual({ imdb: "tt0386676", trakt: "1390" });
    expect(idsFromUniqueId(undefined)).toBeUndefined();
  });
});

describe("filters", () => {
  it("live TV: channel items and pvr:// paths", () => {
    expect(isLiveTv({ type: "channel" })).toBe(true);
    expect(isLiveTv({ type: "unknown", file: "PVR://recordings/x.pvr" })).toBe(true);
    expect(isLiveTv({ type: "movie", file: "/media/movies/x.mkv" })).toBe(false);
    expect(isIgnoredType("song")).toBe(true);
    expect(isIgnoredType("episode")).toBe(false);
  });

  it("path exclusions: substrings, globs with * and **, case-insensitive", () => {
    const excluded = compileExclusions(["/Home Videos/", "*.iso", "/srv/**/trailers/*", " "]);
    expect(excluded("/media/home videos/2019/beach.mp4")).toBe(true);
    expect(excluded("disc.ISO")).toBe(true);
    expect(excluded("/media/disc.iso")).toBe(false); // * stops at a folder
    expect(excluded("/srv/media/movies/trailers/x.mkv")).toBe(true);
    expect(excluded("/srv/media/movies/x.mkv")).toBe(false);
    expect(excluded(undefined)).toBe(false);
    expect(compileExclusions([])("/anything")).toBe(false);
  });
});

describe("timeToMs", () => {
  it("reads Kodi's time objects, negative components included", () => {
    expect(timeToMs({ hours: 0, minutes: 1, seconds: 0, milliseconds: 21 })).toBe(60_021);
    expect(timeToMs({ hours: 0, minutes: 0, seconds: 0, milliseconds: -112 })).toBe(-112);
    expect(timeToMs({ hours: 0, minutes: 0, seconds: -7, milliseconds: -640 })).toBe(-7_640);
    expect(timeToMs({ hours: 1, minutes: 2, seconds: 3, milliseconds: 4 })).toBe(3_723_004);
    expect(timeToMs(undefined)).toBeUndefined();
  });
});
