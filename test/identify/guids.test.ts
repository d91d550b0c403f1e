import { describe, expect, it } from "vitest";
import { parseGuid } from "../../src/identify/guids.js";

describe("parseGuid", () => {
  it.each([
    ["imdb://tt0090728", { kind: "item", ids: { imdb: "tt0090728" }, legacy: false }],
    ["tmdb://6978", { kind: "item", ids: { tmdb: 6978 }, legacy: false }],
    ["tvdb://445575", { kind: "item", ids: { tvdb: 445575 }, legacy: false }],
    ["com.plexapp.agents.imdb://tt0072684?lang=en", { kind: "item", ids: { imdb: "tt0072684" }, legacy: true }],
    ["com.plexapp.agents.themoviedb://6978?lang=de", { kind: "item", ids: { tmdb: 6978 }, legacy: true }],
    ["com.plexapp.agents.themoviedb://1399/2/3?lang=en", { kind: "show", ids: { tmdb: 1399 }, season: 2, episode: 3, legacy: true }],
    ["com.plexapp.agents.thetvdb://73871/2/15?lang=en", { kind: "show", ids: { tvdb: 73871 }, season: 2, episode: 15, legacy: true }],
    ["com.plexapp.agents.thetvdbdvd://73871/2/15?lang=en", { kind: "show", ids: { tvdb: 73871 }, season: 2, episode: 15, legacy: true }],
    ["com.plexapp.agents.hama://tvdb-81797/9/21?lang=en", { kind: "show", ids: { tvdb: 81797 }, season: 9, episode: 21, legacy: true }],
    ["com.plexapp.agents.xbmcnfo://tt1856101?lang=xn", { kind: "item", ids: { imdb: "tt1856101" }, legacy: true }],
    ["com.plexapp.agents.xbmcnfotv://73244/5/14?lang=xn", { kind: "show", ids: { tvdb: 73244 }, season: 5, episode: 14, legacy: true }],
    ["kodi-imdbnumber://tt1856101", { kind: "item", ids: { imdb: "tt1856101" }, legacy: false }],
    ["kodi-default://tt1856101", { kind: "item", ids: { imdb: "tt1856101" }, legacy: false }],
  ])("%s", (raw, expected) => {
    expect(parseGuid(raw)).toEqual({ ...expected, raw });
  });

  it.each([
    "plex://movie/5d7768313c3c2a001fbcd1f0",
    "plex://episode/60341406ae8595002c187924",
    "local://12345",
    "com.plexapp.agents.none://12345?lang=xn",
    "com.plexapp.agents.hama://anidb-1234/1/5?lang=en",
    "kodi-imdbnumber://447981",
  ])("%s carries no usable id", (raw) => {
    expect(parseGuid(raw)).toMatchObject({ kind: "none", raw });
  });

  it.each(["", "tt0090728", "imdb://0090728", "tmdb://abc", "com.plexapp.agents.youtube://xyz", "tvdb://0"])("%j is not understood", (raw) => {
    expect(parseGuid(raw)).toBeUndefined();
  });
});
