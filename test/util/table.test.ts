import { describe, expect, it } from "vitest";
import { formatTable } from "../../src/util/table.js";

describe("formatTable", () => {
  it("pads each column to its widest cell, two spaces apart, with no trailing spaces", () => {
    expect(formatTable([["ID", "KIND", "MEDIA"], ["a1", "stop", "Alien (1979)"], ["b", "start→history", ""]])).toEqual([
      "ID  KIND           MEDIA",
      "a1  stop           Alien (1979)",
      "b   start→history",
    ]);
  });

  it("indents every line and copes with short rows and no rows", () => {
    expect(formatTable([["A", "B", "C"], ["long"]], { indent: "  " })).toEqual(["  A     B  C", "  long"]);
    expect(formatTable([])).toEqual([]);
  });
});
