import { describe, expect, it } from "vitest";
import { compileOverrides, findOverride } from "../../src/identify/overrides.js";
import { compileExclusions } from "../../src/players/kodi/hints.js";
import { globToRegExp, pathMatcher } from "../../src/util/glob.js";

describe("globToRegExp", () => {
  it.each([
    // `**/`: zero or more whole folders
    ["**/Extras/*", "Extras/a.mkv", true],
    ["**/Extras/*", "/media/Extras/a.mkv", true],
    ["**/Extras/*", "/media/films/Alien/Extras/a.mkv", true],
    ["**/Extras/*", "/media/MyExtras/a.mkv", false],
    ["**/Extras/*", "/media/Extras/sub/a.mkv", false],
    ["/media/**/Extras/*", "/media/Extras/a.mkv", true],
    ["/media/**/Extras/*", "/media/a/b/c/Extras/a.mkv", true],
    ["/media/**/Extras/*", "/media/aExtras/a.mkv", false],
    // `**` elsewhere: anything, across folders
    ["/media/**", "/media/a/b/c.mkv", true],
    ["/media/**", "/other/media/a.mkv", false],
    ["**.iso", "/media/a/b.iso", true],
    ["/media/tv/**/X-Men*/**", "/media/tv/cartoons/X-Men '97/S01/e.mkv", true],
    // `*` and `?` stay within one folder name
    ["/media/*/file?.mkv", "/media/a/file1.mkv", true],
    ["/media/*/file?.mkv", "/media/a/b/file1.mkv", false],
    ["/media/*/file?.mkv", "/media/a/file12.mkv", false],
    ["*.iso", "/media/a.iso", false],
    ["*.iso", "a.iso", true],
    // literal characters media paths are full of
    ["/m/Alien (1979)/*", "/m/Alien (1979)/a.mkv", true],
    ["/m/Film [2019]/*", "/m/Film [2019]/a.mkv", true],
    ["/m/Film [2019]/*", "/m/Film 2/a.mkv", false],
    ["/m/Show {US}+!/*", "/m/Show {US}+!/a.mkv", true],
    ["/m/a.b/*", "/m/aXb/c", false],
    ["**/.hidden/*", "/m/.hidden/a.mkv", true],
    // either separator, ignoring case; anchored
    ["**/Extras/*", "D:\\Movies\\Extras\\a.mkv", true],
    ["D:\\Movies\\**", "D:/Movies/a.mkv", true],
    ["**/extras/*", "/media/EXTRAS/A.MKV", true],
    ["/media/*.mkv", "/media/a.mkv.part", false],
    ["smb://nas/**/trailers/*", "smb://nas/share/films/trailers/t.mkv", true],
  ])("%s on %s → %s", (glob, path, matches) => {
    expect(globToRegExp(glob).test(path)).toBe(matches);
  });
});

describe("pathMatcher", () => {
  it.each([
    ["Doctor Who (2005)", "/tv/doctor who (2005)/s01e01.mkv", true],
    ["/Home Videos/", "/srv/Home Videos/x.mp4", true],
    ["/Home Videos/", "C:\\srv\\Home Videos\\x.mp4", true],
    ["/Home Videos/", "/srv/Home Videos.mp4", false],
    ["*.iso", "disc.iso", true],
  ])("%s on %s → %s", (pattern, path, matches) => {
    expect(pathMatcher(pattern)(path)).toBe(matches);
  });
});

// The two users of the glob once disagreed: overrides matched `Extras/a.mkv` and also `/media/MyExtras/a.mkv`
// (their `**/` swallowed the slash), Kodi exclusions matched neither a relative `Extras/a.mkv`. Now both follow
// `**/` = zero or more folders.
describe("identify overrides and Kodi exclusions agree", () => {
  const pattern = "**/Extras/*";
  const overrides = compileOverrides([{ path: pattern, to: { type: "movie", trakt: 1 } }]);
  const excluded = compileExclusions([pattern]);
  it.each([
    ["Extras/a.mkv", true],
    ["/media/Extras/a.mkv", true],
    ["/media/MyExtras/a.mkv", false],
  ])("%s → %s", (path, matches) => {
    expect(findOverride(overrides, { paths: [path], titles: [] }) !== undefined).toBe(matches);
    expect(excluded(path)).toBe(matches);
  });
});
