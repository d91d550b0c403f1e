// The daemon applies `queue retry|drop` requests when they arrive (the control directory is watched), instead of
// draining the outbox every minute; it polls only where the directory cannot be watched.
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QueueRequestWatcher } from "../../src/daemon/queue-requests.js";
import { controlDir, writeControlRequest } from "../../src/outbox/control.js";
import { createLogger } from "../../src/util/log.js";

let root: string;
const watchers: QueueRequestWatcher[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "queue-requests-"));
});

afterEach(async () => {
  for (const w of watchers.splice(0)) w.stop();
  await rm(root, { recursive: true, force: true });
});

function start(dir: string): { applied: () => number; nextApply: () => Promise<void>; logs: string[]; ready: Promise<void> } {
  let applied = 0;
  let waiting: (() => void) | undefined;
  const logs: string[] = [];
  const log = createLogger({ level: "debug", destination: new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) }) });
  const watcher = new QueueRequestWatcher(
    dir,
    () => {
      applied += 1;
      waiting?.();
      return Promise.resolve();
    },
    log,
  );
  watchers.push(watcher);
  return { applied: () => applied, nextApply: () => new Promise((resolve) => (waiting = resolve)), logs, ready: watcher.start() };
}

describe("QueueRequestWatcher", () => {
  it("creates the control directory (private) and applies a request as soon as `queue` writes one", async () => {
    const outbox = join(root, "outbox");
    const w = start(controlDir(outbox));
    await w.ready;
    expect((await stat(controlDir(outbox))).mode & 0o777).toBe(0o700);
    const applied = w.nextApply();
    await writeControlRequest(outbox, { op: "retry", id: "abc" });
    await applied;
    expect(w.applied()).toBe(1);
    expect(w.logs.join("")).not.toContain("cannot watch");
  });

  it("falls back to looking every minute where the directory cannot be watched, and says so once", async () => {
    const notADirectory = join(root, "file");
    await writeFile(notADirectory, "x");
    const w = start(join(notADirectory, "control"));
    await w.ready;
    expect(w.logs.filter((l) => l.includes("cannot watch for queue requests; looking every 60 s instead"))).toHaveLength(1);
  });
});
