// Trakt: is an app's client id configured, does the API answer, and does it accept that client id.
import type { TraktSection } from "../config/sections/trakt.js";
import { APP_REFUSED, APP_SETUP_HINT, VIP_REQUIRED } from "../trakt/explain.js";
import { maskUrlCredentials } from "../util/url-credentials.js";
import { VERSION } from "../version.js";
import { rootMessage } from "../util/error-causes.js";
import { classifyNetworkError, result, type CheckResult } from "./types.js";

const APP_HINT = APP_SETUP_HINT;

export function checkClientId(trakt: TraktSection): CheckResult {
  if (!trakt.clientId) return result("trakt client id", "fail", "no Trakt client id configured", APP_HINT);
  if (!trakt.clientSecret) {
    return result("trakt client id", "warn", "client id set, but no client secret", "set trakt.clientSecret (TRAKT_CLIENT_SECRET): login and token refresh need it");
  }
  return result("trakt client id", "pass", "client id and secret configured");
}

export function traktHeaders(clientId: string | undefined, accessToken?: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "trakt-api-version": "2",
    "user-agent": `trakt-scrobblerd/${VERSION} (doctor)`,
    ...(clientId ? { "trakt-api-key": clientId } : {}),
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  };
}

/** Explains a failed connection to `url` by what the user can do about it. */
export function networkFailure(check: string, what: string, url: string, error: unknown, timeoutMs: number): CheckResult {
  const host = safeHost(url);
  switch (classifyNetworkError(error)) {
    case "dns":
      return result(check, "fail", `cannot resolve ${host}: ${rootMessage(error)}`, `check this machine's DNS and network (e.g. \`getent hosts ${host}\`), and the URL (${url})`);
    case "refused":
      return result(check, "fail", `connection refused by ${host}`, `nothing listens at ${url}: check the URL and that ${what} is running`);
    case "timeout":
      return result(check, "fail", `no answer from ${host} within ${timeoutMs} ms`, "a firewall, proxy or a down network: check that this machine can reach it (`curl -I` the URL)");
    case "tls":
      return result(check, "fail", `TLS failed with ${host}: ${rootMessage(error)}`, "check the system clock, the CA certificates (ca-certificates package), and whether a proxy intercepts HTTPS");
    case "unreachable":
      return result(check, "fail", `${host} is unreachable: ${rootMessage(error)}`, "this machine has no route there: check its network connection");
    case "reset":
      return result(check, "fail", `${host} closed the connection: ${rootMessage(error)}`, "a proxy or firewall may be cutting it; try again, then check the network");
    case "other":
      return result(check, "fail", `cannot reach ${url}: ${rootMessage(error)}`, "check the URL and the network");
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A cheap unauthenticated GET (a one-result search): tells network trouble apart from a refused client id. */
export async function checkTraktReachable(trakt: TraktSection, timeoutMs = 10_000): Promise<CheckResult> {
  const check = "trakt reachable";
  const shown = maskUrlCredentials(trakt.apiUrl); // a password in the URL is not printed
  const url = new URL("/search/movie?query=trakt-scrobblerd&limit=1", trakt.apiUrl).toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: traktHeaders(trakt.clientId), signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
  } catch (error) {
    return networkFailure(check, "the Trakt API", shown, error, timeoutMs);
  }
  const status = response.status;
  if (response.ok) return result(check, "pass", `${shown} answers (HTTP ${status})${trakt.clientId ? " and accepts the client id" : ""}`);
  if (!trakt.clientId) return result(check, "warn", `${shown} answers (HTTP ${status}), but the client id cannot be checked without one`, APP_HINT);
  if (status === 403) return result(check, "fail", `${shown} refused the client id (HTTP 403): the app was deleted (free accounts' apps, 31 July 2026) or the id is wrong`, APP_REFUSED);
  if (status === 426) return result(check, "fail", `${shown} answered 426: Trakt VIP required`, VIP_REQUIRED);
  if (status === 412) return result(check, "fail", `${shown} answered 412 (precondition failed)`, "trakt.apiUrl may not point at the Trakt API (https://api.trakt.tv)");
  if (status === 429) return result(check, "warn", `${shown} is rate limiting this address (HTTP 429)`, "wait a few minutes; the daemon obeys Retry-After and keeps watches in the outbox meanwhile");
  if (status >= 500) return result(check, "warn", `Trakt is having trouble (HTTP ${status})`, "nothing to fix here: watches wait in the outbox and go out when Trakt recovers (https://status.trakt.tv)");
  return result(check, "fail", `${shown} answered HTTP ${status}`, "check trakt.apiUrl (https://api.trakt.tv)");
}
