// When Trakt's /scrobble/pause breaks for everyone (in 2026 it answered 400 to several apps for a while), a pause is
// sent as /scrobble/stop with its progress held below 80 %: Trakt records such a stop as a pause (progress saved,
// "watching" cleared, nothing counted). Pure: the caller passes the time and logs what the answers say.
import { isTraktError } from "../trakt/errors.js";
import { TRAKT_WATCHED_PROGRESS } from "./state.js";

/** The highest progress a stop standing in for a pause may carry: Trakt counts a stop at 80 % or more. */
export const PAUSE_AS_STOP_MAX_PROGRESS = TRAKT_WATCHED_PROGRESS - 0.1;
/** How long pauses go as stops before /scrobble/pause is tried again. */
export const PAUSE_FALLBACK_HOLD_MS = 60 * 60_000;
/** Server errors (5xx) from /scrobble/pause in a row before it counts as broken (a few are an ordinary outage). */
export const PAUSE_SERVER_ERRORS_BEFORE_FALLBACK = 3;

/**
 * Refusals that are about the endpoint, not the item, the account or the load: 400 (the request's form; the 2026
 * incident), 405 and 410 (the method or endpoint went away). Not 404/422 (the item), 401/403/412/423 (login, app,
 * account), 409, 420/426 or 429.
 */
const ENDPOINT_REFUSALS = new Set([400, 405, 410]);

/** The progress a pause at `progress` is sent with as a stop. */
export function pauseAsStopProgress(progress: number): number {
  return Math.min(progress, PAUSE_AS_STOP_MAX_PROGRESS);
}

export class PauseFallback {
  #until = 0;
  #serverErrors = 0;
  #everTripped = false;

  /** Send pauses as stops now? */
  active(now: number): boolean {
    return now < this.#until;
  }

  /**
   * /scrobble/pause failed with `error`: "fallback" when this calls for sending it as a stop (the fallback is then on
   * for PAUSE_FALLBACK_HOLD_MS; `first` says whether it is the first time, to log it once), "no" otherwise.
   */
  refused(error: unknown, now: number): { fallback: false } | { fallback: true; first: boolean } {
    const status = isTraktError(error) ? error.status : undefined;
    if (status === undefined) return { fallback: false };
    if (status >= 500) this.#serverErrors += 1;
    else this.#serverErrors = 0;
    if (!ENDPOINT_REFUSALS.has(status) && this.#serverErrors < PAUSE_SERVER_ERRORS_BEFORE_FALLBACK) return { fallback: false };
    this.#serverErrors = 0;
    this.#until = now + PAUSE_FALLBACK_HOLD_MS;
    const first = !this.#everTripped;
    this.#everTripped = true;
    return { fallback: true, first };
  }

  /** /scrobble/pause worked: true when it had been replaced by the fallback before (worth saying once). */
  worked(): boolean {
    this.#serverErrors = 0;
    const recovered = this.#everTripped && this.#until !== 0;
    this.#until = 0;
    return recovered;
  }
}
