// "Same item": whether two sets of media hints from one player session denote the same media. Used to notice
// playlist-next (a new item in the same session) without splitting one playback when a player enriches its
// hints mid-way (a title appearing once metadata loads, ids filled in later).
import type { MediaHints } from "../core/playback.js";

type IdMap = MediaHints["ids"];

function norm(text: string): string {
  return text.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
}

/** undefined = no id type present on both sides; otherwise whether every shared id type agrees. */
function compareIds(a: IdMap, b: IdMap): boolean | undefined {
  if (!a || !b) return undefined;
  let compared = false;
  for (const key of ["trakt", "imdb", "tmdb", "tvdb", "slug"] as const) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined || x === "" || y === "") continue;
    if (norm(x) !== norm(y)) return false;
    compared = true;
  }
  return compared ? true : undefined;
}

/**
 * Two hint sets denote the same item unless they disagree on something both carry, checked strongest first:
 * 1. `path` (file or URL) on both: equal paths = same, different = different; nothing else is consulted.
 * 2. item `ids`: any id type on both decides (all shared types must agree).
 * 3. `guids` on both: same when they share at least one guid.
 * 4. descriptive fields present on both — kind (unless "unknown"), showTitle, season, episode, title, year:
 *    any disagreement = different; at least one agreement = same.
 * 5. `mediaTitle` on both.
 * Nothing comparable: same (missing information never splits a playback).
 */
export function sameItem(a: MediaHints, b: MediaHints): boolean {
  if (a.path && b.path) return a.path === b.path;
  const ids = compareIds(a.ids, b.ids);
  if (ids !== undefined) return ids;
  if (a.guids && b.guids && a.guids.length > 0 && b.guids.length > 0) {
    const set = new Set(a.guids.map(norm));
    return b.guids.some((g) => set.has(norm(g)));
  }
  let compared = false;
  const check = (x: string | number | undefined, y: string | number | undefined): boolean => {
    if (x === undefined || y === undefined) return true;
    compared = true;
    return typeof x === "string" && typeof y === "string" ? norm(x) === norm(y) : x === y;
  };
  const kindA = a.kind === "unknown" ? undefined : a.kind;
  const kindB = b.kind === "unknown" ? undefined : b.kind;
  const agree =
    check(kindA, kindB) &&
    check(a.showTitle, b.showTitle) &&
    check(a.season, b.season) &&
    check(a.episode, b.episode) &&
    check(a.title, b.title) &&
    check(a.year, b.year);
  if (!agree) return false;
  if (compared) return true;
  if (a.mediaTitle && b.mediaTitle) return norm(a.mediaTitle) === norm(b.mediaTitle);
  return true;
}

function definedEntries<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Hints of one item as the player learns more: later values win, id maps and guids are merged. */
export function mergeHints(old: MediaHints, next: MediaHints): MediaHints {
  const merged: MediaHints = { ...definedEntries(old), ...definedEntries(next) };
  if (old.ids || next.ids) merged.ids = { ...definedEntries(old.ids ?? {}), ...definedEntries(next.ids ?? {}) };
  if (old.showIds || next.showIds) merged.showIds = { ...definedEntries(old.showIds ?? {}), ...definedEntries(next.showIds ?? {}) };
  if (old.guids || next.guids) merged.guids = [...new Set([...(old.guids ?? []), ...(next.guids ?? [])])];
  return merged;
}

export { describeItem } from "../core/playback.js";
