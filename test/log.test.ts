import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, registerSecret } from "../src/util/log.js";

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

describe("logger redaction", () => {
  it("redacts secret keys at any depth, not only one level", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream, level: "debug" });
    log.debug({ a: { b: { c: { access_token: "deep-access-token-1", refresh_token: "deep-refresh-2" } } } }, "tokens");
    const out = lines.join("");
    expect(out).toContain("tokens");
    expect(out).not.toContain("deep-access-token-1");
    expect(out).not.toContain("deep-refresh-2");
    expect(out).toContain("[redacted]");
  });

  it("scrubs registered secret values from messages and error stacks", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    registerSecret("s3cr3t-client-secret-value");
    log.error({ err: new Error("request failed with s3cr3t-client-secret-value") }, "x s3cr3t-client-secret-value y");
    log.info("Authorization: Bearer abcdefghijkl");
    const out = lines.join("");
    expect(out).not.toContain("s3cr3t-client-secret-value");
    expect(out).not.toContain("abcdefghijkl");
    expect(out).toContain("request failed with [redacted]");
  });
});
