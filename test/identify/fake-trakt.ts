// An in-memory stand-in for the two Trakt search endpoints, used where the emulator cannot produce a case
// (transport failures, a fuzzy full-text match). It records every request it is asked.
import type { SearchApi } from "../../src/identify/identifier.js";
import type { IdType, SearchResult, SearchType } from "../../src/trakt/types.js";
import type { TraktEpisode, TraktMovie, TraktShow } from "../../src/core/media.js";
import { normalizeTitle } from "../../src/identify/similarity.js";

export interface FakeShow extends TraktShow {
  episodes: (TraktEpisode & { season: number; number: number })[];
}

export class FakeSearchApi implements SearchApi {
  readonly calls: string[] = [];
  failWith: Error | undefined;

  constructor(
    readonly movies: TraktMovie[],
    readonly shows: FakeShow[],
  ) {}

  searchById(idType: IdType, id: string, type?: SearchType): Promise<SearchResult[]> {
    this.calls.push(`GET /search/${idType}/${id}${type ? `?type=${type}` : ""}`);
    if (this.failWith) return Promise.reject(this.failWith);
    const same = (v: string | number | undefined): boolean => v !== undefined && String(v) === id;
    const out: SearchResult[] = [];
    if (!type || type === "movie") for (const m of this.movies) if (same(m.ids[idType])) out.push({ type: "movie", score: null, movie: m });
    for (const s of this.shows) {
      const { episodes, ...show } = s;
      if ((!type || type === "show") && same(s.ids[idType])) out.push({ type: "show", score: null, show });
      if (!type || type === "episode") for (const e of episodes) if (same(e.ids?.[idType])) out.push({ type: "episode", score: null, show, episode: e });
    }
    return Promise.resolve(out);
  }

  /** Like Trakt's full-text search: anything sharing a word with the query, best overlap first. */
  searchText(types: SearchType[], query: string, options: { years?: number | string } = {}): Promise<SearchResult[]> {
    this.calls.push(`GET /search/${types.join(",")}?query=${query}${options.years !== undefined ? `&years=${options.years}` : ""}`);
    if (this.failWith) return Promise.reject(this.failWith);
    const words = new Set(normalizeTitle(query).split(" "));
    const scored: SearchResult[] = [];
    const consider = (type: "movie" | "show", item: TraktMovie | TraktShow): void => {
      if (options.years !== undefined && item.year !== Number(options.years)) return;
      const shared = normalizeTitle(item.title ?? "").split(" ").filter((w) => words.has(w)).length;
      if (shared === 0) return;
      scored.push(type === "movie" ? { type, score: shared * 10, movie: item } : { type, score: shared * 10, show: item });
    };
    if (types.includes("movie")) for (const m of this.movies) consider("movie", m);
    if (types.includes("show")) for (const { episodes: _e, ...s } of this.shows) consider("show", s);
    return Promise.resolve(scored.sort((a, b) => (b.score ?? 0) - (a.score ?? 0)));
  }
}
