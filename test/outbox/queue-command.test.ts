import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queueContext, runQueue, type QueueIo } from "../../src/cli/actions/queue.js";
import { outboxDir } from "../../src/compose/app.js";
import { Outbox } from "../../src/outbox/outbox.js";
import { TraktError } from "../../src/trakt/errors.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

let stateDir: string;
let lines: string[];
let io: QueueIo;
const t = Date.parse("2026-11-27T20:00:00Z");

async function seed(): Promise<{ dead: string; pending: string }> {
  const trakt = new FakeTrakt(() => t);
  const outbox = await Outbox.open({ dir: outboxDir(stateDir), api: trakt, identifier: new FakeIdentifier(), now: () => t, autoWake: false });
  const dead = intent({ kind: "stop", hints: { title: "unknown" } }, t);
  await outbox.submit(dead);
  await outbox.idle();
  trakt.failures.push({ error: new TraktError("retryable", "Trakt is down", { status: 503 }) });
  const pending = intent({ kind: "stop", movie: 2, sessionKey: "other", playthroughId: "p2" }, t);
  await outbox.submit(pending);
  await outbox.idle();
  await outbox.close();
  return { dead: dead.id, pending: pending.id };
}

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "queue-cli-"));
  lines = [];
  io = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), now: () => t + 3 * 3_600_000 };
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe("queue command", () => {
  it("list shows pending and dead letters with reason, age and what to do", async () => {
    const { dead, pending } = await seed();
    expect(await runQueue(stateDir, "list", undefined, io)).toBe(0);
    const text = lines.join("\n");
    expect(text).toContain("daemon not running");
    expect(text).toMatch(/pending: 1/);
    expect(text).toContain(pending.slice(0, 12));
    expect(text).toContain("503");
    expect(text).toMatch(/dead letters: 1/);
    expect(text).toContain(dead.slice(0, 12));
    expect(text).toMatch(/3h\s+unknown_media/);
    expect(text).toContain("identify override");
  });

  it("retry moves a dead letter back; drop removes with a confirmation line; unknown ids say what to do", async () => {
    const { dead, pending } = await seed();
    await runQueue(stateDir, "retry", dead.slice(0, 10), io);
    expect(lines.at(-1)).toMatch(/moved .* back to the queue/);
    await runQueue(stateDir, "drop", pending, io);
    expect(lines.at(-1)).toMatch(/^dropped .*was pending.*will not be sent/);
    await expect(runQueue(stateDir, "drop", "nope", io)).rejects.toThrow(/queue list/);
    lines.length = 0;
    await runQueue(stateDir, "list", undefined, { ...io });
    expect(lines.join("\n")).toMatch(/pending: 1[\s\S]*dead letters: 0/);
  });

  it("with the daemon running, retry is handed over and applied at the daemon's next drain", async () => {
    const { dead } = await seed();
    const identifier = new FakeIdentifier();
    const daemon = await Outbox.open({ dir: outboxDir(stateDir), api: new FakeTrakt(() => t), identifier, now: () => t, autoWake: false });
    try {
      await runQueue(stateDir, "retry", dead, io);
      expect(lines.at(-1)).toMatch(/handed to the running daemon \(pid \d+/);
      expect(daemon.deadLetterCount()).toBe(1);
      await daemon.drain();
      await daemon.idle();
      // Back in the queue and identified again (still unknown, so a dead letter again).
      expect(identifier.calls).toBeGreaterThanOrEqual(1);
      expect(daemon.list().deadLetters.map((d) => d.id)).toEqual([dead]);
      expect(daemon.status().counters.deadLettered).toBe(1);
    } finally {
      await daemon.close();
    }
  });

  it("finds the state dir and default account through the config loader (--config, --state-dir)", async () => {
    const file = path.join(stateDir, "config.yaml");
    await writeFile(file, "accounts:\n  default: bob\n");
    const warnings: string[] = [];
    expect(queueContext({ config: file, stateDir: path.join(stateDir, "s") }, (l) => warnings.push(l))).toEqual({ stateDir: path.join(stateDir, "s"), defaultAccount: "bob" });
    expect(warnings).toEqual([]);
    await writeFile(file, "outbox:\n  replayAfterMinutes: -3\n");
    expect(queueContext({ config: file, stateDir: path.join(stateDir, "s") }, (l) => warnings.push(l)).stateDir).toBe(path.join(stateDir, "s"));
    expect(warnings[0]).toMatch(/configuration is invalid/);
  });
});
