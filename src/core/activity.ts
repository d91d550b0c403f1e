// What happens in the daemon, as it happens: the one stream the dashboard (live page) and the notifications read.
// The parts that know (engine, outbox, identifier, token manager, adapters) report here; the composition root hands
// them one `Activity`. A listener that throws is logged by its owner and never breaks the others or the reporter.
// Events carry what a reader needs to show or send; for the full picture readers ask the daemon's status, the same
// state `trakt-scrobblerd status` and `/api/status` show.

export type ActivityEvent =
  /** A playback session started, changed state or progress, or ended (read the engine's snapshot for the list). */
  | { type: "sessions"; at: number }
  /** A watch or scrobble reached Trakt. `via`: live /scrobble, or /sync/history with its real time. */
  | { type: "delivered"; at: number; id: string; kind: "start" | "pause" | "stop" | "watched"; account: string; label: string; via: "scrobble" | "history"; watched: boolean }
  /** Trakt refused an intent for good: it waits in the dead letters for the user (retry or drop). */
  | { type: "dead_letter"; at: number; id: string; account: string; label: string; reason: string; message: string }
  /** The queue's content changed (submitted, delivered, retried, dropped, expired). */
  | { type: "queue"; at: number; pending: number; deadLetters: number }
  /** A played item could not be identified (`key` is stable per item, for "once per item"). */
  | { type: "not_identified"; at: number; key: string; what: string; reason: string }
  /** A Trakt account changed state (e.g. Trakt refused its refresh token: it needs a new login). */
  | { type: "account"; at: number; account: string; state: "ok" | "refresh_due" | "needs_login" | "locked"; reason?: string }
  /** An adapter's connection changed (connected, disconnected, failed…). */
  | { type: "adapter"; at: number; name: string; kind: string; state: string; detail?: string };

export type ActivityType = ActivityEvent["type"];
export type ActivityListener = (event: ActivityEvent) => void;

/** Where parts report what happened. */
export interface ActivitySink {
  report(event: ActivityEvent): void;
}

/** A sink that drops everything (tests, and commands that run no daemon). */
export const noActivity: ActivitySink = { report: () => undefined };

export class Activity implements ActivitySink {
  readonly #listeners = new Set<ActivityListener>();

  constructor(private readonly onListenerError: (error: unknown, event: ActivityEvent) => void = () => undefined) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  report(event: ActivityEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
