// User rules that force a path or a title to a Trakt movie or show. Checked before anything else.
import type { OverrideRule } from "../config/sections/identify.js";
import type { ExternalIds } from "./guids.js";
import { pathMatcher } from "../util/glob.js";
import { normalizeTitle } from "./similarity.js";

export interface CompiledOverride {
  index: number;
  rule: OverrideRule;
  path?: (path: string) => boolean;
  title?: string;
  ids: ExternalIds;
}

export interface OverrideMatch {
  override: CompiledOverride;
  /** Human-readable: which rule and what it matched. */
  why: string;
}

export function compileOverrides(rules: readonly OverrideRule[]): CompiledOverride[] {
  return rules.map((rule, index) => {
    const ids: ExternalIds = {};
    const to = rule.to;
    if (to.trakt !== undefined) ids.trakt = to.trakt;
    if (to.slug !== undefined) ids.slug = to.slug;
    if (to.imdb !== undefined) ids.imdb = to.imdb;
    if (to.tmdb !== undefined) ids.tmdb = to.tmdb;
    if (to.tvdb !== undefined) ids.tvdb = to.tvdb;
    const compiled: CompiledOverride = { index, rule, ids };
    if (rule.path !== undefined) compiled.path = pathMatcher(rule.path);
    if (rule.title !== undefined) compiled.title = normalizeTitle(rule.title);
    return compiled;
  });
}

/** The first rule whose every given condition matches (path and/or title). */
export function findOverride(
  overrides: readonly CompiledOverride[],
  subject: { paths: string[]; titles: string[] },
): OverrideMatch | undefined {
  const titles = subject.titles.map(normalizeTitle).filter((t) => t.length > 0);
  for (const o of overrides) {
    const pathHit = o.path ? subject.paths.find((p) => o.path!(p)) : undefined;
    if (o.path && pathHit === undefined) continue;
    const titleHit = o.title !== undefined ? titles.find((t) => t === o.title) : undefined;
    if (o.title !== undefined && titleHit === undefined) continue;
    const parts: string[] = [];
    if (o.rule.path !== undefined) parts.push(`path "${o.rule.path}"`);
    if (o.rule.title !== undefined) parts.push(`title "${o.rule.title}"`);
    return { override: o, why: `override #${o.index + 1} (${parts.join(" + ")}) → ${o.rule.to.type} ${JSON.stringify(o.ids)}` };
  }
  return undefined;
}
