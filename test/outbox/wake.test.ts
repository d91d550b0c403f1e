// Idle cost: an empty outbox's drain() does nothing, and nextWakeAt() says when there is next work, so a caller
// can wake the outbox only then.
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Outbox, type OutboxSettings } from "../../src/outbox/outbox.js";
import { TraktError } from "../../src/trakt/errors.js";
import { FakeIdentifier, FakeTrakt, intent } from "./fakes.js";

const MIN = 60_000;
let dir: string;
let t: number;
let trakt: FakeTrakt;
let identifier: FakeIdentifier;
const open: Outbox[] = [];

async function openOutbox(settings: Partial<OutboxSettings> = {}): Promise<Outbox> {
  const o = await Outbox.open({ dir, api: trakt, identifier, now: () => t, autoWake: false, settings });
  open.push(o);
  return o;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "outbox-wake-"));
  t = Date.parse("2026-11-27T20:00:00Z");
  trakt = new FakeTrakt(() => t);
  identifier = new FakeIdentifier();
});

afterEach(async () => {
  vi.useRealTimers();
  for (const o of open.splice(0)) await o.close();
  await rm(dir, { recursive: true, force: true });
});

describe("an empty outbox", () => {
  it("has no wake-up time, and drain() neither writes, sends nor identifies", async () => {
    const outbox = await openOutbox();
    expect(outbox.nextWakeAt()).toBeUndefined();
    const before = await stat(Outbox.journalFile(dir));
    for (let n = 0; n < 3; n++) {
      t += MIN;
      await outbox.drain();
    }
    await outbox.idle();
    expect((await stat(Outbox.journalFile(dir))).size).toBe(before.size);
    expect(trakt.calls).toEqual([]);
    expect(identifier.calls).toBe(0);
    expect(outbox.status().accounts).toEqual([]);
  });

  it("is empty again once everything was delivered", async () => {
    const outbox = await openOutbox();
    await outbox.submit(intent({ kind: "stop", movie: 3 }, t));
    await outbox.idle();
    expect(outbox.depth()).toBe(0);
    expect(outbox.nextWakeAt()).toBeUndefined();
  });

  it("still applies a queue control request (the CLI checked the entry before writing it)", async () => {
    const outbox = await openOutbox();
    const file = await Outbox.requestControl(dir, { op: "drop", id: "gone" });
    await outbox.drain();
    expect(await readdir(path.dirname(file))).toEqual([]);
  });
});

describe("nextWakeAt", () => {
  it("is the end of an account's Retry-After, and drain() before it sends nothing", async () => {
    const outbox = await openOutbox();
    trakt.failures.push({ error: new TraktError("rate_limited", "429", { status: 429, retryAfterMs: 120_000 }) });
    await outbox.submit(intent({ kind: "start" }, t));
    await outbox.idle();
    expect(outbox.nextWakeAt()).toBe(t + 120_000);
    t += 60_000;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(1);
    t = outbox.nextWakeAt()!;
    await outbox.drain();
    await outbox.idle();
    expect(trakt.count("scrobble")).toBe(2);
    expect(outbox.nextWakeAt()).toBeUndefined();
  });

  it("is the end of an account hold (login expired)", async () => {
    const outbox = await openOutbox({ accountHoldMinutes: 7 });
    trakt.failures.push({ error: new TraktError("auth_expired", "401", { status: 401 }) });
    await outbox.submit(intent({ kind: "stop" }, t));
    await outbox.idle();
    expect(outbox.nextWakeAt()).toBe(t + 7 * MIN);
  });

  it("is an entry's retry time after a retryable identification failure (5 s, jitter only shortens it)", async () => {
    const outbox = await openOutbox();
    await outbox.submit(intent({ kind: "start", hints: { title: "flaky" } }, t));
    await outbox.idle();
    const wait = outbox.nextWakeAt()! - t;
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(wait).toBeLessThanOrEqual(5_000);
  });

  it("is now for queued work nobody is delivering (after a restart)", async () => {
    let outbox = await openOutbox();
    trakt.down = true;
    await outbox.submit(intent({ kind: "stop", movie: 5 }, t));
    await outbox.idle();
    await outbox.close();
    trakt.down = false;
    outbox = await openOutbox();
    expect(outbox.nextWakeAt()).toBe(t);
    await outbox.drain();
    await outbox.idle();
    expect(outbox.nextWakeAt()).toBeUndefined();
  });

  it("is when the oldest dead letter expires; drain() then removes it", async () => {
    const outbox = await openOutbox({ deadLetterExpiryDays: 2 });
    const deadAt = t;
    await outbox.submit(intent({ kind: "stop", hints: { title: "unknown" } }, t));
    await outbox.idle();
    expect(outbox.deadLetterCount()).toBe(1);
    const at = outbox.nextWakeAt()!;
    expect(at).toBe(deadAt + 2 * 24 * 60 * MIN + 1);
    t = at - 1;
    await outbox.drain();
    expect(outbox.deadLetterCount()).toBe(1);
    t = at;
    await outbox.drain();
    expect(outbox.deadLetterCount()).toBe(0);
    expect(outbox.nextWakeAt()).toBeUndefined();
  });

  it("is undefined for a read-only outbox, which never delivers", async () => {
    const writer = await openOutbox();
    trakt.down = true;
    await writer.submit(intent({ kind: "stop", movie: 6 }, t));
    await writer.idle();
    const ro = await Outbox.open({ dir, api: trakt, identifier, now: () => t, readOnly: true });
    open.push(ro);
    expect(ro.depth()).toBe(1);
    expect(ro.nextWakeAt()).toBeUndefined();
  });
});

describe("with autoWake (the daemon: nothing drains it periodically)", () => {
  it("removes a dead letter when it expires, by itself", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: t });
    const outbox = await Outbox.open({ dir, api: trakt, identifier, now: Date.now, settings: { deadLetterExpiryDays: 2 } });
    open.push(outbox);
    await outbox.submit(intent({ kind: "stop", hints: { title: "unknown" } }, Date.now()));
    await outbox.idle();
    expect(outbox.deadLetterCount()).toBe(1);
    // A timer cannot wait 2 days: it looks after one, and again at the expiry.
    await vi.advanceTimersByTimeAsync(24 * 60 * MIN);
    expect(outbox.deadLetterCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(24 * 60 * MIN - 1_000);
    expect(outbox.deadLetterCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outbox.deadLetterCount()).toBe(0);
    expect(outbox.nextWakeAt()).toBeUndefined();
  });
});
