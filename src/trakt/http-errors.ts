// Maps an HTTP outcome (status + headers + body text) or a thrown fetch error to the TraktError taxonomy.
// Pure: no I/O, so every branch is unit-tested directly.
import { firstErrorCode } from "../util/error-causes.js";
import { parseRetryAfter } from "../util/http-response.js";

import { parseUntrustedJson } from "../util/json.js";
import { TraktError, type TraktErrorKind } from "./errors.js";
import { APP_REFUSED, VIP_REQUIRED } from "./explain.js";
import type { ConflictInfo } from "./types.js";

/**
 * Used when a 429 carries no usable Retry-After (Trakt's security layers and Cloudflare send bare 429s).
 * Trakt staff (trakt/trakt-api #827) say a triggered limit blocks all requests for 5 minutes, but that 429
 * did carry Retry-After; for a bare 429 we wait 60 s, and the caller's (outbox) backoff grows from there.
 */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Node/undici network error codes that mean "try again later". Searched along the whole `cause` chain. */
const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** The first network error code found on `error` or any of its causes, if any. */
export function findNetworkCode(error: unknown): string | undefined {
  return firstErrorCode(error, (code) => RETRYABLE_NETWORK_CODES.has(code));
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseConflict(body: unknown): ConflictInfo {
  const info: ConflictInfo = {};
  if (body !== null && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const watchedAt = parseDate(b.watched_at);
    const expiresAt = parseDate(b.expires_at);
    if (watchedAt) info.watchedAt = watchedAt;
    if (expiresAt) info.expiresAt = expiresAt;
  }
  return info;
}

/** JSON body if the text is JSON (and not absurdly nested), else undefined (Cloudflare and nginx send HTML error pages). */
export function tryParseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseUntrustedJson(text);
  } catch {
    return undefined;
  }
}

export interface HttpFailure {
  method: string;
  /** Path without host, e.g. "/scrobble/stop". Never contains a secret. */
  path: string;
  status: number;
  statusText: string;
  headers: Headers;
  bodyText: string;
  nowMs: number;
}

function kindForStatus(status: number): TraktErrorKind {
  switch (status) {
    case 401:
      return "auth_expired";
    case 403:
    case 405:
    case 412:
      return "config";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 420:
      return "account_limit";
    case 426:
      return "vip_required";
    case 400:
    case 422:
      return "invalid";
    case 423:
      return "locked";
    case 429:
      return "rate_limited";
    default:
      if (status >= 500) return "retryable";
      if (status === 408) return "retryable";
      return "invalid";
  }
}

function hintFor(kind: TraktErrorKind, status: number): string {
  switch (kind) {
    case "auth_expired":
      return "the access token was rejected; log in again if a refresh does not help";
    case "config":
      if (status === 403) return APP_REFUSED;
      if (status === 412) return "a required header or the JSON content type was missing";
      return "the API method does not exist: check trakt.apiUrl (TRAKT_API_URL)";
    case "not_found":
      return "Trakt does not know this item or record";
    case "conflict":
      return "already done (duplicate scrobble or active checkin)";
    case "account_limit":
      return "the Trakt account hit a limit (see /users/settings limits)";
    case "vip_required":
      return VIP_REQUIRED;
    case "invalid":
      return "Trakt rejected the request as invalid";
    case "locked":
      return "the Trakt account is locked; the user must contact Trakt support";
    case "rate_limited":
      return "rate limited by Trakt";
    case "retryable":
      return "Trakt or its CDN is having trouble; will retry";
    case "bad_response":
      return "Trakt answered with something unexpected";
  }
}

/** The `cause` of a TraktError built from a response: what came back, without the body. */
export class HttpStatusError extends Error {
  override readonly name = "HttpStatusError";
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly contentType: string | null,
  ) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ""}${contentType ? ` (${contentType})` : ""}`);
  }
}

/** Maps a non-2xx response to a TraktError. The body is not quoted into the message (it may echo secrets). */
export function errorFromResponse(failure: HttpFailure): TraktError {
  const { status, method, path } = failure;
  const json = tryParseJson(failure.bodyText);
  const oauthError =
    json !== null && typeof json === "object" && typeof (json as { error?: unknown }).error === "string"
      ? (json as { error: string }).error
      : undefined;
  // OAuth's 401 invalid_client is a wrong client id/secret, not an expired user token.
  const kind = oauthError === "invalid_client" ? "config" : kindForStatus(status);
  const options: ConstructorParameters<typeof TraktError>[2] = { status };
  if (oauthError !== undefined) options.oauthError = oauthError;
  if (kind === "conflict") options.conflict = parseConflict(json);
  if (kind === "rate_limited") {
    options.retryAfterMs = parseRetryAfter(failure.headers.get("retry-after"), failure.nowMs) ?? DEFAULT_RETRY_AFTER_MS;
  } else if (kind === "retryable") {
    const ra = parseRetryAfter(failure.headers.get("retry-after"), failure.nowMs);
    if (ra !== undefined) options.retryAfterMs = ra;
  }
  // invalid_client: a wrong client secret, or (most often since 31 July 2026) an app Trakt deleted.
  const hint = oauthError === "invalid_client" ? `${APP_REFUSED}; also check trakt.clientSecret (TRAKT_CLIENT_SECRET)` : hintFor(kind, status);
  const detail = oauthError !== undefined ? ` (${oauthError})` : json === undefined && failure.bodyText.trim() !== "" ? " (non-JSON body)" : "";
  const statusText = failure.statusText ? ` ${failure.statusText}` : "";
  const message = `Trakt ${method} ${path} failed: HTTP ${status}${statusText}${detail}: ${hint}`;
  options.cause = new HttpStatusError(status, failure.statusText, failure.headers.get("content-type"));
  return new TraktError(kind, message, options);
}

/** Maps a thrown fetch/body error to a TraktError. `timedOut` tells our own timeout apart from the caller's abort. */
export function errorFromNetwork(method: string, path: string, error: unknown, timedOut: boolean, timeoutMs: number): TraktError {
  if (timedOut) {
    return new TraktError("retryable", `Trakt ${method} ${path} timed out after ${timeoutMs} ms; will retry`, { cause: error });
  }
  const code = findNetworkCode(error);
  if (code !== undefined) {
    return new TraktError("retryable", `Trakt ${method} ${path} failed: network error ${code}; will retry`, { cause: error });
  }
  // fetch() reports every transport failure as TypeError("fetch failed"); treat unknown ones as transient too.
  if (error instanceof TypeError) {
    return new TraktError("retryable", `Trakt ${method} ${path} failed: ${error.message}; will retry`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TraktError("retryable", `Trakt ${method} ${path} failed: ${message}; will retry`, { cause: error });
}
