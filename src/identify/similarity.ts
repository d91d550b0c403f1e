// Title comparison used both to score the parser and to accept or reject a Trakt search result.

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

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
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
