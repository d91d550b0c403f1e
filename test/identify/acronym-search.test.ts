// An acronym title is found whichever spelling the file uses, through the real client against the emulator (whose
// search, like Trakt's full-text search, splits "S.W.A.T." into letters, so "SWAT" alone does not find it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import { TraktClient } from "../../src/trakt/client.js";
import { silentLogger } from "../../src/util/log.js";

let emulator: Emulator;
let client: TraktClient;

beforeAll(async () => {
  emulator = await startTraktEmulator();
  client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, retries: 0, logger: silentLogger() });
});
afterAll(async () => {
  await emulator.close();
});

describe("acronym titles", () => {
  it.each([
    ["S.W.A.T.2017.S01E02.720p.HDTV.x264-GRP.mkv", ["S.W.A.T."]],
    ["SWAT.2017.S01E02.720p.HDTV.x264-GRP.mkv", ["SWAT", "S.W.A.T."]],
    ["/tv/S W A T (2017)/Season 1/S W A T - 1x02 - Cry Wolf.mkv", ["S W A T"]],
  ])("%s is found as S.W.A.T. (2017)", async (path, searched) => {
    emulator.clearRequests();
    const identifier = new TraktIdentifier({ api: client, config: { overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9 } });
    const result = await identifier.identify({ path });
    expect(result.ok, result.ok ? "" : result.reason).toBe(true);
    expect(result.ok && result.items).toEqual([
      { type: "episode", show: expect.objectContaining({ title: "S.W.A.T.", ids: expect.objectContaining({ trakt: 119137, imdb: "tt6111130" }) }), episode: { season: 1, number: 2 } },
    ]);
    // each spelling tried once, with the year first (a year in an episode's name is usually the show's)
    const queries = emulator.requests.filter((r) => r.path === "/search/show").map((r) => r.query.query);
    expect([...new Set(queries)]).toEqual(searched);
  });
});
