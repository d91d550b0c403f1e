import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, LOG_LIMITS, registerSecret } from "../src/util/log.js";

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

describe("logger bounds (values from peers)", () => {
  it("logs a value nested 20,000 levels deep without overflowing the stack, cut at the depth bound", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    log.warn({ error: deep }, "deep");
    const line = JSON.parse(lines.join("")) as { msg: string; error: unknown };
    expect(line.msg).toBe("deep");
    expect(JSON.stringify(line.error)).toContain(`[nested deeper than ${LOG_LIMITS.depth} levels]`);
    expect(JSON.stringify(line).length).toBeLessThan(1_000);
  });

  it("logs an error whose cause chain is 20,000 long", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    let error = new Error("root");
    for (let i = 0; i < 20_000; i++) error = new Error(`wrap ${i}`, { cause: error });
    log.error({ err: error }, "chain");
    expect(lines.join("")).toContain("chain");
  });

  it("caps long arrays, many keys and huge strings", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    log.info({ list: Array.from({ length: 5_000 }, (_, i) => i), wide, text: "x".repeat(1_000_000) }, "big");
    const out = lines.join("");
    expect(out.length).toBeLessThan(30_000);
    const line = JSON.parse(out) as { list: unknown[]; wide: Record<string, unknown>; text: string };
    expect(line.list).toHaveLength(LOG_LIMITS.arrayItems + 1);
    expect(line.list.at(-1)).toBe(`[${5_000 - LOG_LIMITS.arrayItems} more items]`);
    expect(line.wide["[more keys]"]).toBe(5_000 - LOG_LIMITS.objectKeys);
    expect(line.text).toMatch(/…\[991808 more characters\]$/);
  });
});

describe("the key `code`", () => {
  it("keeps error codes visible (ECONNREFUSED was hidden as [redacted]) and still hides an OAuth code", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream, level: "debug" });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9090"), { code: "ECONNREFUSED" });
    const undici = Object.assign(new Error("fetch failed"), { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    log.warn({ err: refused, kodi: { error: { code: -32601, message: "Method not found." } } }, "a");
    log.warn({ err: undici, dns: { code: "EAI_AGAIN" }, node: { code: "ERR_INVALID_URL" } }, "b");
    log.debug({ body: { code: "9f6c2e1a0b7d4c3e8a5f6b2d1c0e9f8a7b6c5d4e", client_id: "x" }, user_code: "5055CC52" }, "c");
    log.info({ body: { code: "E1B2C3D4" } }, "d");
    const [a, b, , d] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect((a!.err as { code: string }).code).toBe("ECONNREFUSED");
    expect(a!.kodi).toEqual({ error: { code: -32601, message: "Method not found." } });
    expect(((b!.err as { cause: { code: string } }).cause).code).toBe("UND_ERR_SOCKET");
    expect(b!.dns).toEqual({ code: "EAI_AGAIN" });
    expect(b!.node).toEqual({ code: "ERR_INVALID_URL" });
    expect(lines.join("")).not.toContain("9f6c2e1a0b7d4c3e8a5f6b2d1c0e9f8a7b6c5d4e");
    expect(lines.join("")).not.toContain("5055CC52");
    expect(d!.body).toEqual({ code: "[redacted]" });
  });
});
