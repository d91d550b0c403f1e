// Queue control files are read without following symlinks, only when they are small regular files, and nothing of
// their content reaches an error or the log.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readControlFile } from "../../src/outbox/control.js";
import { Outbox } from "../../src/outbox/outbox.js";
import { createLogger } from "../../src/util/log.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const SECRET = "root:$6$hashofthesecretrootpassword:19000:0:99999:7:::";
let dir: string;
let victim: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "control-"));
  victim = path.join(dir, "shadow");
  await writeFile(victim, `${SECRET}\n`, { mode: 0o600 });
  await mkdir(path.join(dir, "outbox", "control"), { recursive: true, mode: 0o700 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const control = (name: string): string => path.join(dir, "outbox", "control", name);

describe("readControlFile", () => {
  it("reads what `queue retry|drop` writes", async () => {
    const file = await Outbox.requestControl(path.join(dir, "outbox"), { op: "retry", id: "abc" });
    await expect(readControlFile(file)).resolves.toEqual({ op: "retry", id: "abc" });
  });

  it("refuses a symlink, a FIFO, a large file and a non-request, without quoting the content", async () => {
    await symlink(victim, control("1-link.json"));
    execFileSync("mkfifo", [control("2-fifo.json")]);
    await writeFile(control("3-big.json"), `{"op":"drop","id":"${"x".repeat(10_000)}"}`);
    await writeFile(control("4-text.json"), SECRET);
    await writeFile(control("5-shape.json"), `{"op":"${SECRET}"}`);
    const reasons = [
      "is a symbolic link",
      "is not a regular file",
      "is larger than 4096 bytes",
      "is not a queue control request (not JSON)",
      "is not a queue control request (expected",
    ];
    for (const [i, name] of ["1-link.json", "2-fifo.json", "3-big.json", "4-text.json", "5-shape.json"].entries()) {
      const error = (await readControlFile(control(name)).catch((e: unknown) => e)) as Error;
      expect(error.message).toContain(reasons[i]);
      expect(error.message).not.toContain("root:");
    }
  });

  it("through the outbox: a planted symlink is refused and the target's first bytes never reach the log", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", destination: new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }) });
    let t = Date.parse("2026-11-27T20:00:00Z");
    const outbox = await Outbox.open({ dir: path.join(dir, "outbox"), api: new FakeTrakt(() => t), identifier: new FakeIdentifier(), now: () => t, autoWake: false, logger });
    try {
      await outbox.submit(intent({ kind: "stop" }, t));
      await symlink(victim, control("1-planted.json"));
      t += 60_000;
      await outbox.drain();
      const log = lines.join("");
      expect(log).toContain("1-planted.json is a symbolic link");
      expect(log).not.toContain("root:");
      expect(log).not.toContain("hashofthesecret");
      expect(await readFile(victim, "utf8")).toBe(`${SECRET}\n`);
    } finally {
      await outbox.close();
    }
  });
});
