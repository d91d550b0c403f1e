// Turns what a Jellyfin/Emby server says is playing (one full picture of its sessions at a time, from the sessions
// feed or GET /Sessions) into PlaybackEvents. Pure: no I/O, no timers; time comes in as `now` with every call,
// events go out as return values.
//
// The server never says "stopped": a playback ends when its item disappears from the session (or is replaced by
// another), and by then the server no longer tells where it ended. So the tracker keeps the last position itself
// and moves it on by the time since, while playing, up to a bound (the server reports every 1.5 s while playing).
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../core/playback.js";

/** One user's playback of one item in one server session, as the adapter saw it in the latest picture. */
export interface ObservedPlayback {
  /** Stable per server session and user: "<session id>/<user id>". */
  key: string;
  userId: string;
  /** The Trakt account it goes to (undefined = the default account). */
  account: string | undefined;
  itemId: string;
  hints: MediaHints;
  durationMs: number | undefined;
  /** Undefined when the server did not say (Jellyfin omits it right after a track change). */
  positionMs: number | undefined;
  paused: boolean;
}

/** A playback that ended: what the adapter needs to ask the server for its verdict afterwards. */
export interface FinishedPlayback extends Omit<ObservedPlayback, "positionMs" | "paused"> {
  positionMs: number;
}

export interface TrackerOptions {
  /** The event's `player`: "jellyfin" / "emby". */
  player: string;
  /** Minimum time between two periodic `playing` updates. Transitions (pause, resume, seek, stop) go out at once. */
  progressIntervalMs: number;
  /** A position this far from the expected one is a seek, reported at once. */
  seekToleranceMs: number;
  /** Longest stretch a position is moved on without hearing from the server. */
  maxExtrapolationMs: number;
}

export interface TrackerOutput {
  events: PlaybackEvent[];
  finished: FinishedPlayback[];
}

interface Tracked extends Omit<ObservedPlayback, "positionMs"> {
  positionMs: number;
  positionAt: number;
  lastEmitAt: number;
}

/** A playback being followed, for status. */
export interface TrackedView {
  key: string;
  state: "playing" | "paused";
  hints: MediaHints;
  progress: number | undefined;
  account: string | undefined;
}

export class PlaybackTracker {
  readonly #tracked = new Map<string, Tracked>();

  constructor(private readonly options: TrackerOptions) {}

  /** The latest full picture: playbacks missing from it have ended. */
  update(observed: readonly ObservedPlayback[], now: number): TrackerOutput {
    const out: TrackerOutput = { events: [], finished: [] };
    const seen = new Map(observed.map((o) => [o.key, o]));
    for (const tracked of [...this.#tracked.values()]) {
      const next = seen.get(tracked.key);
      if (next === undefined || next.itemId !== tracked.itemId || next.account !== tracked.account) this.#finish(tracked, now, out);
    }
    for (const o of seen.values()) {
      const tracked = this.#tracked.get(o.key);
      if (tracked === undefined) this.#begin(o, now, out);
      else this.#continue(tracked, o, now, out);
    }
    return out;
  }

  /** Ends everything (the adapter stops). */
  finishAll(now: number): TrackerOutput {
    const out: TrackerOutput = { events: [], finished: [] };
    for (const tracked of [...this.#tracked.values()]) this.#finish(tracked, now, out);
    return out;
  }

  current(now: number): TrackedView[] {
    return [...this.#tracked.values()].map((t) => ({
      key: t.key,
      state: t.paused ? "paused" : "playing",
      hints: t.hints,
      progress: this.#progress(t, this.#position(t, now)),
      account: t.account,
    }));
  }

  #begin(o: ObservedPlayback, now: number, out: TrackerOutput): void {
    const tracked: Tracked = {
      key: o.key,
      userId: o.userId,
      account: o.account,
      itemId: o.itemId,
      hints: o.hints,
      durationMs: o.durationMs,
      positionMs: o.positionMs ?? 0,
      positionAt: now,
      paused: o.paused,
      lastEmitAt: now,
    };
    this.#tracked.set(o.key, tracked);
    out.events.push(this.#event(tracked, tracked.paused ? "paused" : "playing", now));
  }

  #continue(t: Tracked, o: ObservedPlayback, now: number, out: TrackerOutput): void {
    const expected = this.#position(t, now);
    t.hints = o.hints;
    if (o.durationMs !== undefined) t.durationMs = o.durationMs;
    const reported = o.positionMs;
    const moveTo = (positionMs: number): void => {
      t.positionMs = positionMs;
      t.positionAt = now;
    };
    if (o.paused !== t.paused) {
      moveTo(reported ?? expected);
      t.paused = o.paused;
      out.events.push(this.#event(t, t.paused ? "paused" : "playing", now));
      return;
    }
    if (reported !== undefined && Math.abs(reported - expected) > this.options.seekToleranceMs) {
      moveTo(reported);
      out.events.push(this.#event(t, t.paused ? "paused" : "playing", now));
      return;
    }
    // Without a reported position the moved-on one stands (anchored now, so it is not moved on twice).
    moveTo(reported ?? expected);
    if (!t.paused && now - t.lastEmitAt >= this.options.progressIntervalMs) out.events.push(this.#event(t, "playing", now));
  }

  #finish(t: Tracked, now: number, out: TrackerOutput): void {
    this.#tracked.delete(t.key);
    const positionMs = this.#position(t, now);
    t.positionMs = positionMs;
    t.positionAt = now;
    t.paused = true;
    out.events.push(this.#event(t, "stopped", now));
    out.finished.push({ key: t.key, userId: t.userId, account: t.account, itemId: t.itemId, hints: t.hints, positionMs, durationMs: t.durationMs });
  }

  /** The last position, moved on by the time since while playing (bounded), never past the end. */
  #position(t: Tracked, now: number): number {
    const elapsed = t.paused ? 0 : Math.min(Math.max(0, now - t.positionAt), this.options.maxExtrapolationMs);
    const position = t.positionMs + elapsed;
    return t.durationMs === undefined ? position : Math.min(position, t.durationMs);
  }

  #progress(t: Tracked, positionMs: number): number | undefined {
    if (t.durationMs === undefined || t.durationMs <= 0) return undefined;
    return Math.min(100, Math.max(0, (positionMs / t.durationMs) * 100));
  }

  #event(t: Tracked, state: PlaybackState, now: number): PlaybackEvent {
    t.lastEmitAt = now;
    const event: PlaybackEvent = {
      player: this.options.player,
      sessionKey: t.key,
      state,
      positionMs: Math.round(t.positionMs),
      observedAt: now,
      hints: t.hints,
    };
    if (t.durationMs !== undefined) event.durationMs = t.durationMs;
    const progress = this.#progress(t, t.positionMs);
    if (progress !== undefined) event.progress = progress;
    if (t.account !== undefined) event.account = t.account;
    return event;
  }
}
