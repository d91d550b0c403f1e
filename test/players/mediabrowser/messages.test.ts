// The protocol pieces on the captured payloads (test/fixtures/media-servers/): parsing, hints, routing, the dialects.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { atLeast, EMBY, JELLYFIN, parseVersion, type ClientIdentity } from "../../../src/players/mediabrowser/dialect.js";
import { hintsFromItem, idsOf, notScrobbled } from "../../../src/players/mediabrowser/hints.js";
import { itemSchema, parseSessions, parseSocketMessage } from "../../../src/players/mediabrowser/messages.js";
import { picture, routeUser } from "../../../src/players/mediabrowser/sessions.js";

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/media-servers/${path}`, import.meta.url), "utf8"));
const identity: ClientIdentity = { client: "trakt-scrobblerd", device: "pi", deviceId: "trakt-scrobblerd-abc", version: "0.1.0" };

describe("messages", () => {
  it("reads a Sessions message: the playing episode with its position and ids", () => {
    const message = parseSocketMessage(readFileSync(new URL("../../fixtures/media-servers/jellyfin/ws-Sessions.episode-playing.RECONSTRUCTED.json", import.meta.url), "utf8"));
    expect(message).toMatchObject({ ok: true, type: "Sessions" });
    const { sessions, skipped } = parseSessions((message as { data: unknown }).data);
    expect(skipped).toBe(0);
    const [session] = sessions;
    expect(session).toMatchObject({ Id: "9717105bdbdb30d25f7338997910a147", UserName: "foxx", PlayState: { PositionTicks: 6012340000, IsPaused: false } });
    expect(hintsFromItem(session!.NowPlayingItem!)).toEqual({
      kind: "episode",
      title: "Pilot",
      showTitle: "Breaking Bad",
      season: 1,
      episode: 1,
      year: 2008,
      runtimeSeconds: 3471,
      path: "/data/tv/Breaking Bad (2008)/Season 01/Breaking Bad - S01E01 - Pilot.mkv",
      ids: { imdb: "tt0959621", tmdb: "62085", tvdb: "349232" },
    });
  });

  it("reads the real Jellyfin 10.9.11 /Sessions element (paused audio): not scrobbled, with the reason", () => {
    const { sessions } = parseSessions([fixture("jellyfin/sessions-item.audio.DirectPlay.paused.jf10.9.11.multi-scrobbler.json")]);
    const item = sessions[0]!.NowPlayingItem!;
    expect(sessions[0]!.PlayState).toMatchObject({ PositionTicks: 160960000, IsPaused: true });
    expect(notScrobbled(item)).toBe("Audio, not a movie or an episode");
  });

  it("reads Emby's session with numeric ids and IsThemeMedia", () => {
    const { sessions } = parseSessions(fixture("emby/rest-GET-emby-Sessions.episode-playing.RECONSTRUCTED.json"));
    const item = sessions[0]!.NowPlayingItem!;
    expect(item).toMatchObject({ Id: "240252", SeriesId: "240202", IsThemeMedia: false });
    expect(notScrobbled(item)).toBeUndefined();
    expect(idsOf(item)).toEqual({ tmdb: "4533239" });
  });

  it("after a stop the session has no NowPlayingItem", () => {
    const message = parseSocketMessage(readFileSync(new URL("../../fixtures/media-servers/jellyfin/ws-Sessions.after-stop-no-NowPlayingItem.RECONSTRUCTED.json", import.meta.url), "utf8"));
    const { sessions } = parseSessions((message as { data: unknown }).data);
    expect(sessions[0]!.NowPlayingItem).toBeUndefined();
  });

  it("one broken session does not hide the others; broken fields read as absent", () => {
    const good = (fixture("jellyfin/ws-Sessions.episode-playing.RECONSTRUCTED.json") as { Data: unknown[] }).Data[0] as Record<string, unknown>;
    const odd = structuredClone(good);
    (odd.PlayState as Record<string, unknown>).PositionTicks = "lots";
    (odd.NowPlayingItem as Record<string, unknown>).ProductionYear = -5;
    const { sessions, skipped } = parseSessions([good, { no: "id" }, 42, odd]);
    expect(skipped).toBe(2);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.PlayState?.PositionTicks).toBeUndefined();
    expect(sessions[1]!.NowPlayingItem?.ProductionYear).toBeUndefined();
  });

  it.each([
    ["not JSON", "{nope", "not JSON"],
    ["an array", "[1,2]", "not a JSON object"],
    ["no type", '{"Data":1}', "no MessageType"],
    ["nested 10,000 deep", `{"MessageType":"Sessions","Data":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, "JSON nested deeper than 64 levels"],
  ])("refuses a message that is %s", (_name, text, reason) => {
    expect(parseSocketMessage(text)).toEqual({ ok: false, reason });
  });

  it.each([
    [{ Type: "Movie", MediaType: "Video" }, undefined],
    [{ Type: "Episode" }, undefined],
    [{ Type: "Trailer", MediaType: "Video" }, "Trailer, not a movie or an episode"],
    [{ Type: "TvChannel", MediaType: "Video" }, "TvChannel, not a movie or an episode"],
    [{ Type: "Movie", MediaType: "Video", IsThemeMedia: true }, "theme media"],
    [{ Type: "Movie", MediaType: "Video", ExtraType: "ThemeVideo" }, "an extra (ThemeVideo)"],
    [{ Type: "Movie", MediaType: "Audio" }, "Audio media"],
  ])("scrobbles %o: %s", (fields, reason) => {
    expect(notScrobbled(itemSchema.parse({ Id: "1", ...fields }))).toBe(reason);
  });

  it("reads provider ids whatever their case, and only well-formed ones", () => {
    expect(idsOf({ ProviderIds: { imdb: "tt0372784", TMDB: 272, Tvdb: "", Zap2It: "x" } })).toEqual({ imdb: "tt0372784", tmdb: "272" });
    expect(idsOf({ ProviderIds: { Imdb: "0372784", Tmdb: "abc" } })).toBeUndefined();
  });
});

describe("routing and pictures", () => {
  const routing = { users: { Foxx: "default", "02700c83-44d5-4261-9b39-319296c0d4c7": "rain" } };

  it.each([
    [{ id: "x", name: "Foxx" }, { account: "default" }],
    [{ id: "x", name: "foxx" }, { account: "default" }],
    [{ id: "02700c8344d542619b39319296c0d4c7", name: "someone" }, { account: "rain" }],
    [{ id: "y", name: "carol" }, { ignored: "user not mapped to a Trakt account" }],
  ])("routes %o", (user, route) => {
    expect(routeUser(routing, user)).toEqual(route);
  });

  it("an unmapped user goes to the default account when one is set", () => {
    expect(routeUser({ ...routing, defaultAccount: "family" }, { id: "y", name: "carol" })).toEqual({ account: "family" });
  });

  it("a picture follows the routed user, shows every session, and names the ignored ones", () => {
    const playing = (fixture("jellyfin/ws-Sessions.episode-playing.RECONSTRUCTED.json") as { Data: unknown[] }).Data[0] as Record<string, unknown>;
    const shared = { ...structuredClone(playing), Id: "s2", AdditionalUsers: [{ UserId: "02700c8344d542619b39319296c0d4c7", UserName: "Rain" }], UserId: "u3", UserName: "carol" };
    const audio = fixture("jellyfin/sessions-item.audio.DirectPlay.paused.jf10.9.11.multi-scrobbler.json");
    const { sessions } = parseSessions([playing, shared, audio]);
    const seen = picture(sessions, routing, () => ({ showIds: { tvdb: "81189" } }));
    expect(seen.observed.map((o) => [o.key, o.account, o.positionMs])).toEqual([
      ["9717105bdbdb30d25f7338997910a147/1ae8a43ed293456da28274f1a89cd2a5", "default", 601_234],
      ["s2/02700c8344d542619b39319296c0d4c7", "rain", 601_234],
    ]);
    expect(seen.observed[0]!.hints.showIds).toEqual({ tvdb: "81189" });
    expect(seen.unmapped).toEqual(["carol"]);
    expect(seen.views.map((v) => `${v.user}: ${v.item} ${v.account ?? `ignored: ${v.ignored}`}`)).toEqual([
      "foxx: Breaking Bad S01E01 default",
      "carol: Breaking Bad S01E01 ignored: user not mapped to a Trakt account",
      "Rain: Breaking Bad S01E01 rain",
      "foxx: I GOT YOU (2024) ignored: Audio, not a movie or an episode",
    ]);
  });
});

describe("dialects", () => {
  it("compares versions, Emby's four parts included", () => {
    expect(parseVersion("10.10.7")).toEqual([10, 10, 7]);
    expect(parseVersion("4.8.10.0")).toEqual([4, 8, 10, 0]);
    expect(parseVersion("10.11.0-rc1")).toEqual([10, 11, 0]);
    expect(atLeast([10, 10, 6], [10, 10, 6])).toBe(true);
    expect(atLeast([10, 10, 5], [10, 10, 6])).toBe(false);
    expect(atLeast([10, 11], [10, 10, 6])).toBe(true);
  });

  it("Jellyfin: token in the MediaBrowser header, quoted and url-encoded; the socket on /socket", () => {
    const headers = JELLYFIN.restHeaders(identity, "k e y");
    expect(headers.Authorization).toBe('MediaBrowser Client="trakt-scrobblerd", Device="pi", DeviceId="trakt-scrobblerd-abc", Version="0.1.0", Token="k%20e%20y"');
    expect(JELLYFIN.socket(identity, "key")).toEqual({ path: "/socket", headers: { Authorization: expect.stringContaining('Token="key"') } });
    expect(JELLYFIN.restPrefix).toBe("");
  });

  it("Emby: /emby prefix, X-Emby-Token, the socket on /embywebsocket with api_key and deviceId", () => {
    expect(EMBY.restHeaders(identity, "key")).toEqual({ Authorization: 'Emby Client="trakt-scrobblerd", Device="pi", DeviceId="trakt-scrobblerd-abc", Version="0.1.0"', "X-Emby-Token": "key" });
    expect(EMBY.socket(identity, "key")).toEqual({ path: "/embywebsocket?api_key=key&deviceId=trakt-scrobblerd-abc", headers: {} });
    expect(EMBY.restPrefix).toBe("/emby");
    expect(EMBY.itemPath("240270", "u1", [4, 8])).toBe("/Users/u1/Items/240270");
  });

  it.each([
    ["10.8.13", "/Users/u1/Items/i1"],
    ["10.9.0", "/Items/i1?userId=u1"],
    ["10.11.2", "/Items/i1?userId=u1"],
  ])("Jellyfin %s reads an item for a user at %s", (version, path) => {
    expect(JELLYFIN.itemPath("i1", "u1", parseVersion(version))).toBe(path);
  });

  const apiKey = { kind: "api-key" } as const;
  const admin = { kind: "user", id: "u", name: "foxx", admin: true } as const;
  const plain = { kind: "user", id: "u", name: "kid", admin: false } as const;
  it.each([
    ["10.8.13", apiKey, false, "everyone"],
    ["10.9.0", apiKey, true, "everyone"],
    ["10.10.5", apiKey, true, "everyone"],
    ["10.10.6", apiKey, false, "everyone"],
    ["10.9.11", admin, false, "everyone"],
    ["10.10.3", plain, true, "everyone"],
    ["10.11.0", plain, false, "own"],
    ["10.8.13", plain, false, "everyone"],
  ] as const)("Jellyfin %s with %o: refused %s, sees %s", (version, access, refused, visibility) => {
    const refusal = JELLYFIN.sessionsFeedRefusal(parseVersion(version), access);
    expect(refusal !== undefined).toBe(refused);
    if (refusal) expect(refusal).toMatch(/trakt-scrobblerd jellyfin login/);
    expect(JELLYFIN.visibility(parseVersion(version), access)).toBe(visibility);
  });

  it("Emby never refuses the feed; a non-administrator sees its own playback", () => {
    expect(EMBY.sessionsFeedRefusal(parseVersion("4.7.13.0"), apiKey)).toBeUndefined();
    expect(EMBY.visibility(parseVersion("4.7.13.0"), plain)).toBe("own");
  });
});
