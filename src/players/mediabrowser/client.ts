// REST calls to a Jellyfin/Emby server: the public system info, who a token is, the sessions, one item as a user
// sees it, and the two logins (by name, by Quick Connect). Every answer is bounded in size and parsed leniently;
// every failure is a MediaServerError whose kind says what can be done about it. The token travels in a header,
// never in a URL, and is never part of a message.
import { readBoundedText } from "../../util/http-response.js";
import { rootMessage } from "../../util/error-causes.js";
import { JsonTooDeepError, parseUntrustedJson } from "../../util/json.js";
import type { z } from "zod";
import type { ClientIdentity, Dialect, ServerVersion, TokenAccess } from "./dialect.js";
import {
  authenticationResultSchema,
  itemSchema,
  parseSessions,
  publicSystemInfoSchema,
  quickConnectSchema,
  userSchema,
  type AuthenticationResult,
  type MediaItem,
  type MediaSession,
  type PublicSystemInfo,
  type QuickConnectState,
} from "./messages.js";

/**
 * auth: the server refused the token or the login (only a new token helps); network/timeout: try again later;
 * http: another error status; bad-response: not what a Jellyfin/Emby server answers; too-large: over the size cap.
 */
export type MediaServerErrorKind = "auth" | "network" | "timeout" | "http" | "bad-response" | "too-large";

export class MediaServerError extends Error {
  override readonly name = "MediaServerError";
  readonly status: number | undefined;
  constructor(
    readonly kind: MediaServerErrorKind,
    message: string,
    options: { status?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

export function isMediaServerError(error: unknown, kind?: MediaServerErrorKind): error is MediaServerError {
  return error instanceof MediaServerError && (kind === undefined || error.kind === kind);
}

export interface MediaServerClientOptions {
  /** The server's base URL (http(s)://host:port[/base path]). */
  baseUrl: string;
  dialect: Dialect;
  identity: ClientIdentity;
  /** The API key or access token; undefined before a login. */
  token?: string | undefined;
  timeoutMs: number;
  maxBytes: number;
  /** For tests. */
  fetch?: typeof fetch;
}

/**
 * The server's URL for `path` (and query) under the base URL's own path: http://nas:8096/jellyfin + /Sessions →
 * http://nas:8096/jellyfin/Sessions. The base's query and fragment are dropped.
 */
export function serverUrl(baseUrl: string | URL, path: string): URL {
  const url = new URL(baseUrl);
  const [pathname = "", query] = path.split("?");
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${pathname}`;
  url.search = query ?? "";
  url.hash = "";
  return url;
}

export class MediaServerClient {
  readonly base: URL;
  readonly #options: MediaServerClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: MediaServerClientOptions) {
    this.#options = options;
    this.base = serverUrl(options.baseUrl, "");
    this.#fetch = options.fetch ?? fetch;
  }

  get dialect(): Dialect {
    return this.#options.dialect;
  }

  /** The same server and client with another token (after a login). */
  withToken(token: string): MediaServerClient {
    return new MediaServerClient({ ...this.#options, token });
  }

  /** Name, version and product of the server; needs no token. */
  async systemInfo(signal?: AbortSignal): Promise<PublicSystemInfo> {
    return this.#json("GET", "/System/Info/Public", publicSystemInfoSchema, { signal, authenticated: false });
  }

  /** A user's token (GET /Users/Me answers the user) or an API key (no user: 400, or 404/500 on some Emby). */
  async access(signal?: AbortSignal): Promise<TokenAccess> {
    const { status, body } = await this.#request("GET", "/Users/Me", { signal, accept: [400, 404, 500] });
    if (status !== 200) return { kind: "api-key" };
    const user = this.#parse(userSchema, body, "/Users/Me");
    return { kind: "user", id: user.Id, name: user.Name, admin: user.Policy?.IsAdministrator === true };
  }

  async sessions(signal?: AbortSignal): Promise<{ sessions: MediaSession[]; skipped: number }> {
    const { body } = await this.#request("GET", "/Sessions", { signal });
    if (!Array.isArray(body)) throw new MediaServerError("bad-response", `${this.#product} answered GET /Sessions with something that is not a list`);
    return parseSessions(body);
  }

  /** One item as `userId` sees it, with the user's UserData (play count, played). */
  async item(itemId: string, userId: string, version: ServerVersion, signal?: AbortSignal): Promise<MediaItem> {
    return this.#json("GET", this.dialect.itemPath(itemId, userId, version), itemSchema, { signal });
  }

  async authenticateByName(username: string, password: string, signal?: AbortSignal): Promise<AuthenticationResult> {
    return this.#json("POST", "/Users/AuthenticateByName", authenticationResultSchema, { signal, authenticated: false, body: { Username: username, Pw: password } });
  }

  async quickConnectEnabled(signal?: AbortSignal): Promise<boolean> {
    const { body } = await this.#request("GET", "/QuickConnect/Enabled", { signal, authenticated: false });
    return body === true;
  }

  async quickConnectInitiate(signal?: AbortSignal): Promise<QuickConnectState> {
    return this.#json("POST", "/QuickConnect/Initiate", quickConnectSchema, { signal, authenticated: false });
  }

  async quickConnectState(secret: string, signal?: AbortSignal): Promise<QuickConnectState> {
    return this.#json("GET", `/QuickConnect/Connect?secret=${encodeURIComponent(secret)}`, quickConnectSchema, { signal, authenticated: false });
  }

  async authenticateWithQuickConnect(secret: string, signal?: AbortSignal): Promise<AuthenticationResult> {
    return this.#json("POST", "/Users/AuthenticateWithQuickConnect", authenticationResultSchema, { signal, authenticated: false, body: { Secret: secret } });
  }

  get #product(): string {
    return this.dialect.product;
  }

  async #json<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options: { signal?: AbortSignal | undefined; authenticated?: boolean; body?: unknown },
  ): Promise<z.infer<S>> {
    const { body } = await this.#request(method, path, options);
    return this.#parse(schema, body, path.split("?")[0] ?? path);
  }

  #parse<S extends z.ZodType>(schema: S, body: unknown, path: string): z.infer<S> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the answer";
    throw new MediaServerError("bad-response", `${this.#product} answered ${path} with something unexpected (${where}: ${issue?.message ?? "invalid"})`);
  }

  async #request(
    method: string,
    path: string,
    options: { signal?: AbortSignal | undefined; authenticated?: boolean; body?: unknown; accept?: number[] },
  ): Promise<{ status: number; body: unknown }> {
    const { identity, dialect, timeoutMs, maxBytes } = this.#options;
    const token = options.authenticated === false ? undefined : this.#options.token;
    const url = serverUrl(this.base, `${dialect.restPrefix}${path}`);
    const shown = `${method} ${path.split("?")[0] ?? path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { Accept: "application/json", ...dialect.restHeaders(identity, token) };
    // Redirects are not followed: the token would go along to wherever they point.
    const init: RequestInit = { method, headers, signal, redirect: "manual" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    let status: number;
    let text: string;
    let truncated: boolean;
    let location: string | null = null;
    try {
      const response = await this.#fetch(url, init);
      status = response.status;
      location = response.headers.get("location");
      ({ text, truncated } = await readBoundedText(response, maxBytes, signal));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (timeout.aborted) throw new MediaServerError("timeout", `${this.#product} did not answer ${shown} within ${timeoutMs} ms`, { cause: error });
      throw new MediaServerError("network", `cannot reach ${this.#product} at ${this.base.origin} (${rootMessage(error)})`, { cause: error });
    }
    if (status === 401 || status === 403) {
      const what = token === undefined ? "the login" : "the token";
      throw new MediaServerError("auth", `${this.#product} refused ${what} (HTTP ${status} on ${shown})`, { status });
    }
    if (status >= 300 && status < 400) {
      const target = location === null ? "elsewhere" : `to ${location.slice(0, 200)}`;
      throw new MediaServerError("http", `${this.#product} answered ${shown} with a redirect (HTTP ${status}) ${target}: set ${dialect.kind}.url to the address it redirects to`, { status });
    }
    if (truncated) throw new MediaServerError("too-large", `${this.#product} answered ${shown} with more than ${maxBytes} bytes; not read`, { status });
    const accepted = (status >= 200 && status < 300) || options.accept?.includes(status) === true;
    if (!accepted) throw new MediaServerError("http", `${this.#product} answered ${shown} with HTTP ${status}`, { status });
    if (status === 204 || text.trim() === "") return { status, body: undefined };
    try {
      return { status, body: parseUntrustedJson(text) };
    } catch (error) {
      if (!(status >= 200 && status < 300)) return { status, body: undefined };
      const why = error instanceof JsonTooDeepError ? error.message : "not JSON";
      throw new MediaServerError("bad-response", `${this.#product} answered ${shown} with a body that is ${why}; is ${this.base.origin} a ${this.#product} server?`, { status });
    }
  }
}
