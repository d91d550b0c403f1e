// Ids written into folder and file names, as media servers ask libraries to be named: Plex `{tmdb-603}`,
// `{imdb-tt0133093}`, `{tvdb-73244}`; Jellyfin `[tmdbid-603]`, `[imdbid-tt0133093]`, `[tvdbid-73244]`; Emby
// `[tmdbid=603]`. Such a tag names the movie (on its folder or file) or the show (on its folder), never an episode:
// Plex and Jellyfin read it only there. So an episode takes ids from its folders (the nearest that has any), and a
// movie from its file name or the folder it is in — not from folders further up, which may be a show's ("Show
// {tmdb-1}/Specials/Extra.mkv" is no movie of id 1).
import type { ExternalIds } from "./guids.js";

const ID_TAG = /[[{(]\s*(imdb|tmdb|tvdb)(?:id)?\s*[-=]\s*(tt\d{7,10}|\d{1,10})\s*[\]})]/gi;

/** The ids tagged in one folder or file name; empty when there is none or a kind is given two different values. */
export function idsInName(name: string): ExternalIds {
  const ids: ExternalIds = {};
  for (const m of name.matchAll(ID_TAG)) {
    const kind = m[1]!.toLowerCase() as "imdb" | "tmdb" | "tvdb";
    const value = m[2]!.toLowerCase();
    if (kind === "imdb" ? !value.startsWith("tt") : value.startsWith("tt")) continue;
    const id = kind === "imdb" ? value : Number(value);
    if (id === 0) continue;
    if (ids[kind] !== undefined && ids[kind] !== id) return {};
    (ids as Record<string, string | number>)[kind] = id;
  }
  return ids;
}

export interface PathIds {
  ids: ExternalIds;
  /** The folder or file name that carried them. */
  name: string;
  inFileName: boolean;
}

/**
 * The ids a path's names carry for what it plays: for a movie the file name's, else its folder's; for an episode
 * the nearest folder's (its show's). Undefined when none is tagged.
 */
export function idsInPath(path: string, kind: "movie" | "episode"): PathIds | undefined {
  const parts = path.split(/[\\/]+/).filter((p) => p.length > 0);
  const file = parts.pop() ?? "";
  const folders = parts.reverse();
  const names = kind === "movie" ? [file, folders[0] ?? ""] : folders;
  for (const name of names) {
    const ids = idsInName(name);
    if (Object.keys(ids).length > 0) return { ids, name, inFileName: name === file };
  }
  return undefined;
}
