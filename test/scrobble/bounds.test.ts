import { describe, expect, it } from "vitest";
import type { PlaybackEvent } from "../../src/core/playback.js";
import { boundEvent, boundHints, EVENT_LIMITS } from "../../src/scrobble/bounds.js";

const event = (hints: PlaybackEvent["hints"], extra: Partial<PlaybackEvent> = {}): PlaybackEvent => ({
  player: "plex",
  sessionKey: "server:player:1",
  state: "playing",
  observedAt: 0,
  hints,
  ...extra,
});

describe("boundHints", () => {
  it("leaves real hints exactly as they are", () => {
    const hints = {
      kind: "episode" as const,
      title: "Lecture Circuit (1)",
      showTitle: "The Office (US)",
      season: 5,
      episode: 14,
      ids: { imdb: "tt1355876", tmdb: "62799", tvdb: "447981" },
      showIds: { tvdb: "73244" },
      guids: ["plex://episode/5d9c0874ffd9ef001e9a6c8f", "imdb://tt1355876", "tmdb://62799", "tvdb://447981"],
      path: "/media/tv/The Office (US)/Season 05/The Office (US) - S05E14.mkv",
      runtimeSeconds: 1320,
    };
    expect(boundHints(hints)).toEqual(hints);
  });

  it.each([
    ["a title", { title: "t".repeat(100_000) }, (h: PlaybackEvent["hints"]) => h.title?.length, EVENT_LIMITS.textChars],
    ["a show title", { showTitle: "s".repeat(100_000) }, (h: PlaybackEvent["hints"]) => h.showTitle?.length, EVENT_LIMITS.textChars],
    ["a media title", { mediaTitle: "m".repeat(100_000) }, (h: PlaybackEvent["hints"]) => h.mediaTitle?.length, EVENT_LIMITS.textChars],
    ["a path", { path: `/${"p".repeat(100_000)}` }, (h: PlaybackEvent["hints"]) => h.path?.length, EVENT_LIMITS.pathChars],
    ["20,000 guids", { guids: Array.from({ length: 20_000 }, (_, i) => `tmdb://${i}`) }, (h: PlaybackEvent["hints"]) => h.guids?.length, EVENT_LIMITS.guids],
  ])("cuts %s to its bound", (_what, hints, measure, limit) => {
    expect(measure(boundHints(hints))).toBe(limit);
  });

  it("drops ids and guids too long to be real rather than cutting them into other ones", () => {
    const bounded = boundHints({ ids: { imdb: "tt1", tmdb: "9".repeat(1_000) }, guids: [`imdb://${"x".repeat(1_000)}`, "imdb://tt1"] });
    expect(bounded.ids).toEqual({ imdb: "tt1" });
    expect(bounded.guids).toEqual(["imdb://tt1"]);
  });

  it("bounds the player and session key of an event", () => {
    const bounded = boundEvent(event({}, { player: `mpv:${"p".repeat(10_000)}`, sessionKey: "k".repeat(10_000) }));
    expect(bounded.player.length).toBe(EVENT_LIMITS.keyChars);
    expect(bounded.sessionKey.length).toBe(EVENT_LIMITS.keyChars);
  });
});
