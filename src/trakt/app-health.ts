// What Trakt last said about the app itself rather than about one request: the app is refused (403, or OAuth's
// invalid_client: since 31 July 2026 most often an API app Trakt deleted) or the account needs VIP (426). Until the
// next 2xx this is a standing problem, shown by /readyz; the client logs it once when it appears.
import type { TraktError } from "./errors.js";
import { APP_REFUSED, VIP_REQUIRED } from "./explain.js";

/** The plain-words problem a Trakt error stands for, when it is about the app or the account's VIP status. */
export function appProblemOf(error: TraktError): string | undefined {
  if (error.kind === "vip_required") return VIP_REQUIRED;
  if (error.kind === "config" && (error.status === 403 || error.oauthError === "invalid_client")) return `Trakt refused the app (HTTP ${error.status ?? "?"}): ${APP_REFUSED}`;
  return undefined;
}

export class TraktAppHealth {
  #problem: string | undefined;

  /** The standing problem, if any. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Records a failed call; returns the problem when it is a new one (to log it once). */
  failed(error: TraktError): string | undefined {
    const problem = appProblemOf(error);
    if (problem === undefined || problem === this.#problem) return undefined;
    this.#problem = problem;
    return problem;
  }

  /** A 2xx: Trakt accepts the app again. Returns true when that ends a standing problem. */
  succeeded(): boolean {
    const had = this.#problem !== undefined;
    this.#problem = undefined;
    return had;
  }
}
