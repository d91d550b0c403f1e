// The scrobble state machine for one player session: (state, input, now, settings) → (state, intents).
// Pure: no I/O, no timers, no Date.now(). The engine owns time; it calls `step` with events, with ticks at
// `nextDeadline`, and once with `shutdown`. Intent ids are derived from the playthrough id and a sequence number,
// so the same inputs always give the same intent stream.
import { createHash } from "node:crypto";
import type { MediaHints, PlaybackEvent, PlaybackState } from "../core/playback.js";
import type { IntentKind, ScrobbleIntent } from "./intent.js";
import { mergeHints, sameItem } from "./item.js";
import { clampProgress, finalIntentKinds } from "./threshold.js";

export interface SessionSettings {
  watchedThreshold: number;
  previewSeconds: number;
  staleAfterSeconds: number;
  closeAfterSeconds: number;
  pauseDebounceSeconds: number;
  seekDebounceSeconds: number;
  seekToleranceSeconds: number;
  /**
   * A playthrough the player itself counted as watched (`PlaybackEvent.playerWatched`) is a watch, whatever the
   * threshold and preview rules say. Undefined = true (the `scrobble` section's default).
   */
  trustPlayerVerdict?: boolean;
}

/** How long after a playthrough ends the player's late verdict on it (Kodi, Jellyfin: after the stop) still counts. */
export const VERDICT_WINDOW_MS = 5 * 60_000;

/** What the player last told us; `stale` = it was playing and then went silent. */
export type SessionPhase = "idle" | "playing" | "paused" | "stale";
/** What we last told Trakt in the current playthrough. */
export type TraktState = "none" | "playing" | "paused";

export interface Observation {
  observedAt: number;
  state: PlaybackState;
  positionMs: number | undefined;
  durationMs: number | undefined;
  progress: number | undefined;
  /** Playback rate; positions advance by elapsed time × speed. */
  speed: number;
}

export interface Playthrough {
  id: string;
  /** Sequence number of the next intent in this playthrough. */
  seq: number;
  /** A start has been sent: only then may a pause, stop or watch follow. */
  started: boolean;
  watched: boolean;
  /** Time really spent playing (player clock), summed between observations. */
  playedMs: number;
  /** Preview armed: playedMs when the item was entered past the threshold by opening or seeking. */
  previewFromMs: number | null;
  sawProgress: boolean;
  /** The player said it counted this playthrough as watched. */
  playerWatched: boolean;
}

/** The last playthrough this session finished, kept for a player's verdict that arrives after the stop. */
export interface FinishedPlaythrough {
  id: string;
  /** Sequence number of its next intent. */
  seq: number;
  account: string | undefined;
  hints: MediaHints;
  /** Its final progress, as sent. */
  progress: number;
  /** When it really ended (the time a watch is recorded with). */
  endedAt: number;
  /** Engine time of the finish: a verdict later than VERDICT_WINDOW_MS after it is stale. */
  finishedAt: number;
  /** A watch went out for it (at the finish or on a verdict): nothing can add another. */
  watched: boolean;
}

export interface SessionState {
  readonly player: string;
  readonly sessionKey: string;
  account: string | undefined;
  phase: SessionPhase;
  traktState: TraktState;
  lastSentProgress: number | undefined;
  hints: MediaHints;
  playthrough: Playthrough | undefined;
  playthroughCount: number;
  /** A debounced intent waiting for its time. */
  pending: { kind: "start" | "pause"; dueAt: number; since: number } | undefined;
  /** A seek whose start was superseded by a pause that then never went out: resume must re-send start. */
  seekUnsent: boolean;
  last: Observation | undefined;
  /** Engine time of the last (non-duplicate) event. */
  lastSeenAt: number;
  /** The player was playing at the last observation, so time since then counts as played. */
  clockRunning: boolean;
  /** The player reports on its own while playing (mpv, Kodi polling), not only on changes (Plex webhooks). */
  heartbeat: boolean;
  /** Fingerprints of the latest events, to ignore redelivered ones. */
  recent: string[];
  lastFinished: FinishedPlaythrough | undefined;
}

export type SessionInput = { kind: "event"; event: PlaybackEvent } | { kind: "tick" } | { kind: "shutdown" };

export interface StepResult {
  state: SessionState;
  intents: ScrobbleIntent[];
  /** The input was a duplicate of a recent event and changed nothing. */
  duplicate: boolean;
}

const RECENT_EVENTS = 8;

export function newSession(player: string, sessionKey: string, now: number): SessionState {
  return {
    player,
    sessionKey,
    account: undefined,
    phase: "idle",
    traktState: "none",
    lastSentProgress: undefined,
    hints: {},
    playthrough: undefined,
    playthroughCount: 0,
    pending: undefined,
    seekUnsent: false,
    last: undefined,
    lastSeenAt: now,
    clockRunning: false,
    heartbeat: false,
    recent: [],
    lastFinished: undefined,
  };
}

const closeAfterMs = (s: SessionSettings): number => Math.max(s.closeAfterSeconds, s.staleAfterSeconds) * 1000;

/** How long an event-driven player may stay quiet while playing when we do not know the item's runtime. */
const UNKNOWN_REMAINING_MS = 3 * 3600_000;

/**
 * How long a playing player may be silent before silence means anything: nothing for players that report
 * periodically; the rest of the item for players that only report changes (they speak again at the end).
 */
function quietAllowanceMs(st: SessionState): number {
  if (st.heartbeat) return 0;
  const last = st.last;
  if (last?.durationMs && last.positionMs !== undefined) return Math.max(0, last.durationMs - last.positionMs);
  return UNKNOWN_REMAINING_MS;
}

function staleAt(st: SessionState, s: SessionSettings): number {
  return st.lastSeenAt + quietAllowanceMs(st) + s.staleAfterSeconds * 1000;
}

function closeAt(st: SessionState, s: SessionSettings): number {
  return st.lastSeenAt + (st.phase === "stale" ? quietAllowanceMs(st) : 0) + closeAfterMs(s);
}

export function step(prev: SessionState, input: SessionInput, now: number, settings: SessionSettings): StepResult {
  const st = structuredClone(prev);
  const m = new Machine(st, now, settings);
  switch (input.kind) {
    case "event":
      if (!m.onEvent(input.event)) return { state: prev, intents: [], duplicate: true };
      break;
    case "tick":
      m.onTick();
      break;
    case "shutdown":
      m.onShutdown();
      break;
  }
  return { state: st, intents: m.out, duplicate: false };
}

/** The next time a tick could change this session, or undefined when only an event can. */
export function nextDeadline(st: SessionState, settings: SessionSettings): number | undefined {
  const times: number[] = [];
  if (st.pending) times.push(st.pending.dueAt);
  switch (st.phase) {
    case "playing":
      times.push(staleAt(st, settings));
      break;
    case "stale":
    case "paused":
      times.push(closeAt(st, settings));
      break;
    case "idle":
      times.push(st.lastSeenAt + forgetAfterMs(st, settings)); // forgotten
      break;
  }
  return Math.min(...times);
}

/** How long an idle session is kept: the close time, and never less than a late verdict may still upgrade its last playthrough. */
function forgetAfterMs(st: SessionState, s: SessionSettings): number {
  const f = st.lastFinished;
  const verdictOpenMs = f && !f.watched ? f.finishedAt + VERDICT_WINDOW_MS - st.lastSeenAt : 0;
  return Math.max(closeAfterMs(s), verdictOpenMs);
}

/** An idle session nobody has heard from for the close time (or a late verdict's window): the engine may forget it. */
export function isDisposable(st: SessionState, now: number, settings: SessionSettings): boolean {
  return st.phase === "idle" && now - st.lastSeenAt >= forgetAfterMs(st, settings);
}

function finite(v: number | undefined): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Normalises an event's numbers: fills position from progress and duration and vice versa. */
export function observe(e: PlaybackEvent): Observation {
  let durationMs = finite(e.durationMs);
  if (!durationMs) {
    const runtime = finite(e.hints.runtimeSeconds);
    durationMs = runtime ? runtime * 1000 : undefined;
  }
  let positionMs = finite(e.positionMs);
  let progress = finite(e.progress);
  if (progress === undefined && positionMs !== undefined && durationMs) progress = (positionMs / durationMs) * 100;
  if (positionMs === undefined && progress !== undefined && durationMs) positionMs = (progress / 100) * durationMs;
  if (progress !== undefined) progress = Math.min(100, progress);
  const speed = finite(e.speed);
  return { observedAt: e.observedAt, state: e.state, positionMs, durationMs, progress, speed: speed !== undefined && speed > 0 ? speed : 1 };
}

/** Stable fingerprint of an event (key order does not matter). */
function fingerprint(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${fingerprint(v)}`).join(",")}}`;
}

function playthroughId(st: SessionState, observedAt: number): string {
  const digest = createHash("sha256")
    .update(`${st.player}\u0000${st.sessionKey}\u0000${observedAt}\u0000${st.playthroughCount}`)
    .digest("hex");
  return `pt-${digest.slice(0, 24)}`;
}

class Machine {
  readonly out: ScrobbleIntent[] = [];

  constructor(
    private readonly st: SessionState,
    private readonly now: number,
    private readonly s: SessionSettings,
  ) {}

  /** Returns false when the event is a redelivery of a recent one. */
  onEvent(e: PlaybackEvent): boolean {
    const st = this.st;
    const fp = fingerprint(e);
    if (st.recent.includes(fp)) return false;
    st.recent.push(fp);
    if (st.recent.length > RECENT_EVENTS) st.recent.shift();

    if (e.playerWatched && this.isLateVerdict(e)) {
      // About a playthrough that is over (or another item than the one playing): it touches nothing else.
      this.lateVerdict(e);
      return true;
    }

    const cur = observe(e);
    const prev = st.last;
    let wasRunning = st.clockRunning;
    // Back from silence at the position continuous playing explains: it kept playing; count that time.
    if (st.phase === "stale" && prev && (e.state === "stopped" || e.state === "ended" || sameItem(st.hints, e.hints))) {
      if (prev.positionMs !== undefined && cur.positionMs !== undefined && !this.isJump(prev, cur, true)) wasRunning = true;
    }
    const elapsed = prev && wasRunning ? Math.max(0, cur.observedAt - prev.observedAt) : 0;
    if (st.playthrough) st.playthrough.playedMs += elapsed;
    st.lastSeenAt = this.now;

    if (e.state === "stopped" || e.state === "ended") {
      if (st.phase !== "idle") {
        this.noteVerdict(e);
        // Players that unload the file report position 0 with the stop; after real progress that means "unknown".
        const reported = cur.progress === 0 && (prev?.progress ?? 0) > 0 ? undefined : cur.progress;
        const final = e.state === "ended" ? 100 : (reported ?? this.advanced(prev, elapsed));
        this.finish(final, cur.observedAt);
      }
      st.last = cur;
      st.clockRunning = false;
      return true;
    }

    // A different item (or another account) in an active session: the player moved on — finish the old one
    // with its position advanced by the time it kept playing.
    if (st.phase !== "idle" && (e.account !== st.account || !sameItem(st.hints, e.hints))) {
      this.finish(this.advanced(prev, elapsed), cur.observedAt);
    }

    if (st.phase === "idle") {
      this.beginPlaythrough(e, cur);
      this.noteVerdict(e);
      return true;
    }

    this.noteVerdict(e);
    const pt = st.playthrough;
    st.hints = mergeHints(st.hints, e.hints);
    const jump = this.isJump(prev, cur, wasRunning);
    if (pt) this.updatePreview(pt, cur, jump);
    st.last = cur;

    if (e.state === "playing") {
      st.clockRunning = true;
      if (st.phase === "playing") {
        if (prev && cur.observedAt - prev.observedAt <= this.s.staleAfterSeconds * 1000) st.heartbeat = true;
        if (jump) this.schedule("start");
        return true;
      }
      st.phase = "playing";
      if (st.pending?.kind === "pause") {
        // Fast pause/resume: Trakt never heard of the pause, so it needs nothing — unless the position moved.
        st.pending = undefined;
        if (jump || st.seekUnsent) this.schedule("start");
      } else if (st.traktState !== "playing") {
        this.emit("start", cur.progress);
      } else if (jump) {
        this.schedule("start");
      }
      return true;
    }

    // paused
    st.clockRunning = false;
    if (st.phase === "playing") {
      if (st.pending?.kind === "start") {
        st.pending = undefined;
        st.seekUnsent = true;
      }
      if (st.traktState === "playing") this.schedule("pause");
    }
    st.phase = "paused";
    return true;
  }

  onTick(): void {
    const st = this.st;
    const now = this.now;
    const pending = st.pending;
    if (pending && pending.dueAt <= now) {
      st.pending = undefined;
      this.emit(pending.kind, st.last?.progress);
    }
    if (st.phase === "playing" && now >= staleAt(st, this.s)) {
      // Silent while playing: pause on Trakt with the last progress we saw (nothing invented).
      st.phase = "stale";
      st.clockRunning = false;
      st.pending = undefined;
      if (st.traktState === "playing") this.emit("pause", st.last?.progress);
    }
    if ((st.phase === "stale" || st.phase === "paused") && now >= closeAt(st, this.s)) {
      // Closed with the last progress really observed — never advanced, so no watch is made up.
      this.finish(st.last?.progress, st.last?.observedAt ?? st.lastSeenAt);
    }
  }

  /** Daemon shutdown: the player may well go on playing, so pause with the last progress; never a stop. */
  onShutdown(): void {
    const st = this.st;
    if (st.phase === "idle" || !st.playthrough?.started) return;
    st.pending = undefined;
    if (st.traktState === "playing") this.emit("pause", st.last?.progress);
    st.clockRunning = false;
  }

  private beginPlaythrough(e: PlaybackEvent, cur: Observation): void {
    const st = this.st;
    st.account = e.account;
    st.hints = mergeHints({}, e.hints);
    const pt: Playthrough = {
      id: playthroughId(st, cur.observedAt),
      seq: 0,
      started: false,
      watched: false,
      playedMs: 0,
      previewFromMs: null,
      sawProgress: false,
      playerWatched: false,
    };
    st.playthroughCount += 1;
    st.playthrough = pt;
    st.traktState = "none";
    st.lastSentProgress = undefined;
    st.pending = undefined;
    st.seekUnsent = false;
    this.updatePreview(pt, cur, false);
    st.last = cur;
    if (e.state === "playing") {
      st.phase = "playing";
      st.clockRunning = true;
      this.emit("start", cur.progress);
    } else {
      st.phase = "paused";
      st.clockRunning = false;
    }
  }

  /** Last known progress, moved on by `elapsed` ms of playing when the duration is known. */
  private advanced(prev: Observation | undefined, elapsed: number): number | undefined {
    if (!prev) return undefined;
    if (prev.positionMs !== undefined && prev.durationMs) {
      return (Math.min(prev.durationMs, prev.positionMs + elapsed * prev.speed) / prev.durationMs) * 100;
    }
    return prev.progress;
  }

  /** A position change not explained by the time played (tolerant of speed changes and report jitter). */
  private isJump(prev: Observation | undefined, cur: Observation, wasRunning: boolean): boolean {
    if (!prev || prev.positionMs === undefined || cur.positionMs === undefined) return false;
    const elapsed = wasRunning ? Math.max(0, cur.observedAt - prev.observedAt) : 0;
    const tolerance = Math.max(this.s.seekToleranceSeconds * 1000, elapsed * 0.5);
    return Math.abs(cur.positionMs - (prev.positionMs + elapsed * prev.speed)) > tolerance;
  }

  /** Preview: entering the item past the threshold by opening or seeking arms it; falling back below disarms. */
  private updatePreview(pt: Playthrough, cur: Observation, jump: boolean): void {
    if (cur.progress === undefined) return;
    const first = !pt.sawProgress;
    pt.sawProgress = true;
    if (clampProgress(cur.progress) >= this.s.watchedThreshold) {
      if (pt.previewFromMs === null && (first || jump)) pt.previewFromMs = pt.playedMs;
    } else {
      pt.previewFromMs = null;
    }
  }

  private get trustsPlayer(): boolean {
    return this.s.trustPlayerVerdict !== false;
  }

  /** The player's verdict on the playthrough this event belongs to: remembered; honoured at the finish if trusted. */
  private noteVerdict(e: PlaybackEvent): void {
    if (e.playerWatched && this.st.playthrough) this.st.playthrough.playerWatched = true;
  }

  /** A verdict with a stop, while idle or while another item plays: it is about a playthrough already finished. */
  private isLateVerdict(e: PlaybackEvent): boolean {
    const st = this.st;
    if (e.state !== "stopped" && e.state !== "ended") return false;
    return st.phase === "idle" || e.account !== st.account || !sameItem(st.hints, e.hints);
  }

  /**
   * The player counted the playthrough that just finished (Kodi raises the playcount, Jellyfin reports Played, after
   * the stop): once, within VERDICT_WINDOW_MS, for that same item, it becomes a watch with its real end time —
   * through /sync/history, since a /scrobble/stop now would be stamped with the time it arrives.
   */
  private lateVerdict(e: PlaybackEvent): void {
    const f = this.st.lastFinished;
    if (!this.trustsPlayer || !f || f.watched) return;
    if (this.now - f.finishedAt > VERDICT_WINDOW_MS || e.account !== f.account || !sameItem(f.hints, e.hints)) return;
    f.watched = true;
    const intent: ScrobbleIntent = {
      id: `${f.id}.${f.seq}`,
      kind: "watched",
      player: this.st.player,
      sessionKey: this.st.sessionKey,
      playthroughId: f.id,
      progress: f.progress,
      hints: structuredClone(f.hints),
      createdAt: this.now,
      endedAt: f.endedAt,
    };
    if (f.account !== undefined) intent.account = f.account;
    f.seq += 1;
    this.out.push(intent);
  }

  private previewSatisfied(pt: Playthrough): boolean {
    return pt.previewFromMs === null || pt.playedMs - pt.previewFromMs >= this.s.previewSeconds * 1000;
  }

  /** Ends the playthrough with its final intents and leaves the session idle. */
  private finish(progress: number | undefined, endedAt: number): void {
    const st = this.st;
    const pt = st.playthrough;
    st.pending = undefined;
    if (pt?.started) {
      const p = clampProgress(progress ?? st.last?.progress ?? st.lastSentProgress);
      const counted = pt.playerWatched && this.trustsPlayer;
      const eligible = !pt.watched && (counted || this.previewSatisfied(pt));
      for (const kind of finalIntentKinds(p, this.s.watchedThreshold, eligible, counted)) {
        // Trakt already holds this exact pause (e.g. a stale session being closed): nothing to add.
        if (kind === "pause" && st.traktState === "paused" && st.lastSentProgress === p) continue;
        this.emit(kind, p, endedAt);
      }
      st.lastFinished = { id: pt.id, seq: pt.seq, account: st.account, hints: structuredClone(st.hints), progress: p, endedAt, finishedAt: this.now, watched: pt.watched };
    }
    st.playthrough = undefined;
    st.phase = "idle";
    st.traktState = "none";
    st.lastSentProgress = undefined;
    st.seekUnsent = false;
    st.clockRunning = false;
  }

  private schedule(kind: "start" | "pause"): void {
    const delaySeconds = kind === "pause" ? this.s.pauseDebounceSeconds : this.s.seekDebounceSeconds;
    if (delaySeconds <= 0) {
      this.st.pending = undefined;
      this.emit(kind, this.st.last?.progress);
      return;
    }
    // Trailing debounce — a burst of seeks sends one start, after the last one settles — but never held longer
    // than four debounce times, so endless scrubbing still reaches Trakt.
    const delayMs = delaySeconds * 1000;
    const since = this.st.pending?.kind === kind ? this.st.pending.since : this.now;
    this.st.pending = { kind, since, dueAt: Math.max(this.now, Math.min(this.now + delayMs, since + 4 * delayMs)) };
  }

  private emit(kind: IntentKind, progress: number | undefined, endedAt?: number): void {
    const st = this.st;
    const pt = st.playthrough;
    if (!pt) return;
    const p = clampProgress(progress ?? st.lastSentProgress);
    const intent: ScrobbleIntent = {
      id: `${pt.id}.${pt.seq}`,
      kind,
      player: st.player,
      sessionKey: st.sessionKey,
      playthroughId: pt.id,
      progress: p,
      hints: structuredClone(st.hints),
      createdAt: this.now,
    };
    if (st.account !== undefined) intent.account = st.account;
    pt.seq += 1;
    switch (kind) {
      case "start":
        pt.started = true;
        st.traktState = "playing";
        st.seekUnsent = false;
        break;
      case "pause":
        st.traktState = "paused";
        st.seekUnsent = false;
        break;
      case "stop":
      case "watched":
        pt.watched = true;
        if (endedAt !== undefined) intent.endedAt = endedAt;
        if (kind === "stop") st.traktState = "none";
        break;
    }
    st.lastSentProgress = p;
    this.out.push(intent);
  }
}
