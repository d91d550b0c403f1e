// The playback sessions of one Plex Media Server, as its notification socket and /status/sessions report them,
// turned into PlaybackEvents. Pure: no I/O and no timers — time comes in with every call, events and the lookups
// the adapter must make go out as return values (see socket-adapter.ts for the wiring).
//
// What it decides (each rule has a table test in test/players/plex/socket-tracker.test.ts):
// - a session is followed by Plex's sessionKey; who plays what is looked up once, at first sight (the session is
//   gone from /status/sessions by the time `stopped` arrives), and nothing is reported before that is known;
// - a new ratingKey on the same sessionKey is the end of the old item and the start of a new one (clients that
//   never send `stopped`; pre-rolls reuse the sessionKey with the clip's ratingKey);
// - `buffering` changes nothing (it is not a pause); `error` ends the session at its last known position;
// - a session silent for `checkMs` is looked up in /status/sessions: present, it is alive; gone, it ends at its last
//   known position — a stop past the threshold is a watch, not something left to the engine's stale timers;
// - after a reconnect a session the server no longer lists waits one check for its continuation (a restarted
//   server gives the same playback a new sessionKey: same player, user and item → the same playthrough);
// - a server unreachable for `checkMs` ends every session at its last known position;
// - the server marking the item played (its viewCount rose, owner's sessions only) is the player's verdict.
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../core/playback.js";
import type { PlaySessionState } from "./notifications.js";

/** What the adapter learned about a session at first sight. */
export interface SessionInfo {
  user: { id?: string | undefined; title?: string | undefined };
  player: { id?: string | undefined; title?: string | undefined };
  hints: MediaHints;
  durationMs: number | undefined;
  /** Trakt account; undefined when `ignored`. */
  account: string | undefined;
  /** Why nothing of this session is reported (a clip, Live TV, music, an unmapped user, a filtered player). */
  ignored: string | undefined;
  /** The item's viewCount for the token's owner when the session began; only set for the owner's own sessions. */
  viewCount: number | undefined;
}

/** One entry of /status/sessions, as far as the tracker needs it. */
export interface ListedSession {
  sessionKey: string;
  ratingKey: string;
  /** `/library/metadata/N`, or `/livetv/sessions/…` for Live TV. */
  key: string | undefined;
  clientIdentifier: string | undefined;
  userId: string | undefined;
  viewOffset: number | undefined;
  /** Player.state: playing | paused | buffering. */
  state: string | undefined;
}

export interface Lookup {
  sessionKey: string;
  ratingKey: string;
  /** The item's key as the server gave it (Live TV is told apart by it). */
  key: string | undefined;
}

export interface TrackerOutput {
  events: PlaybackEvent[];
  /** Sessions seen for the first time: the adapter looks them up and calls `resolved` (or `lookupFailed`). */
  lookups: Lookup[];
}

export interface TrackerOptions {
  /** "plex:<server name>" */
  player: string;
  /** A session silent this long is checked against /status/sessions. */
  checkMs: number;
  /** While playing, report the position at most this often (state changes and seeks at once). */
  progressIntervalMs: number;
}

/**
 * Sessions followed at once, per server. A household has a handful; a server (or something posing as one) that
 * announces more is not followed beyond this, so it can neither grow the daemon's memory nor make it flood the
 * server with lookups.
 */
export const MAX_SESSIONS = 64;
/** A position further than this from what elapsed time explains is a seek: reported at once. */
const JUMP_MS = 3_000;
/** A failed lookup is tried again with the next notification, but not sooner than this. */
const LOOKUP_RETRY_MS = 5_000;
/** Ended sessions kept for a late verdict (the server marks the item played after the stop). */
const RECENT_ENDS = 16;
const RECENT_END_MS = 10 * 60_000;

interface Tracked {
  sessionKey: string;
  ratingKey: string;
  /** The PlaybackEvent sessionKey: kept when a restarted server's new session continues this one. */
  eventKey: string;
  clientIdentifier: string | undefined;
  info: SessionInfo | undefined;
  lookupPending: boolean;
  lookupFailedAt: number | undefined;
  /** Last playing/paused state the server reported (undefined while only `buffering` was seen). */
  state: "playing" | "paused" | undefined;
  positionMs: number;
  positionAt: number;
  heardAt: number;
  started: boolean;
  lastEmitAt: number;
  playerWatched: boolean;
  /** After a reconnect the server no longer listed it: waiting one check for its continuation. */
  orphanedAt: number | undefined;
}

interface Ended {
  eventKey: string;
  ratingKey: string;
  info: SessionInfo;
  positionMs: number;
  at: number;
  playerWatched: boolean;
}

export interface SessionSummary {
  sessionKey: string;
  user: string | undefined;
  player: string | undefined;
  item: string;
  state: string;
  progress: number | undefined;
  account: string | undefined;
  ignored: string | undefined;
}

export class PlexSessionTracker {
  readonly #sessions = new Map<string, Tracked>();
  #ended: Ended[] = [];
  #generation = 0;
  #unreachableSince: number | undefined;

  constructor(private readonly options: TrackerOptions) {}

  /** A `playing` notification entry. */
  notify(n: PlaySessionState, now: number): TrackerOutput {
    const out = emptyOutput();
    this.#unreachableSince = undefined;
    let t = this.#sessions.get(n.sessionKey);
    if (t !== undefined && t.ratingKey !== n.ratingKey) {
      // The client moved on without a `stopped` (or a pre-roll gave way to the feature).
      this.#end(t, now, out);
      t = undefined;
    }
    if (t === undefined) {
      if (n.state === "stopped" || n.state === "error") return out; // nothing of it was ever reported
      if (this.#sessions.size >= MAX_SESSIONS) return out;
      t = this.#track(n.sessionKey, n.ratingKey, n.clientIdentifier, now);
      out.lookups.push({ sessionKey: t.sessionKey, ratingKey: t.ratingKey, key: n.key });
    } else if (t.info === undefined && !t.lookupPending && (t.lookupFailedAt === undefined || now - t.lookupFailedAt >= LOOKUP_RETRY_MS)) {
      t.lookupPending = true;
      out.lookups.push({ sessionKey: t.sessionKey, ratingKey: t.ratingKey, key: n.key });
    }
    t.heardAt = now;
    t.orphanedAt = undefined;
    t.clientIdentifier ??= n.clientIdentifier;
    switch (n.state) {
      case "buffering":
        return out;
      case "stopped":
        // Some clients report the stop with offset 0 after real progress: that means "unknown", not "the start".
        if (n.viewOffset !== undefined && (n.viewOffset > 0 || t.positionMs === 0)) this.#observe(t, n.viewOffset, now);
        this.#end(t, now, out, true);
        return out;
      case "error":
        this.#end(t, now, out);
        return out;
      case "playing":
      case "paused":
        this.#update(t, n.state, n.viewOffset, now, out);
        return out;
    }
  }

  /** The lookup of a session finished. */
  resolved(lookup: Lookup, info: SessionInfo, now: number): TrackerOutput {
    const out = emptyOutput();
    const t = this.#sessions.get(lookup.sessionKey);
    if (t?.ratingKey !== lookup.ratingKey || t.info !== undefined) return out;
    t.info = info;
    t.lookupPending = false;
    t.clientIdentifier ??= info.player.id;
    // Positions heard before the runtime was known are held to it now.
    if (info.durationMs !== undefined) t.positionMs = Math.min(t.positionMs, info.durationMs);
    if (info.ignored !== undefined) return out;
    this.#adoptOrphan(t);
    if (t.state !== undefined) out.events.push(this.#event(t, t.state, now));
    return out;
  }

  lookupFailed(lookup: Lookup, now: number): void {
    const t = this.#sessions.get(lookup.sessionKey);
    if (t?.ratingKey !== lookup.ratingKey) return;
    t.lookupPending = false;
    t.lookupFailedAt = now;
  }

  /**
   * What /status/sessions lists now. `afterConnect`: the socket has just (re)connected — sessions playing before
   * are picked up, and ones no longer listed wait one check for a continuation (a restarted server).
   */
  listed(sessions: readonly ListedSession[], now: number, afterConnect: boolean): TrackerOutput {
    const out = emptyOutput();
    this.#unreachableSince = undefined;
    const byKey = new Map(sessions.map((s) => [s.sessionKey, s]));
    // A restarted server lists the same playback under a new sessionKey: the same player, user and item.
    for (const s of sessions) {
      if (this.#sessions.has(s.sessionKey)) continue;
      const orphan = this.#orphanFor(s.ratingKey, s.clientIdentifier, s.userId);
      if (orphan === undefined) continue;
      this.#sessions.delete(orphan.sessionKey);
      orphan.sessionKey = s.sessionKey;
      orphan.orphanedAt = undefined;
      this.#sessions.set(s.sessionKey, orphan);
    }
    for (const t of [...this.#sessions.values()]) {
      const listed = byKey.get(t.sessionKey);
      if (listed?.ratingKey === t.ratingKey) {
        t.heardAt = now;
        t.orphanedAt = undefined;
        continue;
      }
      if (listed === undefined && afterConnect && t.info?.ignored === undefined && t.orphanedAt === undefined) {
        t.orphanedAt = now;
        continue;
      }
      this.#end(t, now, out);
    }
    for (const s of sessions) {
      if (this.#sessions.has(s.sessionKey) || this.#sessions.size >= MAX_SESSIONS) continue;
      const t = this.#track(s.sessionKey, s.ratingKey, s.clientIdentifier, now);
      if (s.state === "playing" || s.state === "paused") t.state = s.state;
      if (s.viewOffset !== undefined) this.#observe(t, s.viewOffset, now);
      out.lookups.push({ sessionKey: t.sessionKey, ratingKey: t.ratingKey, key: s.key });
    }
    return out;
  }

  /** The server cannot be reached (socket closed, requests failing) since `since`. */
  unreachable(since: number): void {
    this.#unreachableSince ??= since;
  }

  /** Sessions silent for the check time: the adapter should ask /status/sessions (and call `listed`). */
  needsCheck(now: number): boolean {
    for (const t of this.#sessions.values()) if (now >= this.#checkDue(t)) return true;
    return false;
  }

  /** A check could not be made: the sessions due wait another check time. */
  deferChecks(now: number): void {
    for (const t of this.#sessions.values()) {
      if (now < this.#checkDue(t)) continue;
      if (t.orphanedAt !== undefined) t.orphanedAt = now;
      else t.heardAt = now;
    }
  }

  /** A server unreachable for the check time: every session ends at its last known position. */
  expireUnreachable(now: number): TrackerOutput {
    const out = emptyOutput();
    if (this.#unreachableSince === undefined || now - this.#unreachableSince < this.options.checkMs) return out;
    for (const t of [...this.#sessions.values()]) this.#end(t, now, out);
    return out;
  }

  /** When a silence check or the unreachable timeout falls due next; undefined while nothing is followed. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.#sessions.values()) next = Math.min(next ?? Infinity, this.#checkDue(t));
    if (next !== undefined && this.#unreachableSince !== undefined) next = Math.min(next, this.#unreachableSince + this.options.checkMs);
    return next;
  }

  /** Items of the owner's sessions (open or just ended) whose viewCount may rise: the verdict to look for. */
  verdictCandidates(ratingKey?: string): string[] {
    const keys = new Set<string>();
    for (const t of this.#sessions.values()) if (t.info?.viewCount !== undefined && !t.playerWatched && t.info.ignored === undefined) keys.add(t.ratingKey);
    for (const e of this.#ended) if (e.info.viewCount !== undefined && !e.playerWatched) keys.add(e.ratingKey);
    return ratingKey === undefined ? [...keys] : keys.has(ratingKey) ? [ratingKey] : [];
  }

  /** The item's viewCount now: above the one seen at the start, the server marked it played for its owner. */
  viewCount(ratingKey: string, viewCount: number, now: number): TrackerOutput {
    const out = emptyOutput();
    this.#ended = this.#ended.filter((e) => now - e.at <= RECENT_END_MS);
    for (const t of this.#sessions.values()) {
      if (t.ratingKey !== ratingKey || t.playerWatched || !rose(t.info, viewCount)) continue;
      t.playerWatched = true;
      if (t.started && t.state !== undefined) out.events.push(this.#event(t, t.state, now));
    }
    for (const e of this.#ended) {
      if (e.ratingKey !== ratingKey || e.playerWatched || !rose(e.info, viewCount)) continue;
      e.playerWatched = true;
      out.events.push(this.#eventFor(e.eventKey, e.info, "stopped", e.positionMs, now, true));
    }
    return out;
  }

  /** The adapter stops: a final `stopped` for everything reported, at its last known position. */
  endAll(now: number): TrackerOutput {
    const out = emptyOutput();
    for (const t of [...this.#sessions.values()]) this.#end(t, now, out);
    return out;
  }

  summary(now: number): SessionSummary[] {
    return [...this.#sessions.values()].map((t) => {
      const info = t.info;
      const position = this.#position(t, now);
      return {
        sessionKey: t.sessionKey,
        user: info?.user.title ?? info?.user.id,
        player: info?.player.title ?? t.clientIdentifier,
        item: info === undefined ? `ratingKey ${t.ratingKey} (looking it up)` : describeItem(info.hints, t.ratingKey),
        state: t.orphanedAt !== undefined ? "waiting for the server" : (t.state ?? "buffering"),
        progress: info?.durationMs ? Math.min(100, (position / info.durationMs) * 100) : undefined,
        account: info?.account,
        ignored: info?.ignored,
      };
    });
  }

  get size(): number {
    return this.#sessions.size;
  }

  #track(sessionKey: string, ratingKey: string, clientIdentifier: string | undefined, now: number): Tracked {
    this.#generation += 1;
    const t: Tracked = {
      sessionKey,
      ratingKey,
      eventKey: `${sessionKey}:${ratingKey}#${this.#generation}`,
      clientIdentifier,
      info: undefined,
      lookupPending: true,
      lookupFailedAt: undefined,
      state: undefined,
      positionMs: 0,
      positionAt: now,
      heardAt: now,
      started: false,
      lastEmitAt: 0,
      playerWatched: false,
      orphanedAt: undefined,
    };
    this.#sessions.set(sessionKey, t);
    return t;
  }

  #checkDue(t: Tracked): number {
    return (t.orphanedAt ?? t.heardAt) + this.options.checkMs;
  }

  #update(t: Tracked, state: "playing" | "paused", viewOffset: number | undefined, now: number, out: TrackerOutput): void {
    const expected = this.#position(t, now);
    const previous = t.state;
    t.state = state;
    if (viewOffset !== undefined) this.#observe(t, viewOffset, now);
    else this.#observe(t, expected, now);
    if (t.info === undefined || t.info.ignored !== undefined) return;
    const jumped = previous !== undefined && Math.abs(t.positionMs - expected) > JUMP_MS;
    const due = state === "playing" && now - t.lastEmitAt >= this.options.progressIntervalMs;
    if (!t.started || previous !== state || jumped || due) out.events.push(this.#event(t, state, now));
  }

  #observe(t: Tracked, positionMs: number, now: number): void {
    const duration = t.info?.durationMs;
    t.positionMs = duration === undefined ? positionMs : Math.min(positionMs, duration);
    t.positionAt = now;
  }

  /** Where playback is now: the last report, advanced by the time since while playing (for seek detection). */
  #position(t: Tracked, now: number): number {
    const moved = t.state === "playing" ? Math.max(0, now - t.positionAt) : 0;
    const position = t.positionMs + moved;
    const duration = t.info?.durationMs;
    return duration === undefined ? position : Math.min(position, duration);
  }

  /**
   * Ends a session at its last known position (never advanced: nothing is made up). `reported`: the server said
   * `stopped` itself, so the event is stamped now; otherwise it is stamped when that position was heard.
   */
  #end(t: Tracked, now: number, out: TrackerOutput, reported = false): void {
    this.#sessions.delete(t.sessionKey);
    if (!t.started || t.info === undefined || t.info.ignored !== undefined) return;
    const at = reported ? now : Math.max(t.lastEmitAt, t.positionAt);
    out.events.push(this.#event(t, "stopped", at));
    this.#ended.push({ eventKey: t.eventKey, ratingKey: t.ratingKey, info: t.info, positionMs: t.positionMs, at: now, playerWatched: t.playerWatched });
    if (this.#ended.length > RECENT_ENDS) this.#ended.shift();
  }

  /** A session waiting for its continuation after a reconnect: the same item, player and user. */
  #orphanFor(ratingKey: string, clientIdentifier: string | undefined, userId: string | undefined): Tracked | undefined {
    if (clientIdentifier === undefined) return undefined;
    for (const o of this.#sessions.values()) {
      if (o.orphanedAt === undefined || o.ratingKey !== ratingKey || o.info === undefined) continue;
      if (o.info.user.id === userId && (o.clientIdentifier ?? o.info.player.id) === clientIdentifier) return o;
    }
    return undefined;
  }

  /** A session looked up after a reconnect continues an orphan: it takes over the orphan's playthrough. */
  #adoptOrphan(t: Tracked): void {
    const info = t.info;
    if (info === undefined) return;
    const o = this.#orphanFor(t.ratingKey, t.clientIdentifier ?? info.player.id, info.user.id);
    if (o === undefined || o === t) return;
    this.#sessions.delete(o.sessionKey);
    t.eventKey = o.eventKey;
    t.started = o.started;
    t.lastEmitAt = o.lastEmitAt;
    t.playerWatched = o.playerWatched;
    t.info = { ...info, viewCount: o.info?.viewCount ?? info.viewCount };
  }

  #event(t: Tracked, state: PlaybackState, now: number): PlaybackEvent {
    const info = t.info;
    if (info === undefined) throw new Error("unreachable: events are only made for sessions looked up");
    t.started = true;
    t.lastEmitAt = now;
    return this.#eventFor(t.eventKey, info, state, t.positionMs, now, t.playerWatched);
  }

  #eventFor(eventKey: string, info: SessionInfo, state: PlaybackState, positionMs: number, now: number, playerWatched: boolean): PlaybackEvent {
    const event: PlaybackEvent = {
      player: this.options.player,
      sessionKey: eventKey,
      state,
      positionMs: Math.round(positionMs),
      observedAt: now,
      hints: info.hints,
    };
    if (info.account !== undefined) event.account = info.account;
    if (info.durationMs !== undefined) {
      event.durationMs = info.durationMs;
      event.progress = Math.min(100, (positionMs / info.durationMs) * 100);
    }
    if (playerWatched) event.playerWatched = true;
    return event;
  }
}

function emptyOutput(): TrackerOutput {
  return { events: [], lookups: [] };
}

function rose(info: SessionInfo | undefined, viewCount: number): boolean {
  return info?.viewCount !== undefined && info.ignored === undefined && viewCount > info.viewCount;
}

/** "Bob's Burgers S09E15 The Fresh Princ-ipal", "Big Trouble in Little China (1986)". */
export function describeItem(hints: MediaHints, ratingKey: string): string {
  if (hints.kind === "episode") {
    const se = hints.season !== undefined && hints.episode !== undefined ? ` S${pad(hints.season)}E${pad(hints.episode)}` : "";
    return `${hints.showTitle ?? "?"}${se}${hints.title ? ` ${hints.title}` : ""}`;
  }
  if (hints.title !== undefined) return `${hints.title}${hints.year !== undefined ? ` (${hints.year})` : ""}`;
  return `ratingKey ${ratingKey}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
