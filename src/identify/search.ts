// Chooses a Trakt text-search result, or refuses to. Pure: no I/O. A result is accepted only when its title is
// nearly the same as ours (after normalisation), its year agrees (±1: release years differ between countries) and
// its score is not below the configured floor; two equally good candidates without a year to tell them apart
// are refused as ambiguous. Refusing costs one unscrobbled item the user can fix with an override; a wrong guess
// silently pollutes their history ("X-Men '97" recorded as "Mad Men").
import type { SearchResult } from "../trakt/types.js";
import type { TraktMovie, TraktShow } from "../core/media.js";
import { titleSimilarity } from "./similarity.js";

export interface SearchQuery {
  type: "movie" | "show";
  title: string;
  year?: number;
}

export interface PickOptions {
  /** 0–1; below this normalised-title similarity a result is refused. */
  minSimilarity: number;
  /** Trakt score floor for text search results (0 = no floor). */
  minScore: number;
}

export type Pick =
  | { ok: true; media: TraktMovie | TraktShow; confidence: number; reason: string }
  | { ok: false; reason: string };

interface Candidate {
  media: TraktMovie | TraktShow;
  similarity: number;
  yearFactor: number;
  order: number;
  score: number | null;
}

function describe(media: TraktMovie | TraktShow): string {
  return `"${media.title ?? "?"}"${media.year ? ` (${media.year})` : ""}`;
}

function yearFactor(wanted: number | undefined, got: number | undefined): number {
  if (wanted === undefined) return 1;
  if (got === undefined) return 0.9;
  const diff = Math.abs(wanted - got);
  return diff === 0 ? 1 : diff === 1 ? 0.9 : 0;
}

export function pickSearchResult(query: SearchQuery, results: readonly SearchResult[], options: PickOptions): Pick {
  const asked = `${query.type} "${query.title}"${query.year ? ` (${query.year})` : ""}`;
  const candidates: Candidate[] = [];
  results.forEach((r, order) => {
    const media = query.type === "movie" ? r.movie : r.show;
    if (r.type !== query.type || !media?.title || media.ids.trakt === undefined) return;
    const plain = media.title.replace(/\s*\([^)]*\)\s*$/, "");
    const similarity = Math.max(titleSimilarity(query.title, media.title), titleSimilarity(query.title, plain));
    candidates.push({ media, similarity, yearFactor: yearFactor(query.year, media.year), order, score: r.score });
  });
  if (candidates.length === 0) return { ok: false, reason: `Trakt search for ${asked} returned no ${query.type}` };

  const accepted = candidates.filter(
    (c) => c.similarity >= options.minSimilarity && c.yearFactor > 0 && (c.score === null || c.score >= options.minScore),
  );
  if (accepted.length === 0) {
    const best = [...candidates].sort((a, b) => b.similarity - a.similarity || a.order - b.order)[0]!;
    const why: string[] = [];
    if (best.similarity < options.minSimilarity) why.push(`title similarity ${best.similarity.toFixed(2)} < ${options.minSimilarity}`);
    if (best.yearFactor === 0) why.push(`year ${best.media.year ?? "?"} ≠ ${query.year}`);
    if (best.score !== null && best.score < options.minScore) why.push(`score ${best.score.toFixed(1)} < ${options.minScore}`);
    return { ok: false, reason: `Trakt search for ${asked}: best result ${describe(best.media)} rejected (${why.join(", ")})` };
  }
  accepted.sort((a, b) => b.similarity - a.similarity || b.yearFactor - a.yearFactor || a.order - b.order);
  const [top, second] = accepted as [Candidate, ...Candidate[]];
  if (
    second &&
    query.year === undefined &&
    second.similarity === top.similarity &&
    second.media.ids.trakt !== top.media.ids.trakt
  ) {
    const names = accepted.filter((c) => c.similarity === top.similarity).map((c) => describe(c.media));
    return {
      ok: false,
      reason: `Trakt search for ${asked} is ambiguous: ${names.join(", ")} match equally; add the year to the file or folder name, or an override`,
    };
  }
  const confidence = Number((top.similarity * top.yearFactor).toFixed(2));
  return {
    ok: true,
    media: top.media,
    confidence,
    reason: `Trakt search for ${asked} → ${describe(top.media)} (title similarity ${top.similarity.toFixed(2)}${query.year ? `, year ${top.media.year === query.year ? "matches" : "±1"}` : ""}${top.score !== null ? `, score ${top.score.toFixed(1)}` : ""})`,
  };
}
