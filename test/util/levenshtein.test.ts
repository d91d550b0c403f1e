import { describe, expect, it } from "vitest";
import { levenshtein } from "../../src/util/levenshtein.js";

describe("levenshtein", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["flaw", "lawn", 2],
    ["replayAfterMinutes", "replayAfterMinute", 1],
    ["dedupeWindowMinutes", "dedupWindowMinutes", 1],
    ["ab", "ba", 2],
    ["x men 97", "mad men", 6],
    ["Amélie", "Amelie", 1],
    ["🎬 film", "🎥 film", 1],
    ["same", "same", 0],
  ])("%s → %s: %i", (a, b, distance) => {
    expect(levenshtein(a, b)).toBe(distance);
    expect(levenshtein(b, a)).toBe(distance);
  });
});
