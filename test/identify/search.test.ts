import { describe, expect, it } from "vitest";
import { pickSearchResult } from "../../src/identify/search.js";
import type { SearchResult } from "../../src/trakt/types.js";

const opts = { minSimilarity: 0.9, minScore: 0 };
const show = (title: string, year: number, trakt: number, score = 50): SearchResult => ({ type: "show", score, show: { title, year, ids: { trakt } } });
const movie = (title: string, year: number, trakt: number, score = 50): SearchResult => ({ type: "movie", score, movie: { title, year, ids: { trakt } } });

describe("pickSearchResult", () => {
  it("refuses a fuzzy hit whose title differs: X-Men '97 is not Mad Men", () => {
    const pick = pickSearchResult({ type: "show", title: "X-Men '97" }, [show("Mad Men", 2007, 4, 90)], opts);
    expect(pick.ok).toBe(false);
    expect(!pick.ok && pick.reason).toMatch(/"Mad Men" \(2007\) rejected \(title similarity 0\.\d+ < 0\.9\)/);
  });

  it("accepts the same title written differently", () => {
    const pick = pickSearchResult({ type: "show", title: "Marvels Agents of S.H.I.E.L.D." }, [show("Marvel's Agents of S.H.I.E.L.D.", 2013, 1)], opts);
    expect(pick).toMatchObject({ ok: true, media: { ids: { trakt: 1 } }, confidence: 1 });
  });

  it("refuses a year two or more apart, allows one apart with lower confidence", () => {
    expect(pickSearchResult({ type: "movie", title: "Dune", year: 1984 }, [movie("Dune", 2021, 2)], opts).ok).toBe(false);
    expect(pickSearchResult({ type: "movie", title: "Dune", year: 2020 }, [movie("Dune", 2021, 2)], opts)).toMatchObject({ ok: true, confidence: 0.9 });
  });

  it("uses the year to choose between equal titles", () => {
    const results = [movie("Dune", 1984, 1), movie("Dune", 2021, 2)];
    expect(pickSearchResult({ type: "movie", title: "Dune", year: 2021 }, results, opts)).toMatchObject({ ok: true, media: { ids: { trakt: 2 } } });
  });

  it("refuses equal titles without a year as ambiguous", () => {
    const pick = pickSearchResult({ type: "show", title: "The Office" }, [show("The Office", 2005, 1), show("The Office", 2001, 2)], opts);
    expect(pick.ok).toBe(false);
    expect(!pick.ok && pick.reason).toContain("ambiguous");
  });

  it("ignores results of the other type and applies the score floor", () => {
    expect(pickSearchResult({ type: "show", title: "Dune" }, [movie("Dune", 2021, 2)], opts).ok).toBe(false);
    expect(pickSearchResult({ type: "movie", title: "Dune" }, [movie("Dune", 2021, 2, 5)], { ...opts, minScore: 10 }).ok).toBe(false);
  });
});
