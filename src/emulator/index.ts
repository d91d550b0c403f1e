// A faithful in-process Trakt API emulator for tests and the `demo` command: an HTTP server on 127.0.0.1
// speaking Trakt API v2 (device flow, single-use refresh tokens, scrobble, checkin, sync, search), with a test
// control API (clock, users, device approval, fault injection, outage/recovery, request log).
import type { TokenSet } from "../core/tokens.js";
import type { Logger } from "../util/log.js";
import { MOVIES, SHOWS } from "./catalogue.js";
import type { Fault, InjectOptions } from "./faults.js";
import { EmulatorServer, type RecordedRequest } from "./server.js";
import { EmulatorState, type EmulatorUser } from "./state.js";

export type { Fault, InjectOptions } from "./faults.js";
export type { RecordedRequest } from "./server.js";
export type { CatalogueEpisode, CatalogueMovie, CatalogueShow } from "./catalogue.js";
export { MOVIES, SHOWS } from "./catalogue.js";

export const EMULATOR_CLIENT_ID = "emulator-client-id-0123456789abcdef";
export const EMULATOR_CLIENT_SECRET = "emulator-client-secret-0123456789abcdef";

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Base clock in ms (default Date.now); `advanceTime` adds to it. */
  now?: () => number;
  /** Access-token lifetime, default 7 days (Trakt's current docs). */
  accessTokenLifetimeSec?: number;
  /** Device code lifetime, default 600 s. */
  deviceCodeExpiresInSec?: number;
  /** Device polling interval, default 5 s. Polling faster gets 429. */
  deviceIntervalSec?: number;
  /** A second stop ≥ 80 % of the same item inside this window gets 409; default 1 h. */
  duplicateScrobbleWindowMs?: number;
  /** Minimum gap between two writes of one user; default 1000 (Trakt: 1 POST/PUT/DELETE per second). 0 = off. */
  writeLimitMs?: number;
  /** Status for a used/unknown refresh token: 400 (current Trakt) or 401 (older docs). */
  refreshErrorStatus?: 400 | 401;
  verificationUrl?: string;
  /** The user a device approval logs in when none is named; default "alice". */
  defaultUser?: string;
  /** Approve every device code as soon as it is issued: `true` for the default user, or a user name (demo mode). */
  autoApproveDevices?: boolean | string;
  /** Logs each finished request at debug ({method, path, status, user}); for the demo command. */
  logger?: Logger;
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (serves both API and OAuth paths). */
  readonly url: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly RecordedRequest[];

  close(): Promise<void>;

  // clock
  now(): number;
  advanceTime(ms: number): void;

  // users and tokens
  addUser(username: string, options?: { name?: string; vip?: boolean }): void;
  /** Tokens for a user without the device flow (lifetime default from options). */
  issueTokens(username?: string, options?: { lifetimeSec?: number }): TokenSet;
  expireAccessToken(accessToken: string): void;
  revokeAccessToken(accessToken: string): void;
  isRefreshTokenValid(refreshToken: string): boolean;

  // device flow
  approveDevice(userCode: string, username?: string): void;
  denyDevice(userCode: string): void;
  /** The user_code of the most recent device code (what a user would type at /activate). */
  lastUserCode(): string | undefined;

  // data, for assertions
  history(username?: string): { id: number; watchedAt: string; action: string; type: "movie" | "episode"; traktId: number; title: string }[];
  playback(username?: string): { id: number; progress: number; pausedAt: string; type: "movie" | "episode"; traktId: number }[];
  watching(username?: string): { type: "movie" | "episode"; traktId: number; progress: number } | undefined;

  // faults
  injectFault(fault: Fault, options?: InjectOptions): void;
  /** Mode: /scrobble/pause answers `status` (default 400, as in Trakt's 2026 incident) until `clearFaults()`. */
  refusePause(status?: number): void;
  /** Mode: id lookups (/search/{id_type}/{id}) answer an empty list — for one id kind, or all — until `clearFaults()`. */
  emptyIdSearch(idType?: "imdb" | "tmdb" | "tvdb" | "trakt"): void;
  clearFaults(): void;
  pendingFaults(): number;
  /** Full outage: stop listening and cut every connection (clients get ECONNREFUSED / ECONNRESET). */
  outage(): Promise<void>;
  /** Listen again on the same port. */
  recover(): Promise<void>;

  // request log
  clearRequests(): void;
  /** Resolves with the first request (already logged or future) matching `predicate`, or rejects after timeoutMs. */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /**
   * Resolves when a future request matching `predicate` has arrived, before it is answered (status still 0) —
   * e.g. to cut the emulator while a request is held by a latency fault.
   */
  waitForArrival(predicate?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Calls `listener` for every finished request; returns the unsubscribe function. */
  onRequest(listener: (r: RecordedRequest) => void): () => void;
}

export async function startTraktEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let offset = 0;
  const base = options.now ?? Date.now;
  const now = (): number => base() + offset;
  const defaultUser = options.defaultUser ?? "alice";
  const state = new EmulatorState({
    now,
    accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 7 * 24 * 3600,
    deviceCodeExpiresInSec: options.deviceCodeExpiresInSec ?? 600,
    deviceIntervalSec: options.deviceIntervalSec ?? 5,
    duplicateScrobbleWindowMs: options.duplicateScrobbleWindowMs ?? 3_600_000,
    verificationUrl: options.verificationUrl ?? "https://trakt.tv/activate",
    defaultUser,
    refreshErrorStatus: options.refreshErrorStatus ?? 400,
    autoApproveUser: options.autoApproveDevices === true ? defaultUser : options.autoApproveDevices || undefined,
  });
  state.user(defaultUser);
  const clientId = options.clientId ?? EMULATOR_CLIENT_ID;
  const clientSecret = options.clientSecret ?? EMULATOR_CLIENT_SECRET;
  const host = options.host ?? "127.0.0.1";
  const server = new EmulatorServer(state, {
    host,
    port: options.port ?? 0,
    clientId,
    clientSecret,
    writeLimitMs: options.writeLimitMs ?? 1_000,
  });
  await server.listen();
  const port = server.port;
  const log = options.logger?.child({ component: "trakt-emulator" });
  if (log) {
    server.onRequest((r) => log.debug({ method: r.method, path: r.path, status: r.status, user: r.user, fault: r.fault }, "emulator request"));
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;

  const device = (userCode: string): NonNullable<ReturnType<EmulatorState["deviceByUserCode"]>> => {
    const d = state.deviceByUserCode(userCode);
    if (!d) throw new Error(`emulator: no device code with user code ${userCode}`);
    return d;
  };
  const userOf = (username: string | undefined): EmulatorUser => state.user(username ?? defaultUser);
  const title = (h: { item: EmulatorUser["history"][number]["item"] }): string =>
    h.item.type === "movie" ? h.item.movie.title : `${h.item.show.title} ${h.item.episode.season}x${String(h.item.episode.number).padStart(2, "0")}`;
  const traktId = (item: EmulatorUser["history"][number]["item"]): number => (item.type === "movie" ? item.movie.ids.trakt : item.episode.ids.trakt);

  const emulator: Emulator = {
    url: `http://${urlHost}:${port}`,
    port,
    clientId,
    clientSecret,
    get requests() {
      return server.requests;
    },
    close: () => server.stop(),
    now,
    advanceTime(ms) {
      offset += ms;
    },
    addUser(username, opts = {}) {
      const u = state.user(username);
      if (opts.name !== undefined) u.name = opts.name;
      if (opts.vip !== undefined) u.vip = opts.vip;
    },
    issueTokens(username = defaultUser, opts = {}) {
      return state.issueTokens(username, opts.lifetimeSec);
    },
    expireAccessToken: (t) => state.expireAccessToken(t),
    revokeAccessToken: (t) => state.revoke(t),
    isRefreshTokenValid: (t) => state.isRefreshTokenValid(t),
    approveDevice(userCode, username = defaultUser) {
      const d = device(userCode);
      state.user(username);
      d.state = "approved";
      d.username = username;
    },
    denyDevice(userCode) {
      device(userCode).state = "denied";
    },
    lastUserCode() {
      let last: string | undefined;
      for (const d of state.devices.values()) last = d.userCode;
      return last;
    },
    history(username) {
      return [...userOf(username).history]
        .sort((a, b) => b.watchedAt - a.watchedAt || b.id - a.id)
        .map((h) => ({ id: h.id, watchedAt: new Date(h.watchedAt).toISOString(), action: h.action, type: h.item.type, traktId: traktId(h.item), title: title(h) }));
    },
    playback(username) {
      return userOf(username).playback.map((p) => ({ id: p.id, progress: p.progress, pausedAt: new Date(p.pausedAt).toISOString(), type: p.item.type, traktId: traktId(p.item) }));
    },
    watching(username) {
      const w = userOf(username).watching;
      return w ? { type: w.item.type, traktId: traktId(w.item), progress: w.progress } : undefined;
    },
    injectFault: (fault, opts) => server.faults.add(fault, opts),
    refusePause(status = 400) {
      const body = status === 400 ? { error: "bad_request", error_description: "the request could not be parsed" } : undefined;
      server.faults.add({ type: "status", status, ...(body ? { body } : {}) }, { method: "POST", path: "/scrobble/pause", times: Infinity });
    },
    emptyIdSearch(idType) {
      server.faults.add({ type: "empty" }, { method: "GET", path: new RegExp(`^/search/${idType ?? "(?:trakt|imdb|tmdb|tvdb)"}/[^/]+$`), times: Infinity });
    },
    clearFaults: () => server.faults.clear(),
    pendingFaults: () => server.faults.pending(),
    outage: () => server.stop(),
    recover: async () => {
      if (!server.listening) await server.listen(port);
    },
    clearRequests() {
      server.requests.length = 0;
    },
    waitForRequest(predicate, timeoutMs = 5_000) {
      const found = server.requests.find(predicate);
      if (found) return Promise.resolve(found);
      return waitFor((l) => server.onRequest(l), predicate, timeoutMs);
    },
    onRequest: (listener) => server.onRequest(listener),
    waitForArrival(predicate = () => true, timeoutMs = 5_000) {
      return waitFor((l) => server.onArrival(l), predicate, timeoutMs);
    },
  };
  return emulator;
}

function waitFor(
  subscribe: (listener: (r: RecordedRequest) => void) => () => void,
  predicate: (r: RecordedRequest) => boolean,
  timeoutMs: number,
): Promise<RecordedRequest> {
  return new Promise<RecordedRequest>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`emulator: no matching request within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((r) => {
      if (!predicate(r)) return;
      clearTimeout(timer);
      off();
      resolve(r);
    });
  });
}

/** The catalogue, for tests that need real ids without hard-coding them. */
export const catalogue = { movies: MOVIES, shows: SHOWS } as const;
