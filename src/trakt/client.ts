// The Trakt API client: headers, timeouts, error mapping, retries, per-account write spacing, 401 → refresh once.
// It holds no tokens itself: account calls ask the AccessTokenProvider for one.
import type { AccessTokenProvider, CallOptions, DevicePollResult, HistoryQuery, Page, PlaybackProgressItem, TraktApi, UserSettings } from "./api.js";
import { TraktError, isTraktError } from "./errors.js";
import { errorFromNetwork, errorFromResponse, tryParseJson } from "./http-errors.js";
import {
  checkinResponseSchema,
  deviceCodeSchema,
  devicePollStatus,
  escapeSolr,
  historyAddResultSchema,
  historyEntriesSchema,
  historyRemoveResultSchema,
  lastActivitiesSchema,
  parseBody,
  parsePage,
  playbackSchema,
  scrobbleResponseSchema,
  searchResultsSchema,
  showSeasonsSchema,
  tokenSetSchema,
  userSettingsSchema,
} from "./parse.js";
import { DEFAULT_RETRY_POLICY, realSleep, withRetry, type RetryPolicy, type Sleep } from "./retry.js";
import type { CheckinBody, DeviceCode, HistoryAddResult, HistoryBody, HistoryEntry, IdType, ScrobbleAction, ScrobbleBody, ScrobbleResponse, SearchResult, SearchType, ShowSeason } from "./types.js";
import type { TokenSet } from "../core/tokens.js";
import { TraktAppHealth } from "./app-health.js";
import { WriteScheduler } from "./write-scheduler.js";
import { registerSecret, silentLogger, type Logger } from "../util/log.js";
import { readBoundedText } from "../util/bounded-body.js";
import { USER_AGENT } from "../version.js";

export interface TraktClientOptions {
  /** e.g. https://api.trakt.tv, or the emulator's url. */
  apiUrl: string;
  /** OAuth host (Trakt now uses https://auth.trakt.tv); defaults to apiUrl. */
  authUrl?: string | undefined;
  clientId: string;
  clientSecret?: string | undefined;
  /** Needed for account calls (scrobble, sync, users). */
  tokens?: AccessTokenProvider | undefined;
  logger?: Logger | undefined;
  /** Per request (each attempt), default 15 s. */
  timeoutMs?: number | undefined;
  /**
   * Largest response body read, default 16 MiB: a 2xx beyond it is a bad_response, an error page beyond it is
   * mapped by its status with the rest unread. Keeps a misbehaving proxy from filling a small box's memory.
   */
  maxBodyBytes?: number | undefined;
  /** Minimum gap between two writes of one account, default 1000 ms (Trakt: 1 write/s per user). */
  writeSpacingMs?: number | undefined;
  /** Retries after the first attempt for retryable failures (default 4), for calls that do not say (CallOptions.retries). Shorthand for retry.retries. */
  retries?: number | undefined;
  /** Retry policy overrides (retries, baseDelayMs, maxDelayMs, maxRetryAfterMs). */
  retry?: Partial<RetryPolicy> | undefined;
  /** OAuth redirect_uri sent with token refreshes; device-flow apps use the out-of-band URN. */
  redirectUri?: string | undefined;
  /**
   * Test hook: one fake clock (ms) for everything. By default intervals (write spacing, rate-limit blocks) use a
   * monotonic clock, so a wall-clock jump (a Raspberry Pi without RTC setting its time at boot) cannot stall writes;
   * the wall clock is only used to read Retry-After dates.
   */
  now?: (() => number) | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  fetch?: typeof fetch | undefined;
  /** Shared record of whether Trakt accepts the app (403 / 426), for /readyz; clients of one app share one. */
  appHealth?: TraktAppHealth | undefined;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface RequestSpec {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  /** Account whose token is sent; undefined for app-only calls. */
  account?: string | undefined;
  /** OAuth endpoints go to authUrl. */
  auth?: boolean;
  signal?: AbortSignal | undefined;
  /** Overrides the policy's retries for this call. */
  retries?: number | undefined;
  /** Statuses handed back to the caller instead of thrown (device polling). */
  passStatuses?: readonly number[];
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const DEVICE_POLL_STATUSES = [400, 404, 409, 410, 418, 429] as const;

export class TraktClient implements TraktApi {
  readonly #apiUrl: string;
  readonly #authUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string | undefined;
  readonly #tokens: AccessTokenProvider | undefined;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #policy: RetryPolicy;
  readonly #redirectUri: string;
  /** Monotonic, for intervals. */
  readonly #now: () => number;
  /** Wall clock, for HTTP dates. */
  readonly #wallNow: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #fetch: typeof fetch;
  readonly #writes: WriteScheduler;
  readonly #appHealth: TraktAppHealth;
  /**
   * After a 429, its rate bucket (an account, or the app for token-less calls) is closed until Retry-After has
   * passed: calls in that time fail fast (or wait, if short) instead of hitting Trakt and prolonging the block.
   */
  readonly #blocked = new Map<string, { until: number; error: TraktError }>();

  constructor(options: TraktClientOptions) {
    if (!options.clientId) throw new Error("TraktClient needs a client id: set trakt.clientId (TRAKT_CLIENT_ID)");
    this.#apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.#authUrl = (options.authUrl ?? options.apiUrl).replace(/\/+$/, "");
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    registerSecret(options.clientSecret);
    this.#tokens = options.tokens;
    this.#log = (options.logger ?? silentLogger()).child({ component: "trakt" });
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(options.retry ?? {}) };
    if (options.retries !== undefined) this.#policy.retries = options.retries;
    this.#redirectUri = options.redirectUri ?? "urn:ietf:wg:oauth:2.0:oob";
    this.#now = options.now ?? (() => performance.now());
    this.#wallNow = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#writes = new WriteScheduler(options.writeSpacingMs ?? 1_000, this.#now, this.#sleep);
    this.#appHealth = options.appHealth ?? new TraktAppHealth();
  }

  /** Why Trakt refuses this app or account right now (deleted app, VIP required), until its next 2xx. */
  get appProblem(): string | undefined {
    return this.#appHealth.problem;
  }

  // ---- OAuth -------------------------------------------------------------------------------------------------

  async deviceCode(call: CallOptions = {}): Promise<DeviceCode> {
    const res = await this.#call({ method: "POST", path: "/oauth/device/code", auth: true, body: { client_id: this.#clientId }, ...call });
    const code = parseBody(deviceCodeSchema, res.body, "POST /oauth/device/code");
    registerSecret(code.device_code);
    return code;
  }

  async pollDeviceToken(deviceCode: string, call: CallOptions = {}): Promise<DevicePollResult> {
    registerSecret(deviceCode);
    const res = await this.#call({
      method: "POST",
      path: "/oauth/device/token",
      auth: true,
      body: { code: deviceCode, client_id: this.#clientId, client_secret: this.#requireSecret() },
      ...call,
      passStatuses: DEVICE_POLL_STATUSES,
    });
    const status = devicePollStatus(res.status);
    if (status !== undefined && res.status !== 200) return { status };
    return { status: "approved", tokens: this.#tokenSet(res.body, "POST /oauth/device/token") };
  }

  async refreshToken(refreshToken: string, call: CallOptions = {}): Promise<TokenSet> {
    registerSecret(refreshToken);
    const res = await this.#call({
      method: "POST",
      path: "/oauth/token",
      auth: true,
      body: {
        refresh_token: refreshToken,
        client_id: this.#clientId,
        client_secret: this.#requireSecret(),
        redirect_uri: this.#redirectUri,
        grant_type: "refresh_token",
      },
      ...call,
    });
    return this.#tokenSet(res.body, "POST /oauth/token");
  }

  async revokeToken(accessToken: string, call: CallOptions = {}): Promise<void> {
    registerSecret(accessToken);
    await this.#call({
      method: "POST",
      path: "/oauth/revoke",
      auth: true,
      body: { token: accessToken, client_id: this.#clientId, client_secret: this.#requireSecret() },
      ...call,
    });
  }

  // ---- Scrobble and checkin ----------------------------------------------------------------------------------

  async scrobble(account: string, action: ScrobbleAction, body: ScrobbleBody, call: CallOptions = {}): Promise<ScrobbleResponse> {
    const res = await this.#call({ method: "POST", path: `/scrobble/${action}`, account, body, ...call });
    return parseBody(scrobbleResponseSchema, res.body, `POST /scrobble/${action}`);
  }

  async checkin(account: string, body: CheckinBody, call: CallOptions = {}): Promise<ScrobbleResponse> {
    const res = await this.#call({ method: "POST", path: "/checkin", account, body, ...call });
    return parseBody(checkinResponseSchema, res.body, "POST /checkin");
  }

  async deleteCheckin(account: string, call: CallOptions = {}): Promise<void> {
    await this.#call({ method: "DELETE", path: "/checkin", account, ...call });
  }

  // ---- Search ------------------------------------------------------------------------------------------------

  async searchById(idType: IdType, id: string, type?: SearchType, call: CallOptions = {}): Promise<SearchResult[]> {
    const path = `/search/${idType}/${encodeURIComponent(id)}`;
    const res = await this.#call({ method: "GET", path, query: { type }, ...call });
    return parseBody(searchResultsSchema, res.body, `GET /search/${idType}`);
  }

  async searchText(
    types: SearchType[],
    query: string,
    options: CallOptions & { years?: number | string; fields?: string[] } = {},
  ): Promise<SearchResult[]> {
    if (types.length === 0) throw new TraktError("invalid", "searchText needs at least one type (movie, show, episode, person, list)");
    const res = await this.#call({
      method: "GET",
      path: `/search/${types.join(",")}`,
      query: {
        query: escapeSolr(query),
        years: options.years === undefined ? undefined : String(options.years),
        fields: options.fields && options.fields.length > 0 ? options.fields.join(",") : undefined,
      },
      signal: options.signal,
      retries: options.retries,
    });
    return parseBody(searchResultsSchema, res.body, "GET /search");
  }

  // ---- Shows -------------------------------------------------------------------------------------------------

  async showSeasons(id: string | number, signal?: AbortSignal): Promise<ShowSeason[]> {
    const res = await this.#call({ method: "GET", path: `/shows/${encodeURIComponent(String(id))}/seasons`, query: { extended: "full,episodes" }, signal });
    return parseBody(showSeasonsSchema, res.body, "GET /shows/{id}/seasons");
  }

  // ---- Sync --------------------------------------------------------------------------------------------------

  async addHistory(account: string, body: HistoryBody, call: CallOptions = {}): Promise<HistoryAddResult> {
    const res = await this.#call({ method: "POST", path: "/sync/history", account, body, ...call });
    return parseBody(historyAddResultSchema, res.body, "POST /sync/history");
  }

  async removeHistory(account: string, body: HistoryBody & { ids?: number[] }, call: CallOptions = {}): Promise<unknown> {
    const res = await this.#call({ method: "POST", path: "/sync/history/remove", account, body, ...call });
    return parseBody(historyRemoveResultSchema, res.body, "POST /sync/history/remove");
  }

  async getHistory(account: string, query: HistoryQuery = {}, call: CallOptions = {}): Promise<Page<HistoryEntry>> {
    if (query.id !== undefined && query.type === undefined) {
      throw new TraktError("invalid", "getHistory: an id filter needs a type (movies, shows, seasons or episodes)");
    }
    let path = "/sync/history";
    if (query.type !== undefined) path += `/${query.type}`;
    if (query.id !== undefined) path += `/${query.id}`;
    const res = await this.#call({
      method: "GET",
      path,
      account,
      query: {
        start_at: query.startAt?.toISOString(),
        end_at: query.endAt?.toISOString(),
        page: query.page,
        limit: query.limit,
      },
      ...call,
    });
    return parsePage(parseBody(historyEntriesSchema, res.body, "GET /sync/history"), res.headers);
  }

  async getPlayback(account: string, type?: "movies" | "episodes", call: CallOptions = {}): Promise<PlaybackProgressItem[]> {
    const path = type === undefined ? "/sync/playback" : `/sync/playback/${type}`;
    const res = await this.#call({ method: "GET", path, account, ...call });
    return parseBody(playbackSchema, res.body, "GET /sync/playback");
  }

  async removePlayback(account: string, playbackId: number, call: CallOptions = {}): Promise<void> {
    await this.#call({ method: "DELETE", path: `/sync/playback/${playbackId}`, account, ...call });
  }

  async lastActivities(account: string, call: CallOptions = {}): Promise<Record<string, unknown>> {
    const res = await this.#call({ method: "GET", path: "/sync/last_activities", account, ...call });
    return parseBody(lastActivitiesSchema, res.body, "GET /sync/last_activities");
  }

  async userSettings(account: string, call: CallOptions = {}): Promise<UserSettings> {
    const res = await this.#call({ method: "GET", path: "/users/settings", account, ...call });
    return parseBody(userSettingsSchema, res.body, "GET /users/settings");
  }

  // ---- Plumbing ----------------------------------------------------------------------------------------------

  #requireSecret(): string {
    if (!this.#clientSecret) {
      throw new TraktError("config", "This Trakt call needs the app's client secret: set trakt.clientSecret (TRAKT_CLIENT_SECRET)");
    }
    return this.#clientSecret;
  }

  #tokenSet(body: unknown, what: string): TokenSet {
    // Register before validation, so not even a validation error can echo them.
    if (body !== null && typeof body === "object") {
      const b = body as Record<string, unknown>;
      if (typeof b.access_token === "string") registerSecret(b.access_token);
      if (typeof b.refresh_token === "string") registerSecret(b.refresh_token);
    }
    return parseBody(tokenSetSchema, body, what);
  }

  /** One logical call: account token handling, write spacing, retries. */
  async #call(spec: RequestSpec): Promise<RawResponse> {
    const isWrite = spec.method !== "GET";
    if (spec.account === undefined) {
      return this.#withRetries(spec, undefined, (attempt) => attempt());
    }
    const account = spec.account;
    const run = async (spaced: <R>(request: () => Promise<R>) => Promise<R>): Promise<RawResponse> => {
      const tokens = this.#requireTokens();
      let token = await tokens.getAccessToken(account, spec.signal);
      registerSecret(token);
      try {
        return await this.#withRetries(spec, token, spaced);
      } catch (error) {
        if (!isTraktError(error, "auth_expired")) throw error;
        this.#log.info({ account, path: spec.path }, "Trakt rejected the access token; refreshing once and retrying");
        const rejected = token;
        try {
          token = await tokens.refreshAfterUnauthorized(account, rejected, spec.signal);
        } catch (refreshError) {
          throw new TraktError("auth_expired", `Trakt rejected the access token of account "${account}" and refreshing it failed: log in again`, {
            status: 401,
            cause: refreshError,
          });
        }
        registerSecret(token);
        return await this.#withRetries(spec, token, spaced);
      }
    };
    if (!isWrite) return run((request) => request());
    return this.#writes.serial(account, (spaced) => run((request) => spaced(request, spec.signal)));
  }

  #requireTokens(): AccessTokenProvider {
    if (!this.#tokens) throw new TraktError("config", "This Trakt call needs a logged-in account, but the client has no token provider");
    return this.#tokens;
  }

  #withRetries(spec: RequestSpec, token: string | undefined, wrap: <R>(request: () => Promise<R>) => Promise<R>): Promise<RawResponse> {
    const policy = spec.retries === undefined ? this.#policy : { ...this.#policy, retries: spec.retries };
    return withRetry((attemptNumber) => wrap(() => this.#send(spec, token, attemptNumber)), policy, {
      sleep: this.#sleep,
      random: this.#random,
      signal: spec.signal,
      onRetry: (error, retry, delayMs) => {
        this.#log.warn({ method: spec.method, path: spec.path, kind: error.kind, status: error.status, retry, delayMs }, "Trakt call failed; retrying");
      },
    });
  }

  /** One HTTP request. Throws a TraktError for anything but 2xx (and the caller's pass-through statuses). */
  async #send(spec: RequestSpec, token: string | undefined, attempt: number): Promise<RawResponse> {
    const base = spec.auth ? this.#authUrl : this.#apiUrl;
    const url = new URL(base + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const pathForLog = url.pathname + url.search;

    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "trakt-api-version": "2",
      "trakt-api-key": this.#clientId,
      "User-Agent": USER_AGENT,
    };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;

    spec.signal?.throwIfAborted();
    const bucket = spec.account ?? "";
    const block = this.#blocked.get(bucket);
    if (block) {
      const remaining = block.until - this.#now();
      if (remaining > 0) {
        throw new TraktError("rate_limited", `Trakt ${spec.method} ${url.pathname} not sent: still rate limited for ${Math.ceil(remaining / 1000)} s`, {
          status: 429,
          retryAfterMs: remaining,
          cause: block.error,
        });
      }
      this.#blocked.delete(bucket);
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const started = performance.now();
    let status = 0;
    let responseHeaders: Headers;
    let text: string;
    let truncated: boolean;
    let statusText: string;
    try {
      const init: RequestInit = { method: spec.method, headers, signal };
      if (spec.body !== undefined) init.body = JSON.stringify(spec.body);
      const response = await this.#fetch(url, init);
      status = response.status;
      statusText = response.statusText;
      responseHeaders = response.headers;
      ({ text, truncated } = await readBoundedText(response, this.#maxBodyBytes, signal));
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      if (spec.signal?.aborted) throw spec.signal.reason instanceof Error ? spec.signal.reason : error;
      const wrapped = errorFromNetwork(spec.method, url.pathname, error, timeout.aborted, this.#timeoutMs);
      this.#log.debug({ method: spec.method, path: pathForLog, status: status || undefined, ms, attempt, error: wrapped.message }, "trakt request failed");
      throw wrapped;
    }
    const ms = Math.round(performance.now() - started);
    this.#log.debug({ method: spec.method, path: pathForLog, status, ms, attempt }, "trakt request");

    if (truncated && status >= 200 && status < 300) {
      throw new TraktError("bad_response", `Trakt ${spec.method} ${url.pathname} answered HTTP ${status} with a body over ${this.#maxBodyBytes} bytes; not read`, {
        status,
      });
    }
    if ((status >= 200 && status < 300) || spec.passStatuses?.includes(status)) {
      const body = tryParseJson(text);
      if (status >= 200 && status < 300 && status !== 204 && body === undefined && text.trim() !== "") {
        throw new TraktError("bad_response", `Trakt ${spec.method} ${url.pathname} answered HTTP ${status} with a non-JSON body`, {
          status,
          cause: new Error(`content-type ${responseHeaders.get("content-type") ?? "none"}`),
        });
      }
      if (status >= 200 && status < 300 && this.#appHealth.succeeded()) this.#log.info("Trakt accepts the app again");
      return { status, headers: responseHeaders, body };
    }
    const error = errorFromResponse({ method: spec.method, path: url.pathname, status, statusText, headers: responseHeaders, bodyText: text, nowMs: this.#wallNow() });
    const appProblem = this.#appHealth.failed(error);
    if (appProblem !== undefined) this.#log.error({ method: spec.method, path: url.pathname, status }, appProblem);
    if (error.kind === "rate_limited" && error.retryAfterMs !== undefined) {
      this.#blocked.set(bucket, { until: this.#now() + error.retryAfterMs, error });
    }
    throw error;
  }
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

function stripUndefined<T extends object>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

