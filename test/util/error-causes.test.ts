import { describe, expect, it } from "vitest";
import { errorCodes, firstErrorCode, rootMessage } from "../../src/util/error-causes.js";

const coded = (message: string, code: string, cause?: unknown): Error => Object.assign(new Error(message, cause === undefined ? {} : { cause }), { code });

describe("errorCodes", () => {
  it("walks the error, then an AggregateError's errors, then the cause, depth first", () => {
    // What fetch throws when every address of a host refuses: TypeError → AggregateError(code) → one error per address.
    const aggregate = Object.assign(new AggregateError([coded("connect ::1", "ECONNREFUSED"), coded("connect 127.0.0.1", "ECONNREFUSED")], ""), {
      code: "ECONNREFUSED",
    });
    const error = new TypeError("fetch failed", { cause: aggregate });
    expect(errorCodes(error)).toEqual(["ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
    const both = Object.assign(new AggregateError([coded("a", "EA")], "x", { cause: coded("c", "EC") }), { code: "ETOP" });
    expect(errorCodes(both)).toEqual(["ETOP", "EA", "EC"]);
    expect(errorCodes(coded("outer", "E1", coded("mid", "E2", coded("inner", "E3"))))).toEqual(["E1", "E2", "E3"]);
  });

  it("only looks into real AggregateErrors (an `errors` list elsewhere, e.g. validation issues, is not errors)", () => {
    const notAggregate = Object.assign(new Error("invalid"), { errors: [{ code: "invalid_type" }] });
    expect(errorCodes(notAggregate)).toEqual([]);
  });

  it("ends on cycles and stays bounded however deep the chain", () => {
    const a = coded("a", "EA");
    const b = coded("b", "EB", a);
    (a as { cause?: unknown }).cause = b;
    expect(errorCodes(a)).toEqual(["EA", "EB"]);
    let deep: Error = coded("bottom", "EBOTTOM");
    for (let n = 0; n < 10_000; n++) deep = new Error(`level ${n}`, { cause: deep });
    expect(errorCodes(deep)).toEqual([]);
  });

  it("ignores what is not an object and codes that are not strings", () => {
    expect(errorCodes(undefined)).toEqual([]);
    expect(errorCodes("ECONNREFUSED")).toEqual([]);
    expect(errorCodes(Object.assign(new Error("x"), { code: 42 }))).toEqual([]);
  });
});

describe("firstErrorCode", () => {
  it("returns the first code, or the first one accepted", () => {
    const error = coded("outer", "ERR_OUTER", coded("inner", "ECONNRESET"));
    expect(firstErrorCode(error)).toBe("ERR_OUTER");
    expect(firstErrorCode(error, (c) => c.startsWith("ECONN"))).toBe("ECONNRESET");
    expect(firstErrorCode(new Error("plain"))).toBeUndefined();
  });
});

describe("rootMessage", () => {
  it("is the innermost non-empty message along the cause chain", () => {
    expect(rootMessage(new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND api.trakt.tv") }))).toBe("getaddrinfo ENOTFOUND api.trakt.tv");
    expect(rootMessage(new Error("outer", { cause: new Error("") }))).toBe("outer");
    expect(rootMessage(new Error("outer", { cause: { message: "not an Error" } }))).toBe("outer");
    expect(rootMessage("just text")).toBe("just text");
  });
});
