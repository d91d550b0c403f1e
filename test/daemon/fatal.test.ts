// What `run` does with an error nobody caught: one fatal JSON line with the whole error, then exit 70 (never a hang).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EXIT_UNCAUGHT } from "../../src/daemon/fatal.js";

const CHILD = new URL("./fatal-child.ts", import.meta.url).pathname;

function runChild(mode: "throw" | "reject"): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.once("exit", (code) => resolve({ code, lines: out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) }));
  });
}

describe("fatal handlers", () => {
  it("an uncaught exception is logged in full at fatal level, then the process exits 70", async () => {
    const { code, lines } = await runChild("throw");
    expect(code).toBe(EXIT_UNCAUGHT);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/^an uncaught exception; exiting with 70/);
    expect(fatal?.kind).toBe("uncaughtException");
    expect((fatal?.err as { stack: string }).stack).toContain("boom from a timer");
  });

  it("an unhandled rejection with a 5,000-deep cause chain is logged (bounded) and the process exits 70", async () => {
    const { code, lines } = await runChild("reject");
    expect(code).toBe(EXIT_UNCAUGHT);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal?.kind).toBe("unhandledRejection");
    expect(JSON.stringify(fatal)).toContain("layer 4999");
  });
});
