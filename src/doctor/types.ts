// What every doctor check returns: one line for the user, and what to do about it.
import { firstErrorCode } from "../util/error-causes.js";

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  /** Short name of what was checked, e.g. "trakt reachable" or "kodi living-room". */
  check: string;
  status: CheckStatus;
  /** What was found. */
  message: string;
  /** How to fix it (for warn and fail). */
  hint?: string;
}

export function result(check: string, status: CheckStatus, message: string, hint?: string): CheckResult {
  return hint === undefined ? { check, status, message } : { check, status, message, hint };
}

export type NetworkFailure = "dns" | "refused" | "timeout" | "tls" | "unreachable" | "reset" | "other";

const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO$|HOSTNAME_MISMATCH)/;

/** Sorts a connection failure into what a user can act on. */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const code = firstErrorCode(error);
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  if (code === undefined) return "other";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") return "dns";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ABORT_ERR" || code === "UND_ERR_HEADERS_TIMEOUT") return "timeout";
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH" || code === "ENETDOWN" || code === "EHOSTDOWN") return "unreachable";
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") return "reset";
  if (TLS_CODE.test(code)) return "tls";
  return "other";
}
