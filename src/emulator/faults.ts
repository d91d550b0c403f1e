// Fault injection: tests queue what the next matching requests get instead of a normal answer.

/** What a faulted request gets. */
export type Fault =
  /** Any status with an optional body (object → JSON, string → sent as-is) and headers. */
  | { type: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429. `retryAfterSec: null` sends no Retry-After (and no X-Ratelimit), like Trakt's security layer. */
  | { type: "rate_limit"; retryAfterSec?: number | string | null }
  /** A Cloudflare HTML error page (520 by default; 521, 522, 502, 503, 504 also make sense). */
  | { type: "cloudflare"; status?: number }
  /** Delay the answer by `ms`, then answer normally. */
  | { type: "latency"; ms: number }
  /** Destroy the socket without answering (the client sees ECONNRESET / "socket hang up"). */
  | { type: "drop" }
  /**
   * The app was deleted on Trakt (what happened to the API apps of accounts without VIP on 31 July 2026): answered
   * exactly as for an unknown client id, 403 from the API and `invalid_client` from /oauth/*. Use `times` to keep it.
   */
  | { type: "app_deleted" }
  /** 426 "VIP only", with the headers Trakt documents for it (X-Upgrade-URL, X-VIP-User) and an empty body. */
  | { type: "vip_required" }
  /** 200 with an empty list (and pagination headers saying so): a lookup that found nothing, as Trakt's episode
   *  lookups by IMDb id answered for a while in 2026. */
  | { type: "empty" };

export interface FaultRule {
  fault: Fault;
  /** How many matching requests get it (default 1). */
  times: number;
  method: string | undefined;
  path: string | RegExp | undefined;
}

export interface InjectOptions {
  /** How many matching requests get it (default 1); `Infinity` = every one until `clearFaults()`. */
  times?: number;
  /** Only requests with this method (e.g. "POST"). */
  method?: string;
  /** Only requests whose path equals this string or matches this RegExp. */
  path?: string | RegExp;
}

export class FaultQueue {
  readonly #rules: FaultRule[] = [];

  add(fault: Fault, options: InjectOptions = {}): void {
    this.#rules.push({ fault, times: options.times ?? 1, method: options.method?.toUpperCase(), path: options.path });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Remaining faults (times left > 0), for assertions. */
  pending(): number {
    return this.#rules.reduce((n, r) => n + r.times, 0);
  }

  /** Takes the first fault matching this request, if any. */
  take(method: string, path: string): Fault | undefined {
    const index = this.#rules.findIndex(
      (r) =>
        r.times > 0 &&
        (r.method === undefined || r.method === method) &&
        (r.path === undefined || (typeof r.path === "string" ? r.path === path : r.path.test(path))),
    );
    if (index < 0) return undefined;
    const rule = this.#rules[index]!;
    rule.times--;
    if (rule.times <= 0) this.#rules.splice(index, 1);
    return rule.fault;
  }
}

export function cloudflarePage(status: number): string {
  return `<!DOCTYPE html>
<html lang="en-US">
<head><title>api.trakt.tv | ${status}: Web server is returning an unknown error</title></head>
<body>
<div id="cf-error-details">
<h1>Web server is returning an unknown error</h1>
<span>Error code ${status}</span>
<p>Visit <a href="https://www.cloudflare.com/5xx-error-landing">cloudflare.com</a> for more information.</p>
<span>Cloudflare Ray ID: <strong>8d2f1e3c4b5a6978</strong></span>
</div>
</body>
</html>
`;
}
