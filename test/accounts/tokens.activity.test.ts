// The token manager tells the activity stream when an account's state changes, and only then.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NeedsLoginError } from "../../src/accounts/errors.js";
import { TokenManager } from "../../src/accounts/tokens.js";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { FileSecretStore } from "../../src/secrets/file.js";
import { FakeTraktAuth } from "./fake-trakt.js";

const HOUR = 3_600_000;
let dir: string;
let clock: number;
let trakt: FakeTraktAuth;
let store: FileSecretStore;
let events: ActivityEvent[];
let tm: TokenManager;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tsd-tokens-activity-"));
  clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  trakt = new FakeTraktAuth(() => clock);
  store = new FileSecretStore(dir);
  events = [];
  const activity = new Activity();
  activity.subscribe((e) => events.push(e));
  tm = new TokenManager({ store, api: trakt, now: () => clock, refreshMarginMs: 6 * HOUR, activity });
  await store.set("default", { tokens: trakt.issue(), username: "u", updatedAt: new Date(clock).toISOString() });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("token manager activity", () => {
  it("reports the first known state, then nothing while it stays the same", async () => {
    expect(await tm.state("default")).toBe("ok");
    expect(await tm.state("default")).toBe("ok");
    await tm.statuses();
    expect(events).toEqual([{ type: "account", at: clock, account: "default", state: "ok" }]);
  });

  it("reports needs_login with Trakt's refusal once when Trakt refuses the refresh token, however often it is asked", async () => {
    await tm.state("default");
    trakt.revokeAll();
    clock += 23 * HOUR;
    await expect(tm.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
    for (let i = 0; i < 3; i++) await expect(tm.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
    await tm.refreshDue();
    expect(events.map((e) => e.type === "account" && [e.state, e.reason])).toEqual([
      ["ok", undefined],
      ["needs_login", "Trakt refused the refresh token (invalid_grant)"],
    ]);
  });

  it("reports ok again when a login written by another process is picked up", async () => {
    trakt.revokeAll();
    clock += 23 * HOUR;
    await expect(tm.getAccessToken("default")).rejects.toBeInstanceOf(NeedsLoginError);
    events.length = 0;
    await store.set("default", { tokens: trakt.issue(), username: "u", updatedAt: new Date(clock).toISOString() });
    await tm.getAccessToken("default");
    expect(events.map((e) => e.type === "account" && e.state)).toEqual(["ok"]);
  });
});
