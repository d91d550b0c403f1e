// Turns what one mpv connection reports (events and observed property changes) into PlaybackEvents. Pure: no I/O,
// no timers; time comes in as `now` with every call, events go out as return values.
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../core/playback.js";
import type { MpvEvent } from "./protocol.js";

/** Longer than any real file (about 116 days): a larger position or duration is a broken value, not media. */
const MAX_MEDIA_SECONDS = 10_000_000;

/** The properties the adapter observes, in observation order: ids are index + 1 (never 0). `time-pos` comes
 * last so that its initial notification arrives after duration, pause and speed are known. */
export const OBSERVED_PROPERTIES = [
  "path",
  "working-directory",
  "media-title",
  "filename",
  "duration",
  "speed",
  "pause",
  "eof-reached",
  "idle-active",
  "percent-pos",
  "time-pos",
] as const;

export interface TrackerOptions {
  /** `mpv:<socket path>`. */
  player: string;
  socketPath: string;
  account?: string | undefined;
  /** Minimum time between two periodic `playing` updates. Transitions are always reported at once. */
  progressIntervalMs: number;
  /** Longest stretch a position is extrapolated without hearing from mpv (guards against a stalled player). */
  maxExtrapolationMs?: number;
}

/** What the adapter learned when it connected: which mpv, and whether a file was already loaded. */
export interface AttachInfo {
  pid?: number | undefined;
  /** Playlist entry id of the file loaded at connect time, if any. */
  currentEntryId?: number | undefined;
}

interface Entry {
  entryId: number | undefined;
  /** file-loaded seen, or a file was already loaded when we connected. */
  loaded: boolean;
  /** A playing/paused event went out for this entry. */
  started: boolean;
  /** A final ended/stopped event went out. */
  done: boolean;
  /** Report the state with the next position (after load or a seek). */
  reportOnPosition: boolean;
  /** A seek event came; the next playback-restart reports the new position. */
  seeking: boolean;
  lastEmitAt: number;
}

interface FileProps {
  path?: string;
  mediaTitle?: string;
  filename?: string;
  durationS?: number;
  percent?: number;
  /** Last position mpv reported and when we received it. */
  pos?: { seconds: number; at: number };
}

export type EndReason = "eof" | "stop" | "quit" | "error" | "redirect" | "unknown";

export class MpvPlaybackTracker {
  private pid: number | undefined;
  private entry: Entry | undefined;
  private file: FileProps = {};
  private workingDirectory: string | undefined;
  private paused = false;
  private speed = 1;
  private fileCounter = 0;

  constructor(private readonly options: TrackerOptions) {}

  attach(info: AttachInfo): void {
    this.pid = info.pid;
    if (info.currentEntryId !== undefined && !this.entry) {
      this.entry = this.newEntry(info.currentEntryId);
      this.entry.loaded = true;
      this.entry.reportOnPosition = true;
    }
  }

  /** A short human description for status output. */
  describe(now: number): string {
    const entry = this.entry;
    if (!entry?.started || entry.done) return "idle";
    const progress = this.progress(this.position(now));
    const what = this.file.mediaTitle ?? this.file.filename ?? this.file.path ?? "?";
    return `${this.paused ? "paused" : "playing"} ${what}${progress === undefined ? "" : ` at ${progress.toFixed(1)} %`}`;
  }

  handle(message: MpvEvent, now: number): PlaybackEvent[] {
    const f = message.fields;
    switch (message.event) {
      case "property-change":
        return typeof f.name === "string" ? this.onProperty(f.name, f.data, now) : [];
      case "start-file": {
        const out = this.finishOpen("stop", now);
        this.file = {};
        this.entry = this.newEntry(typeof f.playlist_entry_id === "number" ? f.playlist_entry_id : undefined);
        return out;
      }
      case "file-loaded":
        // The first report waits for playback-restart: until then time-pos may still be 0 for a file opened with
        // --start or resumed with watch-later, and seeks issued during loading are dropped by mpv.
        if (this.entry) this.entry.loaded = true;
        return [];
      case "seek":
        if (this.entry) this.entry.seeking = true;
        return [];
      case "playback-restart": {
        // Playback began, or resumed after a seek: report the position as soon as mpv tells it (next time-pos).
        // mpv may also restart playback while opening (no seek): that repeats nothing new, so it is not reported.
        const entry = this.entry;
        if (!entry?.loaded || entry.done) return [];
        if (entry.started && !entry.seeking) return [];
        entry.seeking = false;
        entry.reportOnPosition = true;
        // Opened paused: time-pos may already be known and will not change until unpaused.
        if (!entry.started && this.paused && this.file.pos) {
          entry.reportOnPosition = false;
          entry.started = true;
          return [this.event("paused", now)];
        }
        return [];
      }
      case "end-file": {
        const out = this.finishOpen(toEndReason(f.reason), now);
        this.entry = undefined;
        return out;
      }
      default:
        return [];
    }
  }

  /** The connection is gone (mpv quit or was killed, or we closed it): stop what was playing. */
  disconnect(now: number): PlaybackEvent[] {
    const out = this.finishOpen("stop", now);
    this.entry = undefined;
    return out;
  }

  private onProperty(name: string, data: unknown, now: number): PlaybackEvent[] {
    // A change without data means "unavailable". mpv sends that for time-pos, percent-pos… just before end-file,
    // so per-file values are kept until the next start-file instead of being erased.
    switch (name) {
      case "time-pos":
        // Streams with a start offset report negative positions; absurd values would become ±Infinity ms.
        if (typeof data === "number" && Number.isFinite(data) && data <= MAX_MEDIA_SECONDS) return this.onPosition(Math.max(0, data), now);
        return [];
      case "percent-pos":
        if (typeof data === "number" && Number.isFinite(data)) this.file.percent = data;
        return [];
      case "duration":
        if (typeof data === "number" && Number.isFinite(data) && data > 0 && data <= MAX_MEDIA_SECONDS) this.file.durationS = data;
        return [];
      case "path":
        if (typeof data === "string") this.file.path = data;
        return [];
      case "media-title":
        if (typeof data === "string") this.file.mediaTitle = data;
        return [];
      case "filename":
        if (typeof data === "string") this.file.filename = data;
        return [];
      case "working-directory":
        if (typeof data === "string") this.workingDirectory = data;
        return [];
      case "speed":
        if (typeof data === "number" && Number.isFinite(data) && data > 0) {
          this.rebase(now);
          this.speed = data;
        }
        return [];
      case "pause":
        if (typeof data === "boolean") return this.onPause(data, now);
        return [];
      case "eof-reached":
        // With --keep-open mpv stays on the last frame and end-file only comes when the file is replaced.
        if (data === true) return this.finishOpen("eof", now);
        return [];
      default:
        return [];
    }
  }

  private onPosition(seconds: number, now: number): PlaybackEvent[] {
    this.file.pos = { seconds, at: now };
    const entry = this.entry;
    if (!entry?.loaded || entry.done) return [];
    if (entry.reportOnPosition) {
      entry.reportOnPosition = false;
      entry.started = true;
      return [this.event(this.paused ? "paused" : "playing", now)];
    }
    if (entry.started && !this.paused && now - entry.lastEmitAt >= this.options.progressIntervalMs) {
      return [this.event("playing", now)];
    }
    return [];
  }

  private onPause(paused: boolean, now: number): PlaybackEvent[] {
    if (paused === this.paused) return [];
    this.rebase(now);
    this.paused = paused;
    const entry = this.entry;
    if (!entry?.started || entry.done) return [];
    return [this.event(paused ? "paused" : "playing", now)];
  }

  /** Re-anchors the extrapolated position at `now` (before pause or speed change the rate at which it moves). */
  private rebase(now: number): void {
    const seconds = this.position(now);
    if (seconds !== undefined) this.file.pos = { seconds, at: now };
  }

  private finishOpen(reason: EndReason, now: number): PlaybackEvent[] {
    const entry = this.entry;
    if (!entry?.started || entry.done) return [];
    entry.done = true;
    if (reason !== "eof") return [this.event("stopped", now)];
    const duration = this.file.durationS;
    const position = this.position(now);
    if (duration === undefined || position === undefined) return [this.event("ended", now)];
    // "eof" also means a broken stream or a truncated file; a file that stopped well before its end is not a watch.
    const slack = Math.max(10, duration * 0.05);
    if (position < duration - slack) return [this.event("stopped", now)];
    return [this.event("ended", now, duration)];
  }

  /** Seconds: the last reported position, advanced by the time since at the playback speed when playing. */
  private position(now: number): number | undefined {
    const pos = this.file.pos;
    if (!pos) return undefined;
    let seconds = pos.seconds;
    if (!this.paused && this.entry?.started) {
      const elapsed = Math.min(Math.max(0, now - pos.at), this.options.maxExtrapolationMs ?? 10_000);
      seconds += (elapsed / 1000) * this.speed;
    }
    const duration = this.file.durationS;
    return duration === undefined ? seconds : Math.min(seconds, duration);
  }

  private progress(seconds: number | undefined): number | undefined {
    const duration = this.file.durationS;
    if (seconds !== undefined && duration !== undefined) return clampPercent((seconds / duration) * 100);
    return this.file.percent === undefined ? undefined : clampPercent(this.file.percent);
  }

  private event(state: PlaybackState, now: number, atSeconds?: number): PlaybackEvent {
    const entry = this.entry;
    if (entry) entry.lastEmitAt = now;
    const seconds = atSeconds ?? this.position(now);
    const event: PlaybackEvent = {
      player: this.options.player,
      sessionKey: this.sessionKey(entry),
      state,
      observedAt: now,
      hints: this.hints(),
    };
    if (seconds !== undefined) event.positionMs = Math.round(seconds * 1000);
    const durationMs = this.file.durationS === undefined ? 0 : Math.round(this.file.durationS * 1000);
    if (durationMs > 0) event.durationMs = durationMs;
    const progress = state === "ended" && atSeconds !== undefined ? 100 : this.progress(seconds);
    if (progress !== undefined) event.progress = progress;
    if (this.speed !== 1) event.speed = this.speed;
    if (this.options.account !== undefined) event.account = this.options.account;
    return event;
  }

  private sessionKey(entry: Entry | undefined): string {
    const item = entry?.entryId !== undefined ? `entry${entry.entryId}` : `file${this.fileCounter}`;
    return `${this.options.socketPath}#${this.pid ?? "?"}:${item}`;
  }

  private hints(): MediaHints {
    const hints: MediaHints = {};
    const path = resolveMediaPath(this.file.path, this.workingDirectory);
    if (path !== undefined) hints.path = path;
    const title = this.file.mediaTitle ?? this.file.filename;
    if (title !== undefined) hints.mediaTitle = title;
    return hints;
  }

  private newEntry(entryId: number | undefined): Entry {
    this.fileCounter += 1;
    return { entryId, loaded: false, started: false, done: false, reportOnPosition: false, seeking: false, lastEmitAt: 0 };
  }
}

/** mpv's `path` as given on its command line: URLs pass through, relative paths are joined with mpv's cwd. */
export function resolveMediaPath(path: string | undefined, workingDirectory: string | undefined): string | undefined {
  if (path === undefined || path === "") return undefined;
  if (isUrl(path) || isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")) return path;
  return workingDirectory ? resolvePath(workingDirectory, path) : path;
}

function isUrl(path: string): boolean {
  // Two letters at least, so that a Windows drive ("C:foo") is not taken for a scheme.
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(path);
}

function toEndReason(reason: unknown): EndReason {
  switch (reason) {
    case "eof":
    case "stop":
    case "quit":
    case "error":
    case "redirect":
      return reason;
    default:
      return "unknown";
  }
}

function clampPercent(value: number): number {
  return Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
}
