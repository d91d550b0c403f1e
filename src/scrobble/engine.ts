// Drives the pure session machine: one session per (player, sessionKey), one timer for the earliest deadline
// (debounce flushes, stale and close checks), and an ordered hand-off of intents to the outbox. An intent the
// sink could not persist stays at the head of the queue and is retried with backoff — never dropped.
import { noActivity, type ActivitySink } from "../core/activity.js";
import type { PlaybackEvent, PlaybackEventListener, MediaHints } from "../core/playback.js";
import { backoffMs } from "../util/backoff.js";
import { silentLogger, type Logger } from "../util/log.js";
import type { IntentKind, IntentSink, ScrobbleIntent } from "./intent.js";
import { describeItem } from "./item.js";
import { boundEvent } from "./bounds.js";
import {
  isDisposable,
  newSession,
  nextDeadline,
  step,
  type SessionInput,
  type SessionPhase,
  type SessionSettings,
  type SessionState,
  type TraktState,
} from "./session.js";
import { systemClock, type Clock, type TimerHandle } from "../util/clock.js";

export interface ScrobbleEngineOptions {
  /** Where intents go; `submit` resolves once the intent is durably stored. */
  sink: IntentSink;
  /** The `scrobble` config section (extra keys are ignored). */
  settings: SessionSettings;
  logger?: Logger;
  clock?: Clock;
  /** Backoff for a failing sink: first retry after this, doubling up to `retryMaxMs`. Default 1000. */
  retryInitialMs?: number;
  /** Default 30000. */
  retryMaxMs?: number;
  /** How long `stop()` keeps trying to hand over the last intents before giving up (and logging them). Default 10000. */
  shutdownTimeoutMs?: number;
  /** Told (`sessions`) whenever what `snapshot()` shows changes: a session starts, changes state or progress, ends. */
  activity?: ActivitySink;
}

export interface SessionSnapshot {
  player: string;
  sessionKey: string;
  account?: string;
  /** What the player last reported (`stale`: it was playing and has gone silent). */
  state: Exclude<SessionPhase, "idle">;
  /** What Trakt was last told. */
  trakt: TraktState;
  item: string;
  hints: MediaHints;
  progress?: number;
  positionMs?: number;
  durationMs?: number;
  playthroughId?: string;
  /** Time of the last report, engine clock (ms since epoch). */
  updatedAt: number;
}

export interface EngineMetrics {
  events: number;
  duplicateEvents: number;
  /** Events that arrived after stop(), or that the machine failed on. */
  droppedEvents: number;
  /** Intents decided, by kind. */
  intents: Record<IntentKind, number>;
  /** Intents the sink has durably accepted. */
  persisted: number;
  /** Intents waiting for the sink. */
  queued: number;
  submitFailures: number;
  activeSessions: number;
}

export class ScrobbleEngine {
  readonly #sink: IntentSink;
  #settings: SessionSettings;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #shutdownTimeoutMs: number;
  readonly #activity: ActivitySink;

  readonly #sessions = new Map<string, SessionState>();
  readonly #queue: ScrobbleIntent[] = [];
  #draining = false;
  #retryTimer: TimerHandle | undefined;
  /** Consecutive failures to store an intent (the backoff's retry number). */
  #storeFailures = 0;
  #failing = false;
  #tickTimer: TimerHandle | undefined;
  #tickAt: number | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #idleWaiters: Array<() => void> = [];
  readonly #metrics = {
    events: 0,
    duplicateEvents: 0,
    droppedEvents: 0,
    intents: { start: 0, pause: 0, stop: 0, watched: 0 } as Record<IntentKind, number>,
    persisted: 0,
    submitFailures: 0,
  };

  constructor(options: ScrobbleEngineOptions) {
    this.#sink = options.sink;
    this.#settings = { ...options.settings };
    this.#log = (options.logger ?? silentLogger()).child({ component: "scrobble" });
    this.#clock = options.clock ?? systemClock;
    this.#retryInitialMs = options.retryInitialMs ?? 1000;
    this.#retryMaxMs = options.retryMaxMs ?? 30_000;
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
    this.#activity = options.activity ?? noActivity;
  }

  /** `handle`, bound: pass it to adapters as their `emit`. */
  readonly listener: PlaybackEventListener = (event) => this.handle(event);

  /** Takes one playback event. Never throws; intents are handed to the sink in the background (see `idle`). */
  handle(received: PlaybackEvent): void {
    this.#metrics.events += 1;
    // Whatever a peer sent, only bounded hints go on towards the journal.
    const event = boundEvent(received);
    if (this.#stopping) {
      this.#metrics.droppedEvents += 1;
      // Expected while the daemon stops: adapters report their final states after the engine has paused everything.
      this.#log.debug({ player: event.player, session: event.sessionKey, state: event.state }, "event after shutdown ignored");
      return;
    }
    const key = sessionId(event.player, event.sessionKey);
    const now = this.#clock.now();
    const state = this.#sessions.get(key) ?? newSession(event.player, event.sessionKey, now);
    this.#log.debug({ player: event.player, session: event.sessionKey, state: event.state, positionMs: event.positionMs, progress: event.progress }, "playback event");
    if (this.#run(key, state, { kind: "event", event }, now) === "duplicate") this.#metrics.duplicateEvents += 1;
    this.#reschedule();
  }

  /** What is playing now, for /api/status. */
  snapshot(): SessionSnapshot[] {
    const out: SessionSnapshot[] = [];
    for (const st of this.#sessions.values()) {
      if (st.phase === "idle") continue;
      const snap: SessionSnapshot = {
        player: st.player,
        sessionKey: st.sessionKey,
        state: st.phase,
        trakt: st.traktState,
        item: describeItem(st.hints),
        hints: structuredClone(st.hints),
        updatedAt: st.lastSeenAt,
      };
      if (st.account !== undefined) snap.account = st.account;
      if (st.last?.progress !== undefined) snap.progress = Math.round(st.last.progress * 100) / 100;
      if (st.last?.positionMs !== undefined) snap.positionMs = st.last.positionMs;
      if (st.last?.durationMs !== undefined) snap.durationMs = st.last.durationMs;
      if (st.playthrough) snap.playthroughId = st.playthrough.id;
      out.push(snap);
    }
    return out;
  }

  metrics(): EngineMetrics {
    let active = 0;
    for (const st of this.#sessions.values()) if (st.phase !== "idle") active += 1;
    return {
      ...this.#metrics,
      intents: { ...this.#metrics.intents },
      queued: this.#queue.length,
      activeSessions: active,
    };
  }

  /** Live reload: sessions are kept; new thresholds and timings apply from the next event or tick. */
  updateSettings(settings: SessionSettings): void {
    this.#settings = { ...settings };
    this.#log.info("scrobble settings updated");
    if (!this.#stopping) {
      this.#tickNow();
    }
  }

  /** Resolves once every intent decided so far has been durably accepted by the sink. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Shutdown: ignores further events, pauses every session Trakt believes is playing (the player may go on
   * without us — a pause saves the progress and claims no watch), and waits for the sink to take every intent,
   * at most `shutdownTimeoutMs`; whatever it could not take is logged as an error with its content.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    this.#clearTickTimer();
    const now = this.#clock.now();
    const shown = [...this.#sessions.values()].some((st) => shownAs(st) !== undefined);
    for (const [key, st] of this.#sessions) this.#run(key, st, { kind: "shutdown" }, now);
    this.#sessions.clear();
    if (shown) this.#activity.report({ type: "sessions", at: now });
    if (this.#retryTimer !== undefined) {
      // Don't sit out a long backoff during shutdown: try once more now.
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#storeFailures = 0;
    }
    void this.#drain();
    let timer: TimerHandle | undefined;
    const timedOut = await Promise.race([
      this.idle().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = this.#clock.setTimeout(() => resolve(true), this.#shutdownTimeoutMs);
      }),
    ]);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    if (timedOut) {
      if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#log.error(
        { intents: this.#queue.map(summary) },
        `shutdown: ${this.#queue.length} scrobble intent(s) could not be stored; they are listed here so they can be re-entered`,
      );
    }
    this.#log.info({ persisted: this.#metrics.persisted }, "scrobble engine stopped");
  }

  /** Runs one input through a session and queues its intents. */
  #run(key: string, state: SessionState, input: SessionInput, now: number): "ok" | "duplicate" | "failed" {
    const before = shownAs(state);
    let result;
    try {
      result = step(state, input, now, this.#settings);
    } catch (err) {
      // A bug in the machine must not take the adapter (or the daemon) down; the session keeps its last state.
      this.#metrics.droppedEvents += input.kind === "event" ? 1 : 0;
      this.#log.error({ err, player: state.player, session: state.sessionKey, input: input.kind }, "scrobble state machine failed");
      // A session whose tick fails would be ticked again at once, forever: forget it instead.
      if (input.kind === "tick") this.#sessions.delete(key);
      return "failed";
    }
    if (result.duplicate) return "duplicate";
    if (input.kind === "tick" && isDisposable(result.state, now, this.#settings)) this.#sessions.delete(key);
    else this.#sessions.set(key, result.state);
    if (input.kind !== "shutdown" && shownAs(this.#sessions.get(key)) !== before) this.#activity.report({ type: "sessions", at: now });
    this.#enqueue(result.intents);
    return "ok";
  }

  #enqueue(intents: ScrobbleIntent[]): void {
    if (intents.length === 0) return;
    for (const intent of intents) {
      this.#metrics.intents[intent.kind] += 1;
      this.#log.info(summary(intent), `scrobble ${intent.kind} ${describeItem(intent.hints)} at ${intent.progress}%`);
      this.#queue.push(intent);
    }
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining || this.#retryTimer !== undefined) return;
    this.#draining = true;
    try {
      for (let head = this.#queue[0]; head !== undefined; head = this.#queue[0]) {
        try {
          await this.#sink.submit(head);
        } catch (err) {
          this.#metrics.submitFailures += 1;
          const retryInMs = backoffMs(this.#storeFailures, { initialMs: this.#retryInitialMs, maxMs: this.#retryMaxMs, jitter: 0 });
          this.#storeFailures += 1;
          this.#log[this.#failing ? "warn" : "error"](
            { err, intent: summary(head), queued: this.#queue.length, retryInMs },
            "could not store scrobble intent; keeping it and retrying",
          );
          this.#failing = true;
          this.#retryTimer = this.#clock.setTimeout(() => {
            this.#retryTimer = undefined;
            void this.#drain();
          }, retryInMs);
          return;
        }
        this.#queue.shift();
        this.#metrics.persisted += 1;
        if (this.#failing) {
          this.#failing = false;
          this.#storeFailures = 0;
          this.#log.info({ queued: this.#queue.length }, "storing scrobble intents works again");
        }
      }
    } finally {
      this.#draining = false;
    }
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #tickNow(): void {
    const now = this.#clock.now();
    for (const [key, st] of [...this.#sessions]) this.#run(key, st, { kind: "tick" }, now);
    this.#reschedule();
  }

  /** Keeps one timer armed for the earliest session deadline. */
  #reschedule(): void {
    if (this.#stopping) return;
    let next: number | undefined;
    for (const st of this.#sessions.values()) {
      const d = nextDeadline(st, this.#settings);
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (next === this.#tickAt && (next === undefined || this.#tickTimer !== undefined)) return;
    this.#clearTickTimer();
    if (next === undefined) return;
    this.#tickAt = next;
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#tickTimer = undefined;
      this.#tickAt = undefined;
      this.#tickNow();
    }, Math.max(0, next - this.#clock.now()));
  }

  #clearTickTimer(): void {
    if (this.#tickTimer !== undefined) this.#clock.clearTimeout(this.#tickTimer);
    this.#tickTimer = undefined;
    this.#tickAt = undefined;
  }
}

/** What `snapshot()` shows of a session, as a comparable string; undefined when it is not shown (idle, gone). */
function shownAs(st: SessionState | undefined): string | undefined {
  if (st === undefined || st.phase === "idle") return undefined;
  const progress = st.last?.progress === undefined ? undefined : Math.round(st.last.progress * 100) / 100;
  return JSON.stringify([st.phase, st.traktState, st.account, describeItem(st.hints), progress, st.playthrough?.id]);
}

function sessionId(player: string, sessionKey: string): string {
  return `${player}\u0000${sessionKey}`;
}

function summary(intent: ScrobbleIntent): Record<string, unknown> {
  return {
    id: intent.id,
    kind: intent.kind,
    player: intent.player,
    session: intent.sessionKey,
    playthroughId: intent.playthroughId,
    progress: intent.progress,
    item: describeItem(intent.hints),
    account: intent.account,
    createdAt: intent.createdAt,
    endedAt: intent.endedAt,
  };
}
