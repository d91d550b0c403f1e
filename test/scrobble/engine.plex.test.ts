// The engine behind the real Plex adapter, fed captured webhook payloads: Plex says nothing while playing, so the
// stale rule must not pause (or lose) a watch between media.play and media.scrobble.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { PlexAdapter } from "../../src/players/plex/adapter.js";
import { plexPayloadSchema, type PlexPayload } from "../../src/players/plex/payload.js";
import { ScrobbleEngine } from "../../src/scrobble/engine.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import { silentLogger } from "../../src/util/log.js";
import { fixture } from "../players/plex/support.js";
import { baseSettings, T0 } from "./helpers.js";

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

/** The captured movie payload (99 min) with another event name and offset. */
function movie(event: string, viewOffset?: number): PlexPayload {
  const raw = fixture("movie.media.scrobble.plexagent-guidarray.json");
  raw.event = event;
  const metadata = raw.Metadata as Record<string, unknown>;
  if (viewOffset === undefined) delete metadata.viewOffset;
  else metadata.viewOffset = viewOffset;
  return plexPayloadSchema.parse(raw);
}

it("play, 89 silent minutes, media.scrobble, media.stop → start and one stop (a watch)", async () => {
  const stored: ScrobbleIntent[] = [];
  const engine = new ScrobbleEngine({ sink: { submit: (i) => Promise.resolve(void stored.push(i)) }, settings: baseSettings });
  const adapter = new PlexAdapter({ users: {}, players: [], webhookServers: [], defaultAccount: "default" }, { emit: engine.listener, now: () => Date.now() }, silentLogger());
  await adapter.start(new AbortController().signal);
  const minute = 60_000;

  adapter.accept(movie("media.play", 0));
  await vi.advanceTimersByTimeAsync(89.1 * minute);
  adapter.accept(movie("media.scrobble"));
  await vi.advanceTimersByTimeAsync(5 * minute);
  adapter.accept(movie("media.stop"));
  await engine.idle();

  expect(stored.map((i) => i.kind)).toEqual(["start", "stop"]);
  expect(stored[0]?.progress).toBe(1);
  expect(stored[1]?.progress).toBeGreaterThan(94);
  expect(stored[1]?.hints.title).toBe("Big Trouble in Little China");
  expect(stored[1]?.account).toBe("default");
  await adapter.stop();
  await engine.stop();
});
