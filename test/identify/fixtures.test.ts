// Every captured Plex payload and Kodi item goes through identification; we check the Trakt item, where it came
// from, and the exact requests made (none when the ids can be sent as they are).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { TraktIdentifier } from "../../src/identify/identifier.js";
import type { Identification } from "../../src/identify/types.js";
import type { MediaHints } from "../../src/core/playback.js";
import { TraktClient } from "../../src/trakt/client.js";
import { silentLogger } from "../../src/util/log.js";
import { hintsFromMetadata } from "../../src/players/plex/hints.js";
import { plexPayloadSchema } from "../../src/players/plex/payload.js";
import { kodiHints, kodiTranscriptItems, plexFixtures, readJson } from "./fixture-hints.js";

// Against the Trakt emulator (its catalogue holds the titles and real external ids of these fixtures) through the
// real TraktClient; the emulator's request log shows exactly which requests identification made.
let emulator: Emulator;
let client: TraktClient;

beforeAll(async () => {
  emulator = await startTraktEmulator();
  client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, retries: 0, logger: silentLogger() });
});
afterAll(async () => {
  await emulator.close();
});

async function run(hints: MediaHints): Promise<{ result: Identification; calls: string[] }> {
  emulator.clearRequests();
  const identifier = new TraktIdentifier({ api: client, config: { overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9 } });
  const result = await identifier.identify(hints);
  const calls = emulator.requests.map((r) => {
    const q = new URLSearchParams(r.query).toString().replace(/\+/g, " ");
    return `${r.method} ${r.path}${q ? `?${decodeURIComponent(q)}` : ""}`;
  });
  return { result, calls };
}

/** The Plex adapter's own mapping (guid + every Guid[].id into `guids`). */
function plexHints(metadata: unknown): MediaHints {
  const parsed = plexPayloadSchema.parse({ event: "media.play", Metadata: metadata });
  return hintsFromMetadata(parsed.Metadata!);
}

function okItems(result: Identification) {
  if (!result.ok) throw new Error(`expected a match, got: ${result.reason}`);
  return result.items;
}

describe("Plex payloads", () => {
  const payloads = Object.fromEntries(plexFixtures().map((f) => [f.name, f.payload]));

  it("covers every Plex fixture", () => {
    expect(Object.keys(payloads).sort()).toEqual([
      "episode.media.pause.legacy-thetvdb-agent.json",
      "episode.media.resume.plexagent-guidarray-tvdb-only.json",
      "episode.media.scrobble.plexagent-guidarray.json",
      "movie.media.rate.plexagent-guidarray.json",
      "movie.media.scrobble.plexagent-guidarray.json",
      "movie.media.stop.legacy-imdb-agent.json",
      "websocket.NotificationContainer.playing.PlaySessionStateNotification.json",
      "websocket.playing.PlaySessionStateNotification.paused.json",
    ]);
  });

  it("legacy TheTVDB agent: show id + season/episode sent as they are, no request", async () => {
    const { result, calls } = await run(plexHints(payloads["episode.media.pause.legacy-thetvdb-agent.json"]!.Metadata));
    expect(okItems(result)).toEqual([{ type: "episode", show: { ids: { tvdb: 73871 } }, episode: { season: 2, number: 15 } }]);
    expect(result.ok && result.source).toBe("legacy-guid");
    expect(calls).toEqual([]);
  });

  it("new agent, episode with only its own TVDB id: one id lookup of type episode", async () => {
    const { result, calls } = await run(plexHints(payloads["episode.media.resume.plexagent-guidarray-tvdb-only.json"]!.Metadata));
    const [item] = okItems(result);
    expect(item).toMatchObject({ type: "episode", episode: { season: 14, number: 1, ids: { trakt: 900231 } }, show: { title: "Cops" } });
    expect(result.ok && result.source).toBe("plex-guid");
    expect(calls).toEqual(["GET /search/tvdb/445575?type=episode"]);
  });

  it("new agent, episode with imdb/tmdb/tvdb: looked up by its own IMDb id, never as the show", async () => {
    const { result, calls } = await run(plexHints(payloads["episode.media.scrobble.plexagent-guidarray.json"]!.Metadata));
    expect(okItems(result)).toMatchObject([{ type: "episode", episode: { season: 1, number: 1, ids: { trakt: 900241 } }, show: { ids: { trakt: 900205 } } }]);
    expect(calls).toEqual(["GET /search/imdb/tt14765720?type=episode"]);
  });

  it.each(["movie.media.rate.plexagent-guidarray.json", "movie.media.scrobble.plexagent-guidarray.json"])(
    "new agent movie %s: Guid ids sent as they are (TVDB dropped: not a Trakt movie id), no request",
    async (name) => {
      const { result, calls } = await run(plexHints(payloads[name]!.Metadata));
      expect(okItems(result)).toEqual([{ type: "movie", movie: { ids: { imdb: "tt0090728", tmdb: 6978 } } }]);
      expect(result.ok && result.source).toBe("plex-guid");
      expect(calls).toEqual([]);
    },
  );

  it("legacy IMDb agent movie: ?lang suffix stripped, no request", async () => {
    const { result, calls } = await run(plexHints(payloads["movie.media.stop.legacy-imdb-agent.json"]!.Metadata));
    expect(okItems(result)).toEqual([{ type: "movie", movie: { ids: { imdb: "tt0072684" } } }]);
    expect(result.ok && result.source).toBe("legacy-guid");
    expect(calls).toEqual([]);
  });

  it.each(["websocket.NotificationContainer.playing.PlaySessionStateNotification.json", "websocket.playing.PlaySessionStateNotification.paused.json"])(
    "notification socket %s carries no ids or title: refused, not retryable, no request",
    async (name) => {
      const p = payloads[name]!;
      const n = (p.NotificationContainer ?? p).PlaySessionStateNotification[0];
      const { result, calls } = await run(n.guid ? { guids: [n.guid] } : {});
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(calls).toEqual([]);
    },
  );
});

describe("Kodi items", () => {
  it("real Kodi 20 transcript: every GetItem result", async () => {
    const items = kodiTranscriptItems();
    expect([...new Set(items.map((i) => i.scenario))].sort()).toEqual([
      "file-episode",
      "file-movie",
      "library-episode-by-path",
      "library-movie-by-id",
      "library-movie-to-end",
    ]);
    const outcomes: Record<string, { result: Identification; calls: string[] }> = {};
    for (const { scenario, item } of items) outcomes[scenario] = await run(kodiHints(item));

    // plain files: Kodi knows nothing; the file name is parsed and searched
    expect(outcomes["file-movie"]!.calls).toEqual(["GET /search/movie?query=Blade Runner 2049&years=2017"]);
    expect(okItems(outcomes["file-movie"]!.result)).toMatchObject([{ type: "movie", movie: { ids: { trakt: 900001 } } }]);
    expect(outcomes["file-movie"]!.result).toMatchObject({ source: "filename-search" });

    expect(outcomes["file-episode"]!.calls).toEqual(["GET /search/show?query=The Office"]);
    expect(okItems(outcomes["file-episode"]!.result)).toMatchObject([{ type: "episode", show: { ids: { trakt: 900202 } }, episode: { season: 5, number: 14 } }]);

    // library movie: uniqueid sent as it is
    for (const s of ["library-movie-by-id", "library-movie-to-end"]) {
      expect(outcomes[s]!.calls).toEqual([]);
      expect(okItems(outcomes[s]!.result)).toEqual([{ type: "movie", movie: { ids: { imdb: "tt1856101", tmdb: 335984 } } }]);
      expect(outcomes[s]!.result).toMatchObject({ source: "kodi-uniqueid" });
    }

    // library episode: the episode's own uniqueid → one lookup; imdbnumber (a TVDB number) is not taken for IMDb
    expect(outcomes["library-episode-by-path"]!.calls).toEqual(["GET /search/imdb/tt1355876?type=episode"]);
    expect(okItems(outcomes["library-episode-by-path"]!.result)).toMatchObject([
      { type: "episode", episode: { season: 5, number: 14, ids: { trakt: 900211 } }, show: { ids: { trakt: 900202 } } },
    ]);
  });

  it("library episode with the show's uniqueid known: show ids + season/number, no request", async () => {
    const item = kodiTranscriptItems().find((i) => i.scenario === "library-episode-by-path")!.item;
    const { result, calls } = await run(kodiHints(item, { imdb: "tt0386676", tmdb: "2316", tvdb: "73244" }));
    expect(okItems(result)).toEqual([{ type: "episode", show: { ids: { imdb: "tt0386676", tmdb: 2316, tvdb: 73244 } }, episode: { season: 5, number: 14 } }]);
    expect(calls).toEqual([]);
  });

  it("old XBMC non-library episode (show title + season/episode) not in Trakt: searched, refused", async () => {
    const data = readJson("kodi", "notification.Player.OnPlay.episode-nonlibrary-showtitle.xbmc-old.json").params.data;
    const { result, calls } = await run(kodiHints({ ...data.item, showtitle: data.showtitle, season: data.season, episode: data.episode, title: data.title }));
    expect(calls).toEqual(["GET /search/show?query=24"]);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.reason).toContain('show "24"');
  });

  it("old XBMC non-library movie (title + year): searched by title and year", async () => {
    const data = readJson("kodi", "notification.Player.OnPlay.movie-nonlibrary-title-year.xbmc-old.json").params.data;
    const { result, calls } = await run({ ...kodiHints(data.item), kind: "movie", title: data.title, year: data.year });
    expect(calls).toEqual(["GET /search/movie?query=Shooter&years=2007"]);
    expect(result).toMatchObject({ ok: false, retryable: false });
  });

  it("add-on episode of type unknown without a show title: refused with a reason", async () => {
    const item = readJson("kodi", "rpc.Player.GetItem.addon-episode-type-unknown.response.json").result.item;
    const { result } = await run(kodiHints(item));
    expect(result).toMatchObject({ ok: false, retryable: false });
  });

  it("UPnP file named movie.mkv, year 1601: nothing worth searching, no request", async () => {
    const item = readJson("kodi", "rpc.Player.GetItem.upnp-file-unknown-type.response.json").result.item;
    const { result, calls } = await run(kodiHints(item));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(calls).toEqual([]);
  });

  it('episode details with uniqueid {"unknown": ""}: falls back to show title + season/episode', async () => {
    const d = readJson("kodi", "rpc.VideoLibrary.GetEpisodeDetails.uniqueid-unknown-empty.response.json").result.episodedetails;
    const { result, calls } = await run(kodiHints({ ...d, id: d.episodeid, type: "episode" }));
    expect(calls).toEqual(["GET /search/show?query=The Big Bang Theory"]);
    expect(result).toMatchObject({ ok: false, retryable: false });
  });

  it("library notifications carry only {id, type}: nothing to identify until the adapter asks GetItem", async () => {
    for (const name of ["notification.Player.OnPlay.episode-libraryid.json", "notification.Player.OnPause.episode-libraryid.json", "notification.Player.OnStop.episode-end-true.json", "notification.Playlist.OnAdd.episode.json"]) {
      const { result, calls } = await run(kodiHints(readJson("kodi", name).params.data.item));
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(calls).toEqual([]);
    }
  });

  it("Kodi 19 add-on playing with the file name in showtitle: parsed, not searched as a show name", async () => {
    const { result, calls } = await run(kodiHints({ showtitle: "10_e_01.avi", title: "", type: "episode" }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(calls.some((c) => c.includes("10_e_01.avi"))).toBe(false);
  });
});

describe("emulator edge cases", () => {
  it("X-Men '97 is searched, Trakt's full-text answer Mad Men is rejected, nothing is sent", async () => {
    const { result, calls } = await run({ kind: "episode", showTitle: "X-Men '97", season: 1, episode: 1 });
    expect(calls).toEqual(["GET /search/show?query=X\\-Men '97"]);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.reason).toMatch(/"Mad Men" \(2007\) rejected/);
  });

  it("Trakt down: retryable, with the cause in the reason", async () => {
    await emulator.outage();
    try {
      const { result } = await run({ path: "/films/Barry.Lyndon.1975.1080p.BluRay.x264.mkv" });
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(!result.ok && result.reason).toMatch(/could not be asked/);
    } finally {
      await emulator.recover();
    }
    const { result } = await run({ path: "/films/Barry.Lyndon.1975.1080p.BluRay.x264.mkv" });
    expect(result).toMatchObject({ ok: true, items: [{ type: "movie", movie: { ids: { trakt: 900003 } } }] });
  });
});
