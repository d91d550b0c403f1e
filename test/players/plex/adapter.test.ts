import { afterEach, describe, expect, it, vi } from "vitest";
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { PlexAdapter, type PlexSettings } from "../../../src/players/plex/adapter.js";
import { plexPayloadSchema, type PlexPayload } from "../../../src/players/plex/payload.js";
import { silentLogger } from "../../../src/util/log.js";
import { fixture } from "./support.js";

const T0 = Date.parse("2026-11-27T20:00:00Z");

function setup(settings: Partial<PlexSettings> = {}) {
  const events: PlaybackEvent[] = [];
  const clock = { now: T0 };
  const adapter = new PlexAdapter(
    { users: {}, players: [], webhookServers: [], defaultAccount: "default", ...settings },
    { emit: (e) => events.push(e), now: () => clock.now },
    silentLogger(),
  );
  void adapter.start(new AbortController().signal);
  return { adapter, events, clock };
}

function payload(name: string, patch: (p: Record<string, unknown>) => void = () => {}): PlexPayload {
  const raw = fixture(name);
  patch(raw);
  return plexPayloadSchema.parse(raw);
}

/** The Big Trouble in Little China movie payload with another event and offset. */
function movie(event: string, viewOffset?: number, account?: { id: number; title: string }): PlexPayload {
  return payload("movie.media.scrobble.plexagent-guidarray.json", (p) => {
    p.event = event;
    const metadata = p.Metadata as Record<string, unknown>;
    if (viewOffset === undefined) delete metadata.viewOffset;
    else metadata.viewOffset = viewOffset;
    if (account) p.Account = { ...(p.Account as object), ...account };
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("PlexAdapter", () => {
  it("follows a full movie session, estimating progress between webhooks", () => {
    const { adapter, events, clock } = setup();
    const duration = 5_940_000;
    expect(adapter.accept(movie("media.play", 0))).toBe("used");
    clock.now += 600_000; // ten minutes of playback, no webhooks in between
    adapter.accept(movie("media.pause"));
    clock.now += 300_000; // paused: time passes, position does not
    adapter.accept(movie("media.resume"));
    clock.now += 4_500_000;
    adapter.accept(movie("media.stop"));

    expect(events.map((e) => e.state)).toEqual(["playing", "paused", "playing", "stopped"]);
    expect(events.map((e) => e.positionMs)).toEqual([0, 600_000, 600_000, 5_100_000]);
    const stop = events.at(-1)!;
    expect(stop.durationMs).toBe(duration);
    expect(stop.progress).toBeCloseTo((5_100_000 / duration) * 100, 5);
    expect(stop.hints).toMatchObject({ kind: "movie", title: "Big Trouble in Little China", year: 1986 });
    expect(stop.hints.guids).toEqual(["plex://movie/5d7768313c3c2a001fbcd1f0", "imdb://tt0090728", "tmdb://6978", "tvdb://1876"]);
    expect(new Set(events.map((e) => e.sessionKey)).size).toBe(1);
  });

  it("prefers the reported viewOffset over its own estimate", () => {
    const { adapter, events, clock } = setup();
    adapter.accept(movie("media.play", 0));
    clock.now += 60_000;
    adapter.accept(movie("media.pause", 1_200_000)); // the user had seeked ahead
    expect(events.at(-1)!.positionMs).toBe(1_200_000);
  });

  it("follows an episode session with the episode's hints", () => {
    const { adapter, events, clock } = setup();
    const ep = (event: string, offset?: number) =>
      payload("episode.media.resume.plexagent-guidarray-tvdb-only.json", (p) => {
        p.event = event;
        const m = p.Metadata as Record<string, unknown>;
        if (offset === undefined) delete m.viewOffset;
        else m.viewOffset = offset;
      });
    adapter.accept(ep("media.play", 0));
    clock.now += 1_400_000;
    adapter.accept(ep("media.stop"));
    expect(events.map((e) => e.state)).toEqual(["playing", "stopped"]);
    expect(events[1]!.progress).toBeCloseTo((1_400_000 / 1_500_000) * 100, 5);
    expect(events[1]!.hints).toMatchObject({ kind: "episode", showTitle: "Cops", season: 14, episode: 1 });
    expect(events[1]!.hints.guids).toContain("tvdb://445575");
  });

  it("routes two Plex users to two Trakt accounts and ignores a third", () => {
    const { adapter, events } = setup({ users: { alice: "alice-trakt", "42": "bob-trakt" }, defaultAccount: undefined });
    expect(adapter.accept(movie("media.play", 0, { id: 7, title: "alice" }))).toBe("used");
    expect(adapter.accept(movie("media.play", 0, { id: 42, title: "bob" }))).toBe("used");
    expect(adapter.accept(movie("media.play", 0, { id: 99, title: "guest" }))).toBe("ignored");
    expect(events.map((e) => e.account)).toEqual(["alice-trakt", "bob-trakt"]);
    expect(new Set(events.map((e) => e.sessionKey)).size).toBe(2);
  });

  it("ignores unmapped users when no default account is configured", () => {
    const { adapter, events } = setup({ defaultAccount: undefined });
    expect(adapter.accept(movie("media.play", 0))).toBe("ignored");
    expect(events).toHaveLength(0);
  });

  it("filters by player and server", () => {
    const { adapter, events } = setup({ players: ["Living Room TV"], webhookServers: [] });
    expect(adapter.accept(movie("media.play", 0))).toBe("ignored");
    const byTitle = setup({ players: ["SHIELD Android TV"] });
    expect(byTitle.adapter.accept(movie("media.play", 0))).toBe("used");
    const byServer = setup({ webhookServers: ["another-server"] });
    expect(byServer.adapter.accept(movie("media.play", 0))).toBe("ignored");
    expect(events).toHaveLength(0);
  });

  it("ignores webhooks from a server followed through its notification socket, and hands its sessions over", () => {
    const followed = new Set<string>();
    const { adapter, events } = setup({ followedServers: followed });
    const uuid = (movie("media.play", 0).Server as { uuid: string }).uuid;
    expect(adapter.accept(movie("media.play", 0))).toBe("used");
    adapter.handOver("another-server");
    expect(events.map((e) => e.state)).toEqual(["playing"]);
    followed.add(uuid);
    adapter.handOver(uuid);
    expect(events.map((e) => e.state)).toEqual(["playing", "stopped"]);
    expect(adapter.accept(movie("media.pause", 60_000))).toBe("ignored");
    expect(events).toHaveLength(2);
  });

  it("counts media.scrobble as ≥ 90 % when the stop that follows has no position", () => {
    const { adapter, events, clock } = setup();
    adapter.accept(movie("media.play", 0));
    clock.now += 60_000; // the estimate alone would say 1 %
    adapter.accept(movie("media.scrobble"));
    adapter.accept(movie("media.stop"));
    expect(events.at(-1)!.state).toBe("stopped");
    expect(events.at(-1)!.progress).toBeGreaterThanOrEqual(90);
  });

  it("takes a later stop's real position over Plex's scrobble signal", () => {
    const { adapter, events } = setup();
    adapter.accept(movie("media.play", 0));
    adapter.accept(movie("media.scrobble"));
    adapter.accept(movie("media.stop", 1_000_000));
    expect(events.at(-1)!.progress).toBeCloseTo((1_000_000 / 5_940_000) * 100, 5);
  });

  it("counts the watch when no stop follows media.scrobble within the grace period", () => {
    vi.useFakeTimers();
    const { adapter, events } = setup({ scrobbleGraceMs: 60_000 });
    adapter.accept(movie("media.play", 5_400_000));
    adapter.accept(movie("media.scrobble"));
    expect(events.at(-1)!.state).toBe("playing");
    vi.advanceTimersByTime(59_000);
    expect(events.some((e) => e.state === "stopped")).toBe(false);
    vi.advanceTimersByTime(2_000);
    expect(events.at(-1)!.state).toBe("stopped");
    expect(events.at(-1)!.progress).toBeGreaterThanOrEqual(90);
  });

  it("stops the previous item when the same player moves on to another one", () => {
    const { adapter, events } = setup();
    adapter.accept(movie("media.play", 0));
    adapter.accept(payload("movie.media.stop.legacy-imdb-agent.json", (p) => {
      p.event = "media.play";
      p.Player = { uuid: "f34345234ef4523423432-com-plexapp-android" };
      p.Server = { uuid: "27a04b118b1bf1f25f8e99306785453623e18b67" };
      p.Account = { id: 1, title: "title" };
    }));
    expect(events.map((e) => `${e.state}:${e.hints.title}`)).toEqual([
      "playing:Big Trouble in Little China",
      "stopped:Big Trouble in Little China",
      "playing:Barry Lyndon",
    ]);
  });

  it("emits a final stopped for open sessions when stopped", async () => {
    const { adapter, events, clock } = setup();
    adapter.accept(movie("media.play", 0));
    clock.now += 120_000;
    await adapter.stop();
    expect(events.at(-1)).toMatchObject({ state: "stopped", positionMs: 120_000 });
    expect(adapter.accept(movie("media.play", 0))).toBe("ignored");
  });
});

describe("PlexAdapter, Plex's own verdict", () => {
  it("media.scrobble carries it; play, pause, resume and stop do not", () => {
    const { adapter, events } = setup();
    for (const e of ["media.play", "media.pause", "media.resume", "media.scrobble", "media.stop"]) adapter.accept(movie(e, 5_400_000));
    expect(events.map((e) => [e.state, e.playerWatched ?? false])).toEqual([
      ["playing", false],
      ["paused", false],
      ["playing", false],
      ["playing", true],
      ["stopped", false],
    ]);
  });

  it("the item's viewCount going up during the session (marked played) carries it, once", () => {
    const { adapter, events } = setup();
    const withViews = (event: string, viewCount: number | undefined): PlexPayload =>
      payload("movie.media.scrobble.plexagent-guidarray.json", (p) => {
        p.event = event;
        const metadata = p.Metadata as Record<string, unknown>;
        if (viewCount === undefined) delete metadata.viewCount; // Plex leaves it out while it is 0
        else metadata.viewCount = viewCount;
      });
    adapter.accept(withViews("media.play", undefined));
    adapter.accept(withViews("media.pause", undefined));
    adapter.accept(withViews("media.resume", 1));
    adapter.accept(withViews("media.stop", 1));
    expect(events.map((e) => [e.state, e.playerWatched ?? false])).toEqual([
      ["playing", false],
      ["paused", false],
      ["playing", true],
      ["stopped", false],
    ]);
    // An item already watched before: only a count above the session's first one is a verdict.
    const second = setup();
    second.adapter.accept(withViews("media.play", 3));
    second.adapter.accept(withViews("media.stop", 3));
    expect(second.events.some((e) => e.playerWatched)).toBe(false);
    const third = setup();
    third.adapter.accept(withViews("media.play", 3));
    third.adapter.accept(withViews("media.stop", 4));
    expect(third.events.at(-1)).toMatchObject({ state: "stopped", playerWatched: true });
  });
});

describe("PlexAdapter, media.scrobble first", () => {
  it("treats a scrobble for a session it has not seen as playing", () => {
    const { adapter, events } = setup();
    adapter.accept(movie("media.scrobble"));
    expect(events.at(-1)).toMatchObject({ state: "playing" });
    expect(events.at(-1)!.progress).toBeGreaterThanOrEqual(90);
  });
});
