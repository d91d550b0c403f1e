// Player hints → Trakt items. Sources are tried from the most to the least trusted; the first that gives an
// answer wins. Ids that Trakt accepts as they are cost no request; lookups and searches are cached. Anything
// doubtful is refused with a reason that lists what was tried (never a silent wrong guess).
import { createHash } from "node:crypto";
import { noActivity, type ActivitySink } from "../core/activity.js";
import type { MediaHints } from "../core/playback.js";
import type { IdType, SearchResult } from "../trakt/types.js";
import type { MediaItem, TraktShow } from "../core/media.js";
import type { TraktApi as Api } from "../trakt/api.js";
import { isTraktError } from "../trakt/errors.js";
import type { Logger } from "../util/log.js";
import type { IdentifySection } from "../config/sections/identify.js";
import type { Identification, IdentificationSource, Identifier } from "./types.js";
import type { IdentificationCache } from "./cache.js";
import { parseGuid, type ExternalIds, type GuidInfo } from "./guids.js";
import { cleanHints, hasIds, movieIds, type CleanHints } from "./hints.js";
import { compileOverrides, findOverride, type CompiledOverride } from "./overrides.js";
import { parseMediaName, type ParsedName } from "./parse/name.js";
import { idsInPath } from "./path-ids.js";
import { MEANINGLESS_TITLE } from "./parse/vocab.js";
import { pickSearchResult, type PickOptions } from "./search.js";
import { acronymSpellings, normalizeTitle, titleSimilarity } from "./similarity.js";
import { AbsoluteEpisodeResolver, needsSeasonLookup, withSeasonAndNumber } from "./absolute.js";

/** The Trakt calls identification needs; without `showSeasons`, absolute-numbered episodes cannot go to the history. */
export type SearchApi = Pick<Api, "searchById" | "searchText"> & Partial<Pick<Api, "showSeasons">>;

export interface TraktIdentifierOptions {
  /** Undefined when no Trakt client is configured: id-based identification still works, searches do not. */
  api: SearchApi | undefined;
  config: Pick<IdentifySection, "overrides" | "minSearchScore" | "minTitleSimilarity">;
  cache?: IdentificationCache;
  log?: Logger;
  /** Told (`not_identified`) of every miss, with a key stable per item; readers say it once per item. */
  activity?: ActivitySink;
}

/** An item that could not be identified, for status and the dashboard. */
export interface Miss {
  at: number;
  /** Stable per item (the same hints give the same key): a short hash of what identification depends on. */
  key: string;
  what: string;
  reason: string;
}

type Found = Extract<Identification, { ok: true }>;

/** A miss as kept: with what an override would be matched against, so a new rule can clear the miss it covers. */
type KeptMiss = Miss & { subject: { paths: string[]; titles: string[] } };

/** Thrown inside a step when Trakt cannot be asked right now; becomes `retryable: true`. */
class Unreachable extends Error {}

const MAX_MISSES = 20;
const LOOKUP_ORDER: readonly ("imdb" | "tmdb" | "tvdb")[] = ["imdb", "tmdb", "tvdb"];
const FILE_EXTENSION = /\.[a-z0-9]{2,4}$/i;
const MEDIA_FILE = /\.(?:mkv|avi|mp4|m4v|mov|wmv|ts|m2ts|mts|iso|mpg|mpeg|webm|flv|ogm|ogv|divx|vob|rmvb|3gp|strm)$/i;

function found(items: MediaItem[], source: IdentificationSource, confidence: number, reason: string): Found {
  return { ok: true, items, source, confidence, reason };
}

function episodeItems(show: TraktShow, season: number, episodes: number[]): MediaItem[] {
  return episodes.map((number) => ({ type: "episode", show, episode: { season, number } }));
}

/** Anime numbered from the show's start: Trakt's /scrobble and /checkin take `number_abs` with the show. */
function absoluteItems(show: TraktShow, numbers: number[]): MediaItem[] {
  return numbers.map((number_abs) => ({ type: "episode", show, episode: { number_abs } }));
}

function idsText(ids: ExternalIds): string {
  return Object.entries(ids)
    .map(([k, v]) => `${k}:${String(v)}`)
    .join(" ");
}

/** A stable cache key: only what identification depends on. */
export function cacheKey(h: CleanHints): string {
  return JSON.stringify([h.kind, h.ids, h.showIds, [...h.guids].sort(), h.title, h.showTitle, h.year, h.season, h.episode, h.path, h.mediaTitle]);
}

/** The item's key in misses and activity: short, and the same for the same hints. */
export function missKey(h: CleanHints): string {
  return createHash("sha256").update(cacheKey(h)).digest("base64url").slice(0, 16);
}

function missWhat(h: CleanHints): string {
  return h.path ?? h.mediaTitle ?? h.showTitle ?? h.title ?? "(no title, path or id)";
}

export class TraktIdentifier implements Identifier {
  readonly #api: SearchApi | undefined;
  #overrides: CompiledOverride[];
  readonly #pick: PickOptions;
  readonly #cache: IdentificationCache | undefined;
  readonly #log: Logger | undefined;
  readonly #absolute: AbsoluteEpisodeResolver | undefined;
  readonly #activity: ActivitySink;

  constructor(options: TraktIdentifierOptions) {
    this.#api = options.api;
    const seasons = options.api?.showSeasons?.bind(options.api);
    this.#absolute = seasons ? new AbsoluteEpisodeResolver({ api: { showSeasons: seasons } }) : undefined;
    this.#overrides = compileOverrides(options.config.overrides);
    this.#pick = { minSimilarity: options.config.minTitleSimilarity, minScore: options.config.minSearchScore };
    this.#cache = options.cache;
    this.#log = options.log;
    this.#activity = options.activity ?? noActivity;
  }

  /**
   * Id lookups that found nothing, by id kind. Each one should have found something (the player had that id), so
   * identification falls through to the next id kind, then to the title; a count that grows for one kind shows
   * Trakt's lookups by that id failing (as its IMDb episode lookups did for a while in 2026). /metrics shows it.
   */
  readonly #emptyIdLookups: Record<(typeof LOOKUP_ORDER)[number], number> = { imdb: 0, tmdb: 0, tvdb: 0 };

  emptyIdLookups(): Readonly<Record<(typeof LOOKUP_ORDER)[number], number>> {
    return { ...this.#emptyIdLookups };
  }

  /** Identifications under way, by cache key: the same item asked twice at once costs one set of requests. */
  readonly #inFlight = new Map<string, Promise<Identification>>();

  async identify(hints: MediaHints, signal?: AbortSignal): Promise<Identification> {
    const key = cacheKey(cleanHints(hints));
    const running = this.#inFlight.get(key);
    if (running) return running;
    const work = this.#identify(hints, signal).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, work);
    return work;
  }

  async forHistory(items: MediaItem[], signal?: AbortSignal): Promise<MediaItem[] | undefined> {
    const placed: MediaItem[] = [];
    for (const item of items) {
      const ready = this.#absolute ? await withSeasonAndNumber(item, this.#absolute, signal) : needsSeasonLookup(item) ? undefined : item;
      if (!ready) return undefined;
      placed.push(ready);
    }
    return placed;
  }

  async #identify(hints: MediaHints, signal?: AbortSignal): Promise<Identification> {
    const h = cleanHints(hints);
    const parsed = parseFromHints(h);
    const tried: string[] = [];

    const offline = this.#withoutRequests(h, parsed, tried);
    if (offline) {
      if (!offline.ok && !offline.retryable) this.#missed(h, offline.reason);
      return offline;
    }

    const key = cacheKey(h);
    const cached = await this.#cache?.get(key);
    if (cached) {
      if (cached.ok) return { ...cached, source: "cache", reason: `cached (${cached.source}): ${cached.reason}` };
      this.#missed(h, cached.reason);
      return { ok: false, retryable: false, reason: `cached miss: ${cached.reason}` };
    }

    let result: Identification;
    try {
      result = (await this.#withRequests(h, parsed, tried, signal)) ?? this.#notFound(h, tried);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      const reason = `Trakt could not be asked (${error.message}); will retry. Tried: ${tried.join("; ")}`;
      this.#log?.warn({ reason }, "identification postponed");
      return { ok: false, retryable: true, reason };
    }
    if (result.ok) await this.#cache?.set(key, { ok: true, items: result.items, source: result.source, confidence: result.confidence, reason: result.reason });
    // a miss without a Trakt client says nothing about Trakt: not remembered
    else if (!result.retryable && this.#api) await this.#cache?.set(key, { ok: false, reason: result.reason });
    return result;
  }

  /**
   * Applies changed `identify.overrides` (a config reload, a fix from the dashboard): identifications from now on
   * use them. The misses a new rule now covers leave the list of misses.
   */
  setOverrides(rules: IdentifySection["overrides"]): void {
    this.#overrides = compileOverrides(rules);
    const covered = (m: KeptMiss): boolean => findOverride(this.#overrides, m.subject) !== undefined;
    for (let i = this.#misses.length - 1; i >= 0; i--) if (covered(this.#misses[i]!)) this.#misses.splice(i, 1);
  }

  /** The last few items that could not be identified (each once, at its latest miss), newest last: for status. */
  recentMisses(): readonly Miss[] {
    return this.#misses.map(({ at, key, what, reason }) => ({ at, key, what, reason }));
  }

  readonly #misses: KeptMiss[] = [];

  #notFound(h: CleanHints, tried: string[]): Identification {
    const what = missWhat(h);
    const reason = `not scrobbled: could not identify ${JSON.stringify(what)} with confidence. Tried: ${tried.length > 0 ? tried.join("; ") : "nothing usable in the player's data"}. Add an override (see docs/identify.md) or check with \`trakt-scrobblerd match\`.`;
    this.#log?.info({ reason }, "media not identified");
    this.#missed(h, reason);
    return { ok: false, retryable: false, reason };
  }

  /** Remembers a miss (a cached one too: after a restart it is shown again when the item is played) and reports it. */
  #missed(h: CleanHints, reason: string): void {
    const miss: Miss = { at: Date.now(), key: missKey(h), what: missWhat(h), reason };
    const index = this.#misses.findIndex((m) => m.key === miss.key);
    if (index >= 0) this.#misses.splice(index, 1);
    this.#misses.push({ ...miss, subject: overrideSubject(h, parseFromHints(h)) });
    if (this.#misses.length > MAX_MISSES) this.#misses.shift();
    this.#activity.report({ type: "not_identified", ...miss });
  }

  /** Overrides and ids Trakt takes as they are. */
  #withoutRequests(h: CleanHints, parsed: ParsedName | undefined, tried: string[]): Identification | undefined {
    const override = findOverride(this.#overrides, overrideSubject(h, parsed));
    if (override) {
      const o = override.override;
      if (o.rule.to.type === "movie") {
        return found([{ type: "movie", movie: { ids: movieIds(o.ids) } }], "override", 1, override.why);
      }
      let se = seasonEpisodes(h, parsed);
      if (!se && parsed?.absolute && parsed.episodes && o.rule.season !== undefined) se = { season: o.rule.season, episodes: parsed.episodes };
      if (!se && parsed?.absolute && parsed.episodes) {
        return found(absoluteItems({ ids: o.ids }, parsed.episodes), "override", 1, `${override.why}, absolute episode ${parsed.episodes.join(",")}`);
      }
      if (!se) {
        return {
          ok: false,
          retryable: false,
          reason: `${override.why}, but no season and episode number are known for this file (${describeParsed(parsed)})`,
        };
      }
      return found(episodeItems({ ids: o.ids }, se.season, se.episodes), "override", 1, `${override.why}, S${se.season}E${se.episodes.join("E")}`);
    }

    const guids = h.guids.map((g) => ({ raw: g, info: parseGuid(g) }));
    for (const g of guids) if (g.info?.kind === "none") tried.push(`guid ${g.raw}: ${g.info.why}`);
    const kind = decideKind(h, parsed, guids.map((g) => g.info));

    // explicit Trakt ids
    if (h.ids.trakt !== undefined && kind !== "unknown") {
      const item: MediaItem = kind === "movie" ? { type: "movie", movie: { ids: movieIds(h.ids) } } : { type: "episode", episode: { ids: h.ids } };
      return found([item], "trakt-ids", 1, `Trakt id ${h.ids.trakt} given by the player`);
    }

    if (kind === "episode") {
      // the show's ids with season and number: Trakt accepts them as they are
      if (hasIds(h.showIds) && h.season !== undefined && h.episode !== undefined) {
        const source: IdentificationSource = h.showIds.trakt !== undefined ? "trakt-ids" : "kodi-uniqueid";
        return found(episodeItems({ ids: h.showIds }, h.season, [h.episode]), source, 1, `show ids ${idsText(h.showIds)} with S${h.season}E${h.episode}`);
      }
      for (const g of guids) {
        const info = g.info;
        if (info?.kind !== "show") continue;
        const season = info.season ?? h.season;
        const episode = info.episode ?? h.episode;
        if (season === undefined || episode === undefined) {
          tried.push(`guid ${g.raw}: show id without season/episode`);
          continue;
        }
        return found(episodeItems({ ids: info.ids }, season, [episode]), info.legacy ? "legacy-guid" : "plex-guid", 1, `guid ${g.raw}: show ${idsText(info.ids)} S${season}E${episode}`);
      }
    }
    if (kind === "movie") {
      const fromHints = movieIds(h.ids);
      if (hasIds(fromHints)) return found([{ type: "movie", movie: { ids: fromHints } }], "kodi-uniqueid", 1, `movie ids ${idsText(fromHints)} from the player`);
      // every item guid together (imdb://, tmdb://, …): Trakt matches on the first id it knows
      const items = guids.filter((g): g is { raw: string; info: Extract<GuidInfo, { kind: "item" }> } => g.info?.kind === "item");
      const ids = movieIds(Object.assign({}, ...items.map((g) => g.info.ids)) as ExternalIds);
      if (hasIds(ids)) {
        const legacy = items.every((g) => g.info.legacy);
        return found([{ type: "movie", movie: { ids } }], legacy ? "legacy-guid" : "plex-guid", 1, `guids ${items.map((g) => g.raw).join(", ")} → movie ${idsText(ids)}`);
      }
      if (items.length > 0) tried.push(`guids ${items.map((g) => g.raw).join(", ")}: no Trakt movie id`);
    }
    return this.#fromPathIds(h, parsed, kind, tried);
  }

  /** Ids the library's folder or file names carry (`{tmdb-603}`, `[imdbid-tt0133093]`): Trakt takes them as they are. */
  #fromPathIds(h: CleanHints, parsed: ParsedName | undefined, kind: "movie" | "episode" | "unknown", tried: string[]): Identification | undefined {
    if (h.path === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(h.path) || kind === "unknown") return undefined;
    const tagged = idsInPath(h.path, kind);
    if (!tagged) return undefined;
    const ids = tagged.ids;
    if (kind === "movie") {
      // a folder's ids name this file's film when the folder gave the title ("Film (1999) {tmdb-603}/movie.mkv")
      // or names the same film; not an episode without numbers in a show's folder ("Show {tmdb-1}/Pilot.mkv")
      if (!tagged.inFileName && parsed?.titleFrom !== "folder") {
        const folderTitle = parseMediaName(tagged.name).title;
        if (folderTitle === undefined || parsed?.title === undefined || titleSimilarity(folderTitle, parsed.title) < this.#pick.minSimilarity) {
          tried.push(`ids ${idsText(ids)} on the folder "${tagged.name}", which names another title than the file`);
          return undefined;
        }
      }
      const movie = movieIds(ids);
      if (hasIds(movie)) return found([{ type: "movie", movie: { ids: movie } }], "path-ids", 1, `movie ids ${idsText(movie)} in the path`);
      tried.push(`ids ${idsText(ids)} in the path: no Trakt movie id`);
      return undefined;
    }
    const se = seasonEpisodes(h, parsed);
    if (se) return found(episodeItems({ ids }, se.season, se.episodes), "path-ids", 1, `show ids ${idsText(ids)} in the path with S${se.season}E${se.episodes.join("E")}`);
    if (parsed?.absolute && parsed.episodes) return found(absoluteItems({ ids }, parsed.episodes), "path-ids", 1, `show ids ${idsText(ids)} in the path, absolute episode ${parsed.episodes.join(",")}`);
    tried.push(`show ids ${idsText(ids)} in the path, but no season and episode number`);
    return undefined;
  }

  /** Lookups and searches (cached by the caller). Returns undefined when nothing matched. */
  async #withRequests(h: CleanHints, parsed: ParsedName | undefined, tried: string[], signal?: AbortSignal): Promise<Identification | undefined> {
    const guids = h.guids.map(parseGuid);
    const kind = decideKind(h, parsed, guids);

    // the episode's own ids → /search/{id_type}/{id}?type=episode
    if (kind === "episode" || kind === "unknown") {
      const own: { ids: ExternalIds; source: IdentificationSource }[] = [];
      if (hasIds(h.ids)) own.push({ ids: h.ids, source: "kodi-uniqueid" });
      const items = guids.filter((g): g is Extract<GuidInfo, { kind: "item" }> => g?.kind === "item");
      if (items.length > 0) {
        own.push({ ids: Object.assign({}, ...items.map((g) => g.ids)) as ExternalIds, source: items.every((g) => g.legacy) ? "legacy-guid" : "plex-guid" });
      }
      for (const { ids, source } of own) {
        for (const idType of LOOKUP_ORDER) {
          const id = ids[idType];
          if (id === undefined) continue;
          const results = await this.#lookup(idType, String(id), kind === "episode" ? "episode" : undefined, signal);
          if (results.length === 0) {
            this.#emptyIdLookups[idType] += 1;
            this.#log?.debug({ idType, id }, "Trakt id lookup found nothing; trying the next id kind");
          }
          const hit = results.find((r) => r.type === "episode" && r.episode && r.show) ?? (kind === "unknown" ? results.find((r) => r.type === "movie" && r.movie) : undefined);
          if (hit?.type === "episode" && hit.episode && hit.show) {
            return found([{ type: "episode", episode: hit.episode, show: hit.show }], source, 1, `${idType} id ${id} → episode S${hit.episode.season ?? "?"}E${hit.episode.number ?? "?"} of "${hit.show.title ?? "?"}"`);
          }
          if (hit?.type === "movie" && hit.movie) return found([{ type: "movie", movie: hit.movie }], source, 1, `${idType} id ${id} → movie "${hit.movie.title ?? "?"}"`);
          tried.push(`Trakt id lookup ${idType}:${id}${kind === "episode" ? "?type=episode" : ""} found nothing`);
        }
      }
    }

    // show title + season + episode (the player's year is the episode's air year, not the show's: not used)
    if (kind === "episode" && h.showTitle !== undefined && h.season !== undefined && h.episode !== undefined) {
      const show = await this.#search({ type: "show", title: h.showTitle }, tried, signal);
      if (show) return found(episodeItems(show.media, h.season, [h.episode]), "title-season-episode", show.confidence, `${show.reason}, S${h.season}E${h.episode}`);
    }
    // movie title + year
    if (kind === "movie" && h.title !== undefined && !FILE_EXTENSION.test(h.title)) {
      const movie = await this.#search({ type: "movie", title: h.title, ...(h.year !== undefined ? { year: h.year } : {}) }, tried, signal);
      if (movie) return found([{ type: "movie", movie: movie.media }], "title-year", movie.confidence, movie.reason);
    }

    // the file name (and folders), or mpv's media-title
    if (parsed?.title !== undefined && searchTitles(parsed).length === 0) {
      tried.push(`file name gives only ${JSON.stringify(parsed.title)}, which names nothing`);
    } else if (parsed?.title !== undefined) {
      if (parsed.type === "movie" && kind !== "episode") {
        for (const title of searchTitles(parsed)) {
          const movie = await this.#search({ type: "movie", title, ...(parsed.year !== undefined ? { year: parsed.year } : {}) }, tried, signal);
          if (movie) return found([{ type: "movie", movie: movie.media }], "filename-search", movie.confidence, `file name: ${movie.reason}`);
        }
      } else if (parsed.type === "episode" || kind === "episode") {
        const se = seasonEpisodes(h, parsed);
        const absolute = !se && parsed.absolute === true && parsed.episodes !== undefined ? parsed.episodes : undefined;
        if (!se && !absolute) {
          tried.push(`file name gives ${describeParsed(parsed)}: no season and episode number (put the file in a "Season N" folder, name it SxxEyy, or add an override with season:)`);
          return undefined;
        }
        for (const title of searchTitles(parsed)) {
          // a year in an episode's name is usually the show's first year, sometimes the episode's air year: with
          // the year first, then (title still checked, ambiguity still refused) without it
          const years = parsed.year !== undefined ? [parsed.year, undefined] : [undefined];
          for (const year of years) {
            const show = await this.#search({ type: "show", title, ...(year !== undefined ? { year } : {}) }, tried, signal);
            // absolute numbers go to Trakt as they are (number_abs); Trakt places them in its seasons
            if (show && absolute) return found(absoluteItems(show.media, absolute), "filename-search", show.confidence, `file name: ${show.reason}, absolute episode ${absolute.join(",")}`);
            if (show && se) return found(episodeItems(show.media, se.season, se.episodes), "filename-search", show.confidence, `file name: ${show.reason}, S${se.season}E${se.episodes.join("E")}`);
          }
        }
      }
    } else if (h.path !== undefined || h.mediaTitle !== undefined) {
      tried.push(`no title found in ${JSON.stringify(h.path ?? h.mediaTitle)}`);
    }
    return undefined;
  }

  async #lookup(idType: IdType, id: string, type: "episode" | undefined, signal?: AbortSignal): Promise<SearchResult[]> {
    if (!this.#api) throw new Unreachable("no Trakt client configured");
    try {
      return await this.#api.searchById(idType, id, type, { signal });
    } catch (error) {
      if (isTraktError(error, "not_found")) return [];
      throw this.#unreachable(error);
    }
  }

  async #search(query: { type: "movie" | "show"; title: string; year?: number }, tried: string[], signal?: AbortSignal) {
    if (!this.#api) {
      tried.push(`Trakt search for ${query.type} "${query.title}" skipped (no Trakt client configured)`);
      return undefined;
    }
    let results: SearchResult[];
    try {
      results = await this.#api.searchText([query.type], query.title, { ...(query.year !== undefined ? { years: query.year } : {}), ...(signal ? { signal } : {}) });
    } catch (error) {
      if (isTraktError(error, "not_found")) results = [];
      else throw this.#unreachable(error);
    }
    const pick = pickSearchResult(query, results, this.#pick);
    if (pick.ok) return pick;
    tried.push(pick.reason);
    return undefined;
  }

  #unreachable(error: unknown): Unreachable {
    const message = error instanceof Error ? error.message : String(error);
    return new Unreachable(isTraktError(error) ? `${error.kind}: ${message}` : message, { cause: error });
  }
}

/** What an override rule is matched against: the path (or mpv's media-title) and the titles. */
function overrideSubject(h: CleanHints, parsed: ParsedName | undefined): { paths: string[]; titles: string[] } {
  return {
    paths: [h.path, h.mediaTitle].filter((p): p is string => p !== undefined),
    titles: [h.title, h.showTitle, parsed?.title].filter((t): t is string => t !== undefined),
  };
}

/** The thing to parse: the path, else mpv's media-title, else a title that is really a file name. */
function parseFromHints(h: CleanHints): ParsedName | undefined {
  let path = h.path;
  if (path !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    // a URL: its path names something only when it ends in a media file ("http://upnp/…/movie.mkv"); a stream
    // address ("https://…/watch?v=…") does not, and mpv's media-title is the better name then
    const urlPath = safeDecode(path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").replace(/[?#].*$/, ""));
    path = MEDIA_FILE.test(urlPath) ? urlPath : undefined;
  }
  const source = path ?? h.mediaTitle ?? (h.title !== undefined && FILE_EXTENSION.test(h.title) ? h.title : undefined);
  return source === undefined ? undefined : parseMediaName(source);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function decideKind(h: CleanHints, parsed: ParsedName | undefined, guids: (GuidInfo | undefined)[]): "movie" | "episode" | "unknown" {
  if (h.kind !== "unknown") return h.kind;
  if (guids.some((g) => g?.kind === "show")) return "episode";
  if (h.showTitle !== undefined || hasIds(h.showIds)) return "episode";
  if (h.season !== undefined && h.episode !== undefined) return "episode";
  return parsed?.title !== undefined ? parsed.type : "unknown";
}

function seasonEpisodes(h: CleanHints, parsed: ParsedName | undefined): { season: number; episodes: number[] } | undefined {
  if (h.season !== undefined && h.episode !== undefined) return { season: h.season, episodes: [h.episode] };
  const season = parsed?.seasons?.[0] ?? h.season;
  const episodes = parsed?.episodes;
  if (season === undefined || !episodes || episodes.length === 0 || parsed?.absolute) return undefined;
  return { season, episodes };
}


/**
 * The parsed title, its other acronym spelling ("S.W.A.T." / "SWAT": Trakt knows one of them), then alternatives
 * that look like titles; three at most. A number is a title only with a year ("300 (2006)", "1917 (2019)").
 */
export function searchTitles(parsed: ParsedName): string[] {
  // alternatives must look like titles: not "US", "VHS", "Mike Myers" is allowed (the search result still has to match)
  const alts = parsed.alternatives.filter((a) => /\p{L}{2}/u.test(a) && normalizeTitle(a).length >= 4 && a.length <= 80);
  const names = (title: string): boolean => {
    const n = normalizeTitle(title);
    return !MEANINGLESS_TITLE.test(n) || (/^\d+$/.test(n) && parsed.year !== undefined);
  };
  return [parsed.title!, ...acronymSpellings(parsed.title!), ...alts].filter((t, i, all) => all.indexOf(t) === i && names(t)).slice(0, 3);
}

export function describeParsed(parsed: ParsedName | undefined): string {
  if (!parsed) return "nothing to parse";
  const bits = [`${parsed.type} "${parsed.title ?? "?"}"`];
  if (parsed.year !== undefined) bits.push(`year ${parsed.year}`);
  if (parsed.seasons) bits.push(`season ${parsed.seasons.join(",")}`);
  if (parsed.episodes) bits.push(`${parsed.absolute ? "absolute episode" : "episode"} ${parsed.episodes.join(",")}`);
  return bits.join(", ");
}
