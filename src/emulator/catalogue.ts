// The emulator's small catalogue of real titles. External ids (imdb/tmdb/tvdb) and the Trakt ids that appear in
// test/fixtures/trakt are real; titles that only appear in the player fixtures (Plex, Kodi) carry their real
// external ids and an emulator-assigned Trakt id ≥ 900000 (we cannot look the real one up from here). Where two
// Trakt fixtures reuse an id for different shows (Mad Men and Parks and Recreation are both "4"), the first keeps it.
import type { TraktEpisode, TraktIds, TraktMovie, TraktShow } from "../core/media.js";

export interface CatalogueMovie {
  title: string;
  year: number;
  ids: TraktIds & { trakt: number; slug: string };
  /** Minutes; used for checkin expiry. */
  runtime: number;
  released: string;
  overview?: string;
}

export interface CatalogueEpisode {
  season: number;
  number: number;
  /** Absolute number, where the show has one. */
  numberAbs?: number;
  title: string;
  ids: TraktIds & { trakt: number };
  firstAired?: string;
}

export interface CatalogueShow {
  title: string;
  year: number;
  ids: TraktIds & { trakt: number; slug: string };
  runtime: number;
  overview?: string;
  episodes: CatalogueEpisode[];
}

export const MOVIES: readonly CatalogueMovie[] = [
  { title: "Guardians of the Galaxy", year: 2014, ids: { trakt: 28, slug: "guardians-of-the-galaxy-2014", imdb: "tt2015381", tmdb: 118340 }, runtime: 121, released: "2014-08-01", overview: "Light years from Earth, a brash space adventurer becomes the target of a manhunt." },
  { title: "Batman Begins", year: 2005, ids: { trakt: 1, slug: "batman-begins-2005", imdb: "tt0372784", tmdb: 272 }, runtime: 140, released: "2005-06-15", overview: "Driven by tragedy, billionaire Bruce Wayne dedicates his life to fighting crime in Gotham." },
  { title: "TRON: Legacy", year: 2010, ids: { trakt: 12601, slug: "tron-legacy-2010", imdb: "tt1104001", tmdb: 20526 }, runtime: 125, released: "2010-12-17", overview: "Sam Flynn is pulled into the digital world his father created." },
  { title: "Blade Runner 2049", year: 2017, ids: { trakt: 900001, slug: "blade-runner-2049-2017", imdb: "tt1856101", tmdb: 335984 }, runtime: 164, released: "2017-10-06", overview: "A young blade runner discovers a long-buried secret." },
  { title: "Big Trouble in Little China", year: 1986, ids: { trakt: 900002, slug: "big-trouble-in-little-china-1986", imdb: "tt0090728", tmdb: 6978 }, runtime: 99, released: "1986-07-02" },
  { title: "Barry Lyndon", year: 1975, ids: { trakt: 900003, slug: "barry-lyndon-1975", imdb: "tt0072684", tmdb: 3175 }, runtime: 185, released: "1975-12-18" },
];

export const SHOWS: readonly CatalogueShow[] = [
  {
    title: "Breaking Bad", year: 2008, ids: { trakt: 1, slug: "breaking-bad", imdb: "tt0903747", tmdb: 1396, tvdb: 81189 }, runtime: 47,
    overview: "A high school chemistry teacher turns to making methamphetamine.",
    episodes: [
      { season: 0, number: 1, title: "Good Cop Bad Cop", ids: { trakt: 1, tmdb: 62131, tvdb: 3859781 } },
      { season: 1, number: 1, numberAbs: 1, title: "Pilot", ids: { trakt: 73482, imdb: "tt0959621", tmdb: 62085, tvdb: 349232 }, firstAired: "2008-01-21T02:00:00.000Z" },
    ],
  },
  {
    title: "The Walking Dead", year: 2010, ids: { trakt: 2, slug: "the-walking-dead", imdb: "tt1520211", tmdb: 1402, tvdb: 153021 }, runtime: 44,
    episodes: [
      { season: 3, number: 1, title: "Seed", ids: { trakt: 900101 } },
      { season: 3, number: 2, title: "Sick", ids: { trakt: 900102 } },
    ],
  },
  {
    title: "Mad Men", year: 2007, ids: { trakt: 4, slug: "mad-men", imdb: "tt0804503", tmdb: 1104, tvdb: 80337 }, runtime: 47,
    episodes: [
      { season: 1, number: 1, numberAbs: 1, title: "Smoke Gets in Your Eyes", ids: { trakt: 900111 } },
      { season: 1, number: 2, numberAbs: 2, title: "Ladies Room", ids: { trakt: 900112 } },
    ],
  },
  {
    title: "One Piece", year: 1999, ids: { trakt: 37696, slug: "one-piece", imdb: "tt0388629", tmdb: 37854, tvdb: 81797 }, runtime: 24,
    episodes: [{ season: 9, number: 21, title: "Light the Fire of Shandia! Wiper the Warrior", ids: { trakt: 856373, tvdb: 362082 } }],
  },
  {
    title: "Tron: Uprising", year: 2012, ids: { trakt: 34209, slug: "tron-uprising", imdb: "tt1812523", tmdb: 34356, tvdb: 258480 }, runtime: 22,
    episodes: [{ season: 1, number: 1, title: "The Renegade (1)", ids: { trakt: 793693, tmdb: 786460, tvdb: 4318713 } }],
  },
  {
    title: "Parks and Recreation", year: 2009, ids: { trakt: 900201, slug: "parks-and-recreation", imdb: "tt1266020", tmdb: 8592, tvdb: 84912 }, runtime: 22,
    episodes: [
      { season: 2, number: 1, title: "Pawnee Zoo", ids: { trakt: 251, tmdb: 397629, tvdb: 797571 } },
      { season: 2, number: 2, title: "The Stakeout", ids: { trakt: 252, tmdb: 397627, tvdb: 1088031 } },
      { season: 2, number: 3, title: "Beauty Pageant", ids: { trakt: 253, tmdb: 397642, tvdb: 1088041 } },
    ],
  },
  {
    title: "The Office", year: 2005, ids: { trakt: 900202, slug: "the-office-us", imdb: "tt0386676", tmdb: 2316, tvdb: 73244 }, runtime: 22,
    episodes: [{ season: 5, number: 14, title: "Lecture Circuit (1)", ids: { trakt: 900211, imdb: "tt1355876", tmdb: 62799, tvdb: 447981 } }],
  },
  {
    title: "Futurama", year: 1999, ids: { trakt: 900203, slug: "futurama", imdb: "tt0149460", tmdb: 615, tvdb: 73871 }, runtime: 22,
    episodes: [{ season: 2, number: 15, title: "A Clone of My Own", ids: { trakt: 900221 } }],
  },
  {
    title: "Cops", year: 1989, ids: { trakt: 900204, slug: "cops", imdb: "tt0096563" }, runtime: 22,
    episodes: [{ season: 14, number: 1, title: "Palm Beach County, FL 11", ids: { trakt: 900231, tvdb: 445575 } }],
  },
  {
    // real ids (an acronym title: searches for "SWAT" must find it); episode Trakt ids are the emulator's
    title: "S.W.A.T.", year: 2017, ids: { trakt: 119137, slug: "s-w-a-t-2017", imdb: "tt6111130", tmdb: 71790, tvdb: 328687 }, runtime: 43,
    overview: "A locally born and bred S.W.A.T. lieutenant is torn between loyalty to the streets and duty to his fellow officers.",
    episodes: [
      { season: 1, number: 1, numberAbs: 1, title: "Pilot", ids: { trakt: 900251 }, firstAired: "2017-11-03T02:00:00.000Z" },
      { season: 1, number: 2, numberAbs: 2, title: "Cry Wolf", ids: { trakt: 900252 }, firstAired: "2017-11-10T02:00:00.000Z" },
    ],
  },
  {
    // real ids (the Plex notification-socket fixtures' episode, test/fixtures/media-servers); Trakt ids are the emulator's
    title: "Bob's Burgers", year: 2011, ids: { trakt: 900206, slug: "bob-s-burgers", imdb: "tt1561755", tmdb: 32726, tvdb: 194031 }, runtime: 22,
    episodes: [{ season: 9, number: 15, title: "The Fresh Princ-ipal", ids: { trakt: 900261, imdb: "tt9413736", tmdb: 1707381, tvdb: 7047159 } }],
  },
  {
    title: "Baki Hanma", year: 2021, ids: { trakt: 900205, slug: "baki-hanma" }, runtime: 25,
    episodes: [{ season: 1, number: 1, numberAbs: 1, title: "The World's Strongest Senior", ids: { trakt: 900241, imdb: "tt14765720", tmdb: 3087250, tvdb: 8530933 } }],
  },
];

export type CatalogueItem =
  | { type: "movie"; movie: CatalogueMovie }
  | { type: "show"; show: CatalogueShow }
  | { type: "episode"; episode: CatalogueEpisode; show: CatalogueShow };

/** Trakt's sync matching order for ids. */
const ID_ORDER = ["trakt", "imdb", "tmdb", "tvdb", "slug"] as const;

/** Tries each given id in Trakt's order (trakt, imdb, tmdb, tvdb, slug); the first that matches wins. */
function matchByIds<T extends { ids: TraktIds }>(candidates: readonly T[], wanted: Record<string, unknown>): T | undefined {
  for (const key of ID_ORDER) {
    const w = wanted[key];
    if (typeof w !== "string" && typeof w !== "number") continue;
    if (w === "") continue;
    const found = candidates.find((c) => c.ids[key] !== undefined && String(c.ids[key]) === String(w));
    if (found) return found;
  }
  return undefined;
}

function hasIds(ids: unknown): ids is Record<string, unknown> {
  return ids !== null && typeof ids === "object" && Object.values(ids).some((v) => v !== null && v !== undefined && v !== "");
}

export function findMovie(movie: unknown): CatalogueMovie | undefined {
  if (movie === null || typeof movie !== "object") return undefined;
  const m = movie as { ids?: unknown; title?: unknown; year?: unknown };
  if (hasIds(m.ids)) {
    return matchByIds(MOVIES, m.ids);
  }
  if (typeof m.title === "string") {
    const title = m.title.toLowerCase();
    return MOVIES.find((c) => c.title.toLowerCase() === title && (m.year === undefined || c.year === m.year));
  }
  return undefined;
}

export function findShow(show: unknown): CatalogueShow | undefined {
  if (show === null || typeof show !== "object") return undefined;
  const s = show as { ids?: unknown; title?: unknown; year?: unknown };
  if (hasIds(s.ids)) {
    return matchByIds(SHOWS, s.ids);
  }
  if (typeof s.title === "string") {
    const title = s.title.toLowerCase();
    return SHOWS.find((c) => c.title.toLowerCase() === title && (s.year === undefined || c.year === s.year));
  }
  return undefined;
}

/**
 * An episode by its own ids, or by its show (ids or title) plus season and number, or plus `number_abs`
 * (Trakt's documented "no episode ids, but show info" variant of /scrobble and /checkin).
 */
export function findEpisode(episode: unknown, show?: unknown): { episode: CatalogueEpisode; show: CatalogueShow } | undefined {
  if (episode === null || typeof episode !== "object") return undefined;
  const e = episode as { ids?: unknown; season?: unknown; number?: unknown; number_abs?: unknown };
  if (hasIds(e.ids)) {
    const all = SHOWS.flatMap((s) => s.episodes.map((ep) => ({ ids: ep.ids, episode: ep, show: s })));
    const found = matchByIds(all, e.ids);
    return found ? { episode: found.episode, show: found.show } : undefined;
  }
  if (show !== undefined && typeof e.season === "number" && typeof e.number === "number") {
    const s = findShow(show);
    const found = s?.episodes.find((c) => c.season === e.season && c.number === e.number);
    if (s && found) return { episode: found, show: s };
  }
  if (show !== undefined && typeof e.number_abs === "number") {
    const s = findShow(show);
    const found = s?.episodes.find((c) => c.numberAbs === e.number_abs);
    if (s && found) return { episode: found, show: s };
  }
  return undefined;
}

export function findEpisodeByTraktId(id: number): { episode: CatalogueEpisode; show: CatalogueShow } | undefined {
  for (const s of SHOWS) {
    const found = s.episodes.find((e) => e.ids.trakt === id);
    if (found) return { episode: found, show: s };
  }
  return undefined;
}

/** The standard (non-extended) media objects Trakt sends back. */
export function movieObject(m: CatalogueMovie): TraktMovie {
  return { title: m.title, year: m.year, ids: { ...m.ids } };
}
export function showObject(s: CatalogueShow): TraktShow {
  return { title: s.title, year: s.year, ids: { ...s.ids } };
}
/** Like Trakt, missing external ids are sent as null. */
export function episodeObject(e: CatalogueEpisode): TraktEpisode & { ids: Record<string, number | string | null> } {
  return {
    season: e.season,
    number: e.number,
    ...(e.numberAbs === undefined ? {} : { number_abs: e.numberAbs }),
    title: e.title,
    ids: { trakt: e.ids.trakt, tvdb: e.ids.tvdb ?? null, imdb: e.ids.imdb ?? null, tmdb: e.ids.tmdb ?? null },
  } as TraktEpisode & { ids: Record<string, number | string | null> };
}

/** A show by its Trakt id, slug or IMDb id, as the /shows/{id} routes take it. */
export function findShowById(id: string): CatalogueShow | undefined {
  return SHOWS.find((s) => String(s.ids.trakt) === id || s.ids.slug === id || (s.ids.imdb !== undefined && s.ids.imdb === id));
}

/**
 * GET /shows/{id}/seasons: seasons in order with (when `episodes` is asked) their episodes, standard objects or, with
 * `full`, full ones (`number_abs` null where the show has none), in the shape of Trakt's documented example.
 */
export function seasonsObject(show: CatalogueShow, extended: readonly string[]): Record<string, unknown>[] {
  const numbers = [...new Set(show.episodes.map((e) => e.season))].sort((a, b) => a - b);
  return numbers.map((number) => {
    const season: Record<string, unknown> = { number, ids: { trakt: show.ids.trakt * 100 + number, tvdb: null, tmdb: null } };
    if (!extended.includes("episodes")) return season;
    season.episodes = show.episodes
      .filter((e) => e.season === number)
      .sort((a, b) => a.number - b.number)
      .map((e) => {
        const { number_abs: _abs, ...standard } = episodeObject(e);
        if (!extended.includes("full")) return standard;
        return { ...standard, number_abs: e.numberAbs ?? null, first_aired: e.firstAired ?? null, runtime: show.runtime, overview: null, rating: 0, votes: 0, comment_count: 0, available_translations: ["en"] };
      });
    return season;
  });
}
