import type { CheckinBody, DeviceCode, HistoryAddResult, HistoryBody, HistoryEntry, IdType, ScrobbleAction, ScrobbleBody, ScrobbleResponse, SearchResult, SearchType, ShowSeason } from "./types.js";
import type { TokenSet } from "../core/tokens.js";

/** Options of one Trakt call. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /**
   * Retries after the first attempt when the failure is retryable (network, 5xx, a short 429); default: the client's
   * (4). 0 = one attempt: for a caller that does its own backoff and must not send a POST twice (the outbox).
   */
  retries?: number | undefined;
}

/**
 * Gives the client a user's access token. Implemented by the accounts module; the client never stores tokens.
 * After a 401 the client calls `refreshAfterUnauthorized` once (single-flight per account) and retries once.
 */
export interface AccessTokenProvider {
  getAccessToken(account: string, signal?: AbortSignal): Promise<string>;
  refreshAfterUnauthorized(account: string, rejectedAccessToken: string, signal?: AbortSignal): Promise<string>;
}

/** Outcome of one device-token poll that is not a token (400/404/409/410/418/429). */
export type DevicePollStatus = "pending" | "invalid" | "already_used" | "expired" | "denied" | "slow_down";

export type DevicePollResult = { status: "approved"; tokens: TokenSet } | { status: DevicePollStatus };

export interface HistoryQuery {
  type?: "movies" | "shows" | "seasons" | "episodes";
  /** Trakt id of the item (with `type`). */
  id?: number;
  startAt?: Date;
  endAt?: Date;
  page?: number;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageCount: number;
  itemCount: number;
}

export interface PlaybackProgressItem {
  id: number;
  progress: number;
  paused_at: string;
  type: "movie" | "episode";
  movie?: ScrobbleResponse["movie"];
  episode?: ScrobbleResponse["episode"];
  show?: ScrobbleResponse["show"];
}

export interface UserSettings {
  user: { username: string; name?: string | null; vip?: boolean; ids?: { slug?: string } };
  account?: { timezone?: string };
  limits?: unknown;
}

/** What the rest of the daemon may ask of Trakt. `account` names a logged-in account. */
export interface TraktApi {
  // OAuth (no user token)
  deviceCode(call?: CallOptions): Promise<DeviceCode>;
  pollDeviceToken(deviceCode: string, call?: CallOptions): Promise<DevicePollResult>;
  refreshToken(refreshToken: string, call?: CallOptions): Promise<TokenSet>;
  revokeToken(accessToken: string, call?: CallOptions): Promise<void>;

  // Scrobbling. A 409 from stop throws TraktError kind "conflict" with its parsed watched_at/expires_at.
  scrobble(account: string, action: ScrobbleAction, body: ScrobbleBody, call?: CallOptions): Promise<ScrobbleResponse>;
  checkin(account: string, body: CheckinBody, call?: CallOptions): Promise<ScrobbleResponse>;
  deleteCheckin(account: string, call?: CallOptions): Promise<void>;

  // Search (GET; a token is sent when `account` is given, moving the call to the user's rate bucket)
  searchById(idType: IdType, id: string, type?: SearchType, call?: CallOptions): Promise<SearchResult[]>;
  searchText(types: SearchType[], query: string, options?: CallOptions & { years?: number | string; fields?: string[] }): Promise<SearchResult[]>;

  // Shows: every season with its episodes, full episode objects (`number_abs` among them). One call per show;
  // used to turn an absolute episode number into a season and number for /sync/history.
  showSeasons(id: string | number, signal?: AbortSignal): Promise<ShowSeason[]>;

  // Sync
  addHistory(account: string, body: HistoryBody, call?: CallOptions): Promise<HistoryAddResult>;
  removeHistory(account: string, body: HistoryBody & { ids?: number[] }, call?: CallOptions): Promise<unknown>;
  getHistory(account: string, query?: HistoryQuery, call?: CallOptions): Promise<Page<HistoryEntry>>;
  getPlayback(account: string, type?: "movies" | "episodes", call?: CallOptions): Promise<PlaybackProgressItem[]>;
  removePlayback(account: string, playbackId: number, call?: CallOptions): Promise<void>;
  lastActivities(account: string, call?: CallOptions): Promise<Record<string, unknown>>;
  userSettings(account: string, call?: CallOptions): Promise<UserSettings>;
}
