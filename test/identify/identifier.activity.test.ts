// The identifier tells the activity stream of each item it could not identify, with a key stable per item.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { identifySection } from "../../src/config/sections/identify.js";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { createIdentifier } from "../../src/identify/setup.js";
import { FakeSearchApi } from "./fake-trakt.js";

let dir: string;
let events: ActivityEvent[];
let activity: Activity;

function api(): FakeSearchApi {
  return new FakeSearchApi([{ title: "TRON: Legacy", year: 2010, ids: { trakt: 12601, imdb: "tt1104001" } }], [{ title: "Mad Men", year: 2007, ids: { trakt: 4 }, episodes: [] }]);
}

const misses = (): Extract<ActivityEvent, { type: "not_identified" }>[] =>
  events.filter((e): e is Extract<ActivityEvent, { type: "not_identified" }> => e.type === "not_identified");

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "identify-activity-"));
  events = [];
  activity = new Activity();
  activity.subscribe((e) => events.push(e));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("identifier activity", () => {
  const unknown = { path: "/tv/X-Men '97/Season 1/X-Men.97.S01E03.1080p.WEB.h264-ETHEL.mkv" };

  it("reports a miss with what was played, why, and a key that is the same each time for the same item", async () => {
    const { identifier } = createIdentifier({ config: identifySection.parse({}), stateDir: undefined, api: api(), activity });
    await identifier.identify(unknown);
    await identifier.identify(unknown);
    await identifier.identify({ path: "/tv/Other Show/Other.Show.S01E01.mkv" });
    const [first, second, other] = misses();
    expect(first).toMatchObject({ type: "not_identified", what: unknown.path, reason: expect.stringContaining("Add an override") as string });
    expect(first?.key).toMatch(/^[\w-]{16}$/);
    expect(second?.key).toBe(first?.key);
    expect(other?.key).not.toBe(first?.key);
    // status lists each item once, at its latest miss, with the same key
    expect(identifier.recentMisses().map((m) => [m.key, m.what])).toEqual([
      [first?.key, unknown.path],
      [other?.key, "/tv/Other Show/Other.Show.S01E01.mkv"],
    ]);
  });

  it("reports a cached miss with the same key (after a restart the item is shown again when it is played)", async () => {
    const first = createIdentifier({ config: identifySection.parse({}), stateDir: dir, api: api(), activity });
    await first.cache?.load();
    await first.identifier.identify(unknown);
    await first.cache?.flush();
    const restarted = createIdentifier({ config: identifySection.parse({}), stateDir: dir, api: api(), activity });
    await restarted.cache?.load();
    const r = await restarted.identifier.identify(unknown);
    expect(!r.ok && r.reason).toMatch(/^cached miss/);
    expect(misses()).toHaveLength(2);
    expect(misses()[1]?.key).toBe(misses()[0]?.key);
    expect(restarted.identifier.recentMisses()).toHaveLength(1);
  });

  it("says nothing for an item it identifies, nor when Trakt cannot be asked (that is retried, not a miss)", async () => {
    const a = api();
    const { identifier } = createIdentifier({ config: identifySection.parse({}), stateDir: undefined, api: a, activity });
    expect((await identifier.identify({ path: "/movies/TRON Legacy (2010)/TRON.Legacy.2010.1080p.mkv" })).ok).toBe(true);
    a.failWith = new Error("connect ECONNREFUSED");
    const r = await identifier.identify({ path: "/movies/Some Movie (2001)/Some.Movie.2001.mkv" });
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(misses()).toEqual([]);
  });
});
