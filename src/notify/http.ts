// One request to a notification service and what its answer means: sent, retry (when), or refused for good.
// Answers are read bounded; a redirect is not followed (the token in the URL must not go to another host).
import { errorCodes, rootMessage } from "../util/error-causes.js";
import { parseRetryAfter, readBoundedText } from "../util/http-response.js";
import { parseUntrustedJson } from "../util/json.js";
import { scrubString } from "../util/log.js";
import { USER_AGENT } from "../version.js";

/** Largest answer read from a service (they answer with a few hundred bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface ServiceRequest {
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export interface ServiceAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, when it is JSON. */
  json: unknown;
}

export type SendOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      /** Worth trying again (network, timeout, 5xx, 429). */
      retry: boolean;
      /** The service said when (Retry-After, Discord's retry_after, Telegram's parameters.retry_after). */
      retryAfterMs?: number;
      /** The service says never to use this target again (Discord: 401/404 on a webhook). */
      disable?: boolean;
      status?: number;
      /** What went wrong, for status and logs (secrets scrubbed). */
      error: string;
    };

/** POSTs JSON; never throws (a network failure or timeout is a retryable outcome). */
export async function postJson(request: ServiceRequest, timeoutMs: number, signal?: AbortSignal): Promise<ServiceAnswer | SendOutcome> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": USER_AGENT, ...request.headers },
      body: JSON.stringify(request.body),
      redirect: "manual",
      signal: combined,
    });
    const { text } = await readBoundedText(response, MAX_ANSWER_BYTES, combined);
    return { status: response.status, headers: response.headers, text, json: jsonOrUndefined(text) };
  } catch (error) {
    if (timeout.aborted) return { ok: false, retry: true, error: `no answer within ${Math.round(timeoutMs / 1000)} s` };
    if (signal?.aborted) return { ok: false, retry: false, error: "cancelled" };
    const code = errorCodes(error).find((c) => /^[A-Z_]+$/.test(c));
    return { ok: false, retry: true, error: scrubString(`cannot reach the service: ${rootMessage(error)}${code && !rootMessage(error).includes(code) ? ` (${code})` : ""}`) };
  }
}

/** The usual reading of an HTTP status: 2xx sent, 429/408/5xx retry (honouring Retry-After), other 4xx refused. */
export function outcomeOf(answer: ServiceAnswer, describe: (answer: ServiceAnswer) => string | undefined, now = Date.now()): SendOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: true, status };
  const said = describe(answer);
  const error = scrubString(`HTTP ${status}${said ? `: ${said}` : ""}`.slice(0, 500));
  if (status >= 300 && status < 400) return { ok: false, retry: false, status, error: `${error} (a redirect to ${answer.headers.get("location") ? "another address" : "nowhere"}; use the final URL)` };
  const retryAfterMs = parseRetryAfter(answer.headers.get("retry-after"), now);
  if (status === 429 || status === 408 || status >= 500) return { ok: false, retry: true, status, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  return { ok: false, retry: false, status, error };
}

/** A field of a JSON object answer, if it is a string. */
export function stringField(json: unknown, key: string): string | undefined {
  if (json === null || typeof json !== "object") return undefined;
  const value = (json as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

export function isOutcome(value: ServiceAnswer | SendOutcome): value is SendOutcome {
  return "ok" in value;
}

/** Basic auth from a URL's user:password (fetch refuses URLs with credentials): the header, and the URL without them. */
export function credentialsToHeader(url: URL): { url: URL; headers: Record<string, string> } {
  if (url.username === "" && url.password === "") return { url, headers: {} };
  const clean = new URL(url.href);
  const user = decodeURIComponent(clean.username);
  const password = decodeURIComponent(clean.password);
  clean.username = "";
  clean.password = "";
  return { url: clean, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } };
}

function jsonOrUndefined(text: string): unknown {
  try {
    return parseUntrustedJson(text);
  } catch {
    return undefined;
  }
}
