// Pure decisions of the drainer: what a failure means for the queue, and how long to wait.
import { isTraktError } from "../trakt/errors.js";
import type { Backoff } from "../util/backoff.js";
import { errorCodes } from "../util/error-causes.js";
import { appProblemOf } from "../trakt/app-health.js";
import type { DeadReason } from "./records.js";

export type FailureAction =
  /** Trakt unreachable, failing or rate limiting: the whole account waits (Retry-After when given). */
  | { action: "backoff"; retryAfterMs: number | undefined }
  /** The account cannot send at all until a person acts (login expired, account locked, bad app credentials). */
  | { action: "hold"; problem: string }
  /** Final for this intent: keep it as a dead letter. */
  | { action: "dead"; reason: DeadReason }
  /** 2xx with a body we could not read: Trakt accepted it. */
  | { action: "accepted" };

export function classifyFailure(error: unknown): FailureAction {
  if (!isTraktError(error)) return { action: "backoff", retryAfterMs: undefined };
  switch (error.kind) {
    case "retryable":
    case "rate_limited":
      return { action: "backoff", retryAfterMs: error.retryAfterMs };
    case "auth_expired":
      return { action: "hold", problem: "login expired: run `trakt-scrobblerd login` for this account" };
    case "locked":
      return { action: "hold", problem: "the Trakt account is locked (423): contact Trakt support" };
    case "config":
      return { action: "hold", problem: appProblemOf(error) ?? `Trakt refused the request (${error.status ?? "?"}): check trakt.apiUrl, trakt.clientId / clientSecret` };
    case "vip_required":
      // Every watch of the account would get it: keep the queue instead of filling the dead letters.
      return { action: "hold", problem: appProblemOf(error) ?? "VIP required" };
    case "not_found":
      return { action: "dead", reason: "not_found" };
    case "invalid":
      return { action: "dead", reason: "invalid" };
    case "account_limit":
      return { action: "dead", reason: "account_limit" };
    case "conflict":
    case "bad_response":
      return { action: "accepted" };
  }
}

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"]);

/**
 * Did Trakt certainly not act on the request? True for an answer that says so (any 4xx: 401, 404, 420, 422, 429…)
 * and for a connection that never opened. False for 5xx, timeouts, resets and anything unknown: the request may
 * have been processed, so a watch must be looked up in /sync/history before it is sent again.
 */
export function certainlyNotReceived(error: unknown): boolean {
  if (isTraktError(error) && error.status !== undefined) return error.status >= 400 && error.status < 500;
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c) || c === "UND_ERR_CONNECT_TIMEOUT" || c === "UND_ERR_SOCKET_CONNECT");
}

/** How long an account (or an entry whose identification failed) waits: 5 s, 10 s, 20 s … up to `maxMs`, 20 % jitter. */
export function retryBackoff(maxMs: number): Backoff {
  return { initialMs: 5_000, maxMs, jitter: 0.2 };
}

/** A short, secret-free description of an error for the journal and `queue list`. */
export function describeError(error: unknown): string {
  if (isTraktError(error)) return `${error.kind}${error.status !== undefined ? ` ${error.status}` : ""}: ${error.message}`.slice(0, 300);
  if (error instanceof Error) {
    const codes = errorCodes(error);
    return `${error.message}${codes.length ? ` (${codes.join(", ")})` : ""}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
