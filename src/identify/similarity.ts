// Title comparison used both to score the parser and to accept or reject a Trakt search result.
import { levenshtein } from "../util/levenshtein.js";

/**
 * Lower case, no accents, no punctuation, "&" as "and", single spaces: "Marvel's Agents of S.H.I.E.L.D." → "marvels
 * agents of shield". An acronym is one word however it is written: "S.W.A.T.", "S W A T" and "SWAT" → "swat".
 */
export function normalizeTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/(?<=\p{L})['’`´](?=\p{L})/gu, "")
    .replace(/(?<![\p{L}\p{N}])((?:\p{L}\.){2,}\p{L}?)(?![\p{L}])/gu, (a: string) => `${a.replace(/\./g, "")} `)
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/(?<![\p{L}\p{N}])\p{L}(?: \p{L}(?![\p{L}\p{N}]))+/gu, (letters: string) => letters.replace(/ /g, ""));
}

function stripArticle(t: string): string {
  return t.replace(/^(?:the|a|an|le|la|les|el|der|die|das) /, "");
}

/**
 * 0–1 likeness of two titles after normalisation: 1 when equal (ignoring a leading article), otherwise the
 * edit-distance ratio. Deliberately strict: "x men 97" vs "mad men" scores about 0.5.
 */
export function titleSimilarity(a: string, b: string): number {
  const x = stripArticle(normalizeTitle(a));
  const y = stripArticle(normalizeTitle(b));
  if (x.length === 0 || y.length === 0) return 0;
  if (x === y) return 1;
  if (x.replace(/ /g, "") === y.replace(/ /g, "")) return 0.97;
  return 1 - levenshtein(x, y) / Math.max(x.length, y.length);
}

const DOTTED = /(?<![\p{L}\p{N}])(?:(?:\p{Lu}\.){2,}\p{Lu}?|\p{Lu}\.\p{Lu})(?![\p{L}])/gu;
const SPACED = /(?<![\p{L}\p{N}])\p{Lu}(?: \p{Lu}(?![\p{L}\p{N}]))+/gu;
const JOINED = /(?<![\p{L}\p{N}])\p{Lu}{2,5}(?![\p{L}\p{N}])/gu;

/**
 * Other spellings under which Trakt may know an acronym title, to search when the title as written finds nothing:
 * "S.W.A.T." → "SWAT"; "S W A T" → "S.W.A.T.", "SWAT"; "SWAT" → "S.W.A.T." (a short all-capitals word, when the
 * rest of the title is not in capitals too). The similarity check treats all of them as the same title.
 */
export function acronymSpellings(title: string): string[] {
  const has = (re: RegExp): boolean => new RegExp(re.source, "u").test(title);
  const out: string[] = [];
  const dotted = (letters: string): string => `${letters.split("").join(".")}.`;
  if (has(DOTTED)) out.push(title.replace(DOTTED, (a) => a.replace(/\./g, "")).trim());
  if (has(SPACED)) {
    out.push(title.replace(SPACED, (a) => dotted(a.replace(/ /g, ""))).trim());
    out.push(title.replace(SPACED, (a) => a.replace(/ /g, "")).trim());
  }
  const words = title.split(/\s+/);
  const shouting = words.length > 1 && words.every((w) => w === w.toUpperCase());
  if (!shouting && !has(DOTTED) && !has(SPACED) && has(JOINED)) out.push(title.replace(JOINED, (a) => dotted(a)));
  return [...new Set(out)].filter((t) => t !== title);
}
