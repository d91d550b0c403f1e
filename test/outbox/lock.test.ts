// The outbox lock file: a planted symlink (to a FIFO, a device, another file) is never read through and counts as a
// stale lock.
import { execFileSync } from "node:child_process";
import { lstat, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, readLock } from "../../src/outbox/lock.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("outbox lock", () => {
  it("a lock file that is a symlink to a FIFO is not read through (reading it used to block forever)", async () => {
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const lockFile = path.join(dir, "lock");
    await symlink(fifo, lockFile);
    expect(await readLock(lockFile)).toBeUndefined();
    const release = await acquireLock(lockFile);
    expect((await lstat(lockFile)).isFile()).toBe(true);
    expect((await readLock(lockFile))?.pid).toBe(process.pid);
    await release();
  });

  it("a lock file that is a symlink to another file leaves that file alone", async () => {
    const victim = path.join(dir, "victim");
    await writeFile(victim, JSON.stringify({ pid: 1, host: "elsewhere", since: "x" }));
    const lockFile = path.join(dir, "lock");
    await symlink(victim, lockFile);
    const release = await acquireLock(lockFile);
    await release();
    expect(JSON.parse(await readFile(victim, "utf8"))).toEqual({ pid: 1, host: "elsewhere", since: "x" });
  });
});
