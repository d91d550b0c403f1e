import type { ConflictInfo } from "./types.js";

/**
 * One taxonomy for every way a Trakt call can fail. Only `retryable` and `rate_limited` are retried
 * automatically; `auth_expired` triggers one token refresh and one retry; everything else is final.
 */
export type TraktErrorKind =
  | "auth_expired" // 401
  | "config" // 403 bad client id / deleted or unapproved app, 412 missing header or content type, 405
  | "not_found" // 404
  | "conflict" // 409 — for scrobble/stop this means "already scrobbled": success, not an error
  | "account_limit" // 420
  | "vip_required" // 426: the account needs Trakt VIP for this
  | "invalid" // 400 (other than device-flow polling codes), 422
  | "locked" // 423
  | "rate_limited" // 429
  | "retryable" // 5xx, 52x, network errors, timeouts
  | "bad_response"; // a 2xx whose body is not what the API documents

export class TraktError extends Error {
  override readonly name = "TraktError";
  readonly kind: TraktErrorKind;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** How long to wait before trying again (429 Retry-After, or a safe default). */
  readonly retryAfterMs: number | undefined;
  /** Parsed 409 body. */
  readonly conflict: ConflictInfo | undefined;
  /** Trakt's `error` code from an OAuth response, e.g. "invalid_grant". */
  readonly oauthError: string | undefined;

  constructor(
    kind: TraktErrorKind,
    message: string,
    options: {
      status?: number;
      retryAfterMs?: number;
      conflict?: ConflictInfo;
      oauthError?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.conflict = options.conflict;
    this.oauthError = options.oauthError;
  }

  get retryable(): boolean {
    return this.kind === "retryable" || this.kind === "rate_limited";
  }
}

export function isTraktError(error: unknown, kind?: TraktErrorKind): error is TraktError {
  return error instanceof TraktError && (kind === undefined || error.kind === kind);
}
