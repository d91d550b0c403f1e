import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonNestsDeeperThan, JsonTooDeepError, MAX_JSON_DEPTH, parseUntrustedJson } from "../../src/util/json.js";

describe("parseUntrustedJson", () => {
  it("parses ordinary JSON as JSON.parse does", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseUntrustedJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it("refuses nesting past the limit, objects and arrays alike, before parsing", () => {
    const nested = (depth: number): string => `${'{"a":['.repeat(depth / 2)}1${"]}".repeat(depth / 2)}`;
    expect(() => parseUntrustedJson(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseUntrustedJson(nested(MAX_JSON_DEPTH + 2))).toThrow(JsonTooDeepError);
    expect(() => parseUntrustedJson(nested(200_000))).toThrow(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ s: `${"[{".repeat(500)}\\"${"[".repeat(500)}` });
    expect(jsonNestsDeeperThan(text, 2)).toBe(false);
    expect(parseUntrustedJson(text, 2)).toEqual(JSON.parse(text));
  });

  it("leaves syntax errors to JSON.parse", () => {
    expect(() => parseUntrustedJson("{nope")).toThrow(SyntaxError);
  });
});
