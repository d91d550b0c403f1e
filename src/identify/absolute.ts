// Anime numbered from the start of the show ("[Group] Show - 123") is identified as the show plus the absolute
// number: /scrobble and /checkin accept `{show, episode: {number_abs}}` as they are. /sync/history does not: a
// replay needs the season and number. This resolver looks them up once per show (GET /shows/{id}/seasons, every
// episode with its `number_abs`) and keeps the answer for a while, bounded in the number of shows.
import type { MediaItem, TraktShow } from "../core/media.js";
import type { TraktApi } from "../trakt/api.js";
import { isTraktError } from "../trakt/errors.js";

export type SeasonsApi = Pick<TraktApi, "showSeasons">;

export interface SeasonNumber {
  season: number;
  number: number;
}

export interface AbsoluteResolverOptions {
  api: SeasonsApi;
  /** How long a show's numbering is reused (new episodes air). Default 12 hours. */
  ttlMs?: number;
  /** Shows kept; the least recently used go first. Default 50. */
  maxShows?: number;
  now?: () => number;
}

interface Numbering {
  /** number_abs → season and number, for the episodes Trakt numbers absolutely (specials excluded). */
  byAbsolute: Map<number, SeasonNumber>;
  expiresAt: number;
}

/** The id Trakt's /shows/{id} routes take, most stable first; undefined when the show has none of them. */
function showKey(show: TraktShow): string | undefined {
  const { trakt, slug, imdb } = show.ids;
  return trakt !== undefined ? String(trakt) : (slug ?? imdb);
}

export class AbsoluteEpisodeResolver {
  readonly #api: SeasonsApi;
  readonly #ttlMs: number;
  readonly #maxShows: number;
  readonly #now: () => number;
  /** Map order = recency. */
  readonly #shows = new Map<string, Numbering>();
  readonly #inFlight = new Map<string, Promise<Numbering>>();

  constructor(options: AbsoluteResolverOptions) {
    this.#api = options.api;
    this.#ttlMs = options.ttlMs ?? 12 * 3_600_000;
    this.#maxShows = options.maxShows ?? 50;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The season and number of the show's episode with this absolute number; undefined when Trakt does not know the
   * show or numbers none of its episodes that way. Throws when Trakt cannot be asked (a `TraktError` other than
   * not found): the caller keeps the item and retries later.
   */
  async resolve(show: TraktShow, numberAbs: number, signal?: AbortSignal): Promise<SeasonNumber | undefined> {
    const key = showKey(show);
    if (key === undefined) return undefined;
    const numbering = await this.#numbering(key, signal);
    return numbering.byAbsolute.get(numberAbs);
  }

  async #numbering(key: string, signal?: AbortSignal): Promise<Numbering> {
    const known = this.#shows.get(key);
    if (known && known.expiresAt > this.#now()) {
      this.#shows.delete(key);
      this.#shows.set(key, known);
      return known;
    }
    const running = this.#inFlight.get(key);
    if (running) return running;
    const work = this.#fetch(key, signal).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, work);
    return work;
  }

  async #fetch(key: string, signal?: AbortSignal): Promise<Numbering> {
    const byAbsolute = new Map<number, SeasonNumber>();
    try {
      for (const season of await this.#api.showSeasons(key, signal)) {
        if (season.number === 0) continue;
        for (const e of season.episodes) {
          if (e.number_abs !== undefined && e.number !== undefined) byAbsolute.set(e.number_abs, { season: e.season ?? season.number, number: e.number });
        }
      }
    } catch (error) {
      if (!isTraktError(error, "not_found")) throw error;
    }
    const numbering = { byAbsolute, expiresAt: this.#now() + this.#ttlMs };
    this.#shows.delete(key);
    this.#shows.set(key, numbering);
    while (this.#shows.size > this.#maxShows) this.#shows.delete(this.#shows.keys().next().value!);
    return numbering;
  }
}

/** An episode known only by its show and absolute number: /sync/history cannot take it as it is. */
export function needsSeasonLookup(item: MediaItem): boolean {
  if (item.type !== "episode") return false;
  const e = item.episode;
  return e.number_abs !== undefined && (e.season === undefined || e.number === undefined) && Object.keys(e.ids ?? {}).length === 0;
}

/**
 * For a /sync/history body: an episode known only by its show and absolute number gets its season and number
 * (the absolute number is kept). Any other item is returned as it is. Undefined when the episode cannot be placed:
 * Trakt does not number that show absolutely, or has no such episode; the watch cannot be replayed and the caller
 * reports it as not found. Throws like `resolve` when Trakt cannot be asked.
 */
export async function withSeasonAndNumber(item: MediaItem, resolver: AbsoluteEpisodeResolver, signal?: AbortSignal): Promise<MediaItem | undefined> {
  if (item.type !== "episode" || !needsSeasonLookup(item)) return item;
  const { episode, show } = item;
  if (!show || episode.number_abs === undefined) return undefined;
  const found = await resolver.resolve(show, episode.number_abs, signal);
  return found ? { type: "episode", show, episode: { ...episode, season: found.season, number: found.number } } : undefined;
}
