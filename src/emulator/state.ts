// The emulator's domain: users, tokens, device codes, history, playback, checkins — Trakt's documented behaviour,
// independent of HTTP. Every method takes the current time from the injected clock.
import { randomBytes } from "node:crypto";
import type { TraktIds } from "../core/media.js";
import type { TokenSet } from "../core/tokens.js";
import {
  MOVIES,
  SHOWS,
  episodeObject,
  findShowById,
  seasonsObject,
  findEpisode,
  findEpisodeByTraktId,
  findMovie,
  findShow,
  movieObject,
  showObject,
  type CatalogueEpisode,
  type CatalogueMovie,
  type CatalogueShow,
} from "./catalogue.js";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type WatchedItem = { type: "movie"; movie: CatalogueMovie } | { type: "episode"; episode: CatalogueEpisode; show: CatalogueShow };

export interface HistoryRecord {
  id: number;
  watchedAt: number;
  action: "scrobble" | "checkin" | "watch";
  item: WatchedItem;
}

export interface PlaybackRecord {
  id: number;
  progress: number;
  pausedAt: number;
  item: WatchedItem;
}

export interface EmulatorUser {
  username: string;
  uuid: string;
  name: string;
  vip: boolean;
  createdAt: number;
  history: HistoryRecord[];
  playback: PlaybackRecord[];
  /** Last scrobble per item key: drives the duplicate-stop 409. */
  lastScrobble: Map<string, { watchedAt: number; expiresAt: number }>;
  checkin: { item: WatchedItem; expiresAt: number; historyId: number } | undefined;
  watching: { item: WatchedItem; progress: number; since: number } | undefined;
  activity: { moviesWatched: number; episodesWatched: number; moviesPaused: number; episodesPaused: number; all: number };
}

interface AccessTokenRecord {
  token: string;
  username: string;
  createdAt: number;
  expiresAt: number;
  revoked: boolean;
  refreshToken: string;
}

interface RefreshTokenRecord {
  token: string;
  username: string;
  used: boolean;
}

export interface DeviceRecord {
  deviceCode: string;
  userCode: string;
  createdAt: number;
  expiresAt: number;
  intervalSec: number;
  lastPollAt: number | undefined;
  state: "pending" | "approved" | "denied" | "used";
  username: string | undefined;
}

export interface StateOptions {
  now: () => number;
  accessTokenLifetimeSec: number;
  deviceCodeExpiresInSec: number;
  deviceIntervalSec: number;
  duplicateScrobbleWindowMs: number;
  verificationUrl: string;
  defaultUser: string;
  refreshErrorStatus: 400 | 401;
  /** Approve every new device code at once for this user (demo mode). */
  autoApproveUser: string | undefined;
}

/** History ids are 64-bit on Trakt; start above 2^31 like the fixtures (3373536622). */
const FIRST_HISTORY_ID = 3_373_536_622;

const iso = (ms: number): string => new Date(ms).toISOString();
const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

export function itemKey(item: WatchedItem): string {
  return item.type === "movie" ? `movie:${item.movie.ids.trakt}` : `episode:${item.episode.ids.trakt}`;
}

/** The media fields of a response: `movie`, or `episode` + `show`. */
export function mediaObject(item: WatchedItem): Record<string, unknown> {
  return item.type === "movie" ? { movie: movieObject(item.movie) } : { episode: episodeObject(item.episode), show: showObject(item.show) };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Reads the `movie` or `episode` (+ optional `show`) of a scrobble/checkin body. */
export function resolveBodyItem(body: Record<string, unknown>): WatchedItem | undefined {
  if (body.movie !== undefined) {
    const movie = findMovie(body.movie);
    return movie ? { type: "movie", movie } : undefined;
  }
  if (body.episode !== undefined) {
    const found = findEpisode(body.episode, body.show);
    return found ? { type: "episode", ...found } : undefined;
  }
  return undefined;
}

export class EmulatorState {
  readonly users = new Map<string, EmulatorUser>();
  readonly #access = new Map<string, AccessTokenRecord>();
  readonly #refresh = new Map<string, RefreshTokenRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  #nextHistoryId = FIRST_HISTORY_ID;
  #nextPlaybackId = 1;

  constructor(readonly options: StateOptions) {}

  now(): number {
    return this.options.now();
  }

  user(username: string): EmulatorUser {
    let user = this.users.get(username);
    if (!user) {
      const now = this.now();
      user = {
        username,
        uuid: hex(20),
        name: username.charAt(0).toUpperCase() + username.slice(1),
        vip: false,
        createdAt: now,
        history: [],
        playback: [],
        lastScrobble: new Map(),
        checkin: undefined,
        watching: undefined,
        activity: { moviesWatched: now, episodesWatched: now, moviesPaused: now, episodesPaused: now, all: now },
      };
      this.users.set(username, user);
    }
    return user;
  }

  // ---- tokens ------------------------------------------------------------------------------------------------

  issueTokens(username: string, lifetimeSec = this.options.accessTokenLifetimeSec): TokenSet {
    this.user(username);
    const now = this.now();
    const createdAt = Math.floor(now / 1000);
    const access: AccessTokenRecord = {
      token: hex(32),
      username,
      createdAt,
      expiresAt: createdAt * 1000 + lifetimeSec * 1000,
      revoked: false,
      refreshToken: hex(32),
    };
    this.#access.set(access.token, access);
    this.#refresh.set(access.refreshToken, { token: access.refreshToken, username, used: false });
    return {
      access_token: access.token,
      token_type: "bearer",
      expires_in: lifetimeSec,
      refresh_token: access.refreshToken,
      scope: "public",
      created_at: createdAt,
    };
  }

  /** The user an access token belongs to, or why it is rejected. */
  authenticate(token: string): { username: string } | { error: string } {
    const record = this.#access.get(token);
    if (!record) return { error: "The access token is unknown" };
    if (record.revoked) return { error: "The access token was revoked" };
    if (this.now() >= record.expiresAt) return { error: "The access token expired" };
    return { username: record.username };
  }

  expireAccessToken(token: string): void {
    const record = this.#access.get(token);
    if (record) record.expiresAt = this.now();
  }

  isRefreshTokenValid(token: string): boolean {
    const r = this.#refresh.get(token);
    return r !== undefined && !r.used;
  }

  refresh(refreshToken: string): Reply {
    const record = this.#refresh.get(refreshToken);
    if (!record || record.used) {
      return { status: this.options.refreshErrorStatus, body: { error: "invalid_grant", error_description: "session not found" } };
    }
    record.used = true; // single use: the old refresh token is dead from now on
    return { status: 200, body: this.issueTokens(record.username) };
  }

  revoke(token: string): void {
    const record = this.#access.get(token);
    if (!record) return;
    record.revoked = true;
    const r = this.#refresh.get(record.refreshToken);
    if (r) r.used = true;
  }

  // ---- device flow -------------------------------------------------------------------------------------------

  createDeviceCode(): Reply {
    const now = this.now();
    const device: DeviceRecord = {
      deviceCode: hex(32),
      userCode: randomBytes(4).toString("hex").toUpperCase(),
      createdAt: now,
      expiresAt: now + this.options.deviceCodeExpiresInSec * 1000,
      intervalSec: this.options.deviceIntervalSec,
      lastPollAt: undefined,
      state: this.options.autoApproveUser === undefined ? "pending" : "approved",
      username: this.options.autoApproveUser,
    };
    this.devices.set(device.deviceCode, device);
    return {
      status: 200,
      body: {
        device_code: device.deviceCode,
        user_code: device.userCode,
        verification_url: this.options.verificationUrl,
        expires_in: this.options.deviceCodeExpiresInSec,
        interval: device.intervalSec,
      },
    };
  }

  deviceByUserCode(userCode: string): DeviceRecord | undefined {
    for (const d of this.devices.values()) if (d.userCode === userCode.toUpperCase()) return d;
    return undefined;
  }

  pollDevice(deviceCode: string): Reply {
    const device = this.devices.get(deviceCode);
    if (!device) return { status: 404, body: { error: "invalid_grant", error_description: "unknown device code" } };
    if (device.state === "used") return { status: 409, body: { error: "already_used" } };
    const now = this.now();
    if (now >= device.expiresAt) return { status: 410, body: { error: "expired_token" } };
    if (device.state === "denied") return { status: 418, body: { error: "access_denied" } };
    if (device.lastPollAt !== undefined && now - device.lastPollAt < device.intervalSec * 1000) {
      device.lastPollAt = now;
      return { status: 429, body: { error: "slow_down" } };
    }
    device.lastPollAt = now;
    if (device.state === "pending" || device.username === undefined) return { status: 400, body: { error: "authorization_pending" } };
    device.state = "used";
    return { status: 200, body: this.issueTokens(device.username) };
  }

  // ---- scrobble / checkin ------------------------------------------------------------------------------------

  #addHistory(user: EmulatorUser, item: WatchedItem, watchedAt: number, action: HistoryRecord["action"]): HistoryRecord {
    const record: HistoryRecord = { id: this.#nextHistoryId++, watchedAt, action, item };
    user.history.push(record);
    const now = this.now();
    if (item.type === "movie") user.activity.moviesWatched = now;
    else user.activity.episodesWatched = now;
    user.activity.all = now;
    return record;
  }

  #savePlayback(user: EmulatorUser, item: WatchedItem, progress: number): PlaybackRecord {
    const key = itemKey(item);
    const now = this.now();
    let record = user.playback.find((p) => itemKey(p.item) === key);
    if (record) {
      record.progress = progress;
      record.pausedAt = now;
    } else {
      record = { id: this.#nextPlaybackId++, progress, pausedAt: now, item };
      user.playback.push(record);
    }
    if (item.type === "movie") user.activity.moviesPaused = now;
    else user.activity.episodesPaused = now;
    user.activity.all = now;
    return record;
  }

  #clearPlayback(user: EmulatorUser, item: WatchedItem): void {
    const key = itemKey(item);
    user.playback = user.playback.filter((p) => itemKey(p.item) !== key);
  }

  scrobble(username: string, action: string, body: Record<string, unknown>): Reply {
    const progress = body.progress;
    if (typeof progress !== "number" || !Number.isFinite(progress)) {
      return { status: 400, body: { error: "bad_request", error_description: "progress (a number 0-100) is required" } };
    }
    if (body.movie === undefined && body.episode === undefined) {
      return { status: 400, body: { error: "bad_request", error_description: "a movie or an episode is required" } };
    }
    if (progress < 1 || progress > 100) {
      return { status: 422, body: { errors: { progress: ["must be between 1 and 100"] } } };
    }
    const item = resolveBodyItem(body);
    if (!item) return { status: 404, body: { error: "not_found", error_description: "item not found" } };
    const user = this.user(username);
    const now = this.now();
    const base = { id: 0, progress, sharing: { twitter: false, mastodon: false, tumblr: false }, ...mediaObject(item) };
    switch (action) {
      case "start":
        this.#clearPlayback(user, item);
        user.watching = { item, progress, since: now };
        return { status: 201, body: { ...base, action: "start" } };
      case "pause":
        this.#savePlayback(user, item, progress);
        user.watching = undefined;
        return { status: 201, body: { ...base, action: "pause" } };
      case "stop": {
        user.watching = undefined;
        if (progress < 80) {
          this.#savePlayback(user, item, progress);
          return { status: 201, body: { ...base, action: "pause" } };
        }
        const key = itemKey(item);
        const last = user.lastScrobble.get(key);
        if (last && now < last.expiresAt) {
          return { status: 409, body: { watched_at: iso(last.watchedAt), expires_at: iso(last.expiresAt) } };
        }
        const record = this.#addHistory(user, item, now, "scrobble");
        user.lastScrobble.set(key, { watchedAt: now, expiresAt: now + this.options.duplicateScrobbleWindowMs });
        this.#clearPlayback(user, item);
        return { status: 201, body: { ...base, id: record.id, action: "scrobble" } };
      }
      default:
        return { status: 404, body: { error: "not_found" } };
    }
  }

  checkin(username: string, body: Record<string, unknown>): Reply {
    if (body.movie === undefined && body.episode === undefined) {
      return { status: 400, body: { error: "bad_request", error_description: "a movie or an episode is required" } };
    }
    const item = resolveBodyItem(body);
    if (!item) return { status: 404, body: { error: "not_found" } };
    const user = this.user(username);
    const now = this.now();
    if (user.checkin && now < user.checkin.expiresAt) {
      return { status: 409, body: { expires_at: iso(user.checkin.expiresAt) } };
    }
    const runtime = item.type === "movie" ? item.movie.runtime : item.show.runtime;
    const record = this.#addHistory(user, item, now, "checkin");
    user.checkin = { item, expiresAt: now + runtime * 60_000, historyId: record.id };
    return {
      status: 201,
      body: { id: record.id, watched_at: iso(now), sharing: { twitter: false, mastodon: false, tumblr: false }, ...mediaObject(item) },
    };
  }

  deleteCheckin(username: string): Reply {
    const user = this.user(username);
    if (user.checkin && this.now() < user.checkin.expiresAt) {
      const id = user.checkin.historyId;
      user.history = user.history.filter((h) => h.id !== id);
    }
    user.checkin = undefined;
    return { status: 204 };
  }

  // ---- history -----------------------------------------------------------------------------------------------

  /** Resolves every play a /sync/history body names. Unknown items are collected for `not_found`. */
  #expandHistoryBody(body: Record<string, unknown>): {
    plays: { item: WatchedItem; watchedAt: string | undefined }[];
    notFound: { movies: unknown[]; shows: unknown[]; seasons: unknown[]; episodes: unknown[] };
  } {
    const plays: { item: WatchedItem; watchedAt: string | undefined }[] = [];
    const notFound = { movies: [] as unknown[], shows: [] as unknown[], seasons: [] as unknown[], episodes: [] as unknown[] };
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

    for (const m of list(body.movies)) {
      const movie = findMovie(m);
      if (movie) plays.push({ item: { type: "movie", movie }, watchedAt: str(asRecord(m)?.watched_at) });
      else notFound.movies.push(m);
    }
    for (const s of list(body.shows)) {
      const show = findShow(s);
      const sr = asRecord(s) ?? {};
      if (!show) {
        notFound.shows.push(s);
        continue;
      }
      const seasons = list(sr.seasons);
      const showWatched = str(sr.watched_at);
      if (seasons.length === 0) {
        for (const episode of show.episodes) plays.push({ item: { type: "episode", episode, show }, watchedAt: showWatched });
        continue;
      }
      for (const season of seasons) {
        const se = asRecord(season) ?? {};
        const seasonWatched = str(se.watched_at) ?? showWatched;
        const episodes = list(se.episodes);
        const inSeason = show.episodes.filter((e) => e.season === se.number);
        if (episodes.length === 0) {
          for (const episode of inSeason) plays.push({ item: { type: "episode", episode, show }, watchedAt: seasonWatched });
          continue;
        }
        for (const ep of episodes) {
          const er = asRecord(ep) ?? {};
          const episode = inSeason.find((e) => e.number === er.number);
          if (episode) plays.push({ item: { type: "episode", episode, show }, watchedAt: str(er.watched_at) ?? seasonWatched });
          else notFound.episodes.push(ep);
        }
      }
    }
    // The catalogue has no season ids, so season objects are never found (Trakt lists them under not_found.seasons).
    for (const s of list(body.seasons)) notFound.seasons.push(s);
    for (const e of list(body.episodes)) {
      const found = findEpisode(e, asRecord(e)?.show);
      if (found) plays.push({ item: { type: "episode", ...found }, watchedAt: str(asRecord(e)?.watched_at) });
      else notFound.episodes.push(e);
    }
    return { plays, notFound };
  }

  addHistory(username: string, body: Record<string, unknown>): Reply {
    const { plays, notFound } = this.#expandHistoryBody(body);
    const user = this.user(username);
    const now = this.now();
    const resolved: { item: WatchedItem; at: number }[] = [];
    for (const play of plays) {
      let at = now;
      if (play.watchedAt === "released") {
        at = play.item.type === "movie" ? Date.parse(play.item.movie.released) : Date.parse(play.item.episode.firstAired ?? "") || now;
      } else if (play.watchedAt !== undefined) {
        at = Date.parse(play.watchedAt);
        if (Number.isNaN(at)) {
          return { status: 422, body: { errors: { watched_at: [`is not a valid UTC datetime: ${play.watchedAt}`] } } };
        }
      }
      resolved.push({ item: play.item, at });
    }
    const added = { movies: 0, episodes: 0 };
    for (const r of resolved) {
      this.#addHistory(user, r.item, r.at, "watch");
      if (r.item.type === "movie") added.movies++;
      else added.episodes++;
    }
    return { status: 201, body: { added, not_found: notFound } };
  }

  removeHistory(username: string, body: Record<string, unknown>): Reply {
    const user = this.user(username);
    const { plays, notFound } = this.#expandHistoryBody(body);
    const keys = new Set(plays.map((p) => itemKey(p.item)));
    const ids = new Set((Array.isArray(body.ids) ? body.ids : []).filter((v): v is number => typeof v === "number"));
    const deleted = { movies: 0, episodes: 0 };
    const foundIds = new Set<number>();
    user.history = user.history.filter((h) => {
      const hit = keys.has(itemKey(h.item)) || ids.has(h.id);
      if (ids.has(h.id)) foundIds.add(h.id);
      if (hit) {
        if (h.item.type === "movie") deleted.movies++;
        else deleted.episodes++;
      }
      return !hit;
    });
    if (deleted.movies + deleted.episodes > 0) user.activity.all = this.now();
    return { status: 200, body: { deleted, not_found: { ...notFound, ids: [...ids].filter((id) => !foundIds.has(id)) } } };
  }

  /** History entries, most recent first, filtered like GET /sync/history/{type}/{id}?start_at&end_at. */
  listHistory(username: string, filter: { type?: string; id?: number; startAt?: number; endAt?: number }): Record<string, unknown>[] | undefined {
    const user = this.user(username);
    let entries = [...user.history];
    switch (filter.type) {
      case undefined:
        break;
      case "movies":
        entries = entries.filter((h) => h.item.type === "movie" && (filter.id === undefined || h.item.movie.ids.trakt === filter.id));
        break;
      case "shows":
        entries = entries.filter((h) => h.item.type === "episode" && (filter.id === undefined || h.item.show.ids.trakt === filter.id));
        break;
      case "episodes":
        entries = entries.filter((h) => h.item.type === "episode" && (filter.id === undefined || h.item.episode.ids.trakt === filter.id));
        break;
      case "seasons":
        // No season ids in the catalogue: a season filter matches nothing.
        entries = filter.id === undefined ? entries.filter((h) => h.item.type === "episode") : [];
        break;
      default:
        return undefined;
    }
    if (filter.startAt !== undefined) entries = entries.filter((h) => h.watchedAt >= filter.startAt!);
    if (filter.endAt !== undefined) entries = entries.filter((h) => h.watchedAt <= filter.endAt!);
    entries.sort((a, b) => b.watchedAt - a.watchedAt || b.id - a.id);
    return entries.map((h) => ({ id: h.id, watched_at: iso(h.watchedAt), action: h.action, type: h.item.type, ...mediaObject(h.item) }));
  }

  listPlayback(username: string, type: "movies" | "episodes" | undefined): Record<string, unknown>[] {
    const user = this.user(username);
    return user.playback
      .filter((p) => type === undefined || (type === "movies" ? p.item.type === "movie" : p.item.type === "episode"))
      .sort((a, b) => b.pausedAt - a.pausedAt)
      .map((p) => ({ progress: p.progress, paused_at: iso(p.pausedAt), id: p.id, type: p.item.type, ...mediaObject(p.item) }));
  }

  removePlayback(username: string, id: number): Reply {
    const user = this.user(username);
    const before = user.playback.length;
    user.playback = user.playback.filter((p) => p.id !== id);
    return before === user.playback.length ? { status: 404, body: { error: "not_found" } } : { status: 204 };
  }

  lastActivities(username: string): Record<string, unknown> {
    const user = this.user(username);
    const a = user.activity;
    const base = iso(user.createdAt);
    return {
      all: iso(a.all),
      movies: {
        watched_at: iso(a.moviesWatched), collected_at: base, rated_at: base, watchlisted_at: base, recommendations_at: base,
        commented_at: base, paused_at: iso(a.moviesPaused), hidden_at: base,
      },
      episodes: {
        watched_at: iso(a.episodesWatched), collected_at: base, rated_at: base, watchlisted_at: base, commented_at: base,
        paused_at: iso(a.episodesPaused),
      },
      shows: { rated_at: base, watchlisted_at: base, recommendations_at: base, commented_at: base, hidden_at: base },
      seasons: { rated_at: base, watchlisted_at: base, commented_at: base, hidden_at: base },
      comments: { liked_at: base, blocked_at: base },
      lists: { liked_at: base, updated_at: base, commented_at: base },
      watchlist: { updated_at: base },
      recommendations: { updated_at: base },
      account: { settings_at: base, followed_at: base, following_at: base, pending_at: base, requested_at: base },
      saved_filters: { updated_at: base },
    };
  }

  settings(username: string): Record<string, unknown> {
    const user = this.user(username);
    return {
      user: {
        username: user.username,
        private: false,
        name: user.name,
        vip: user.vip,
        vip_ep: false,
        ids: { slug: user.username.toLowerCase(), uuid: user.uuid },
        joined_at: iso(user.createdAt),
      },
      account: { timezone: "UTC", date_format: "dmy", time_24hr: true },
      connections: { facebook: false, twitter: false, mastodon: false, google: false, tumblr: false, medium: false, slack: false, apple: false, dropbox: false, microsoft: false },
      sharing_text: { watching: "I'm watching [item]", watched: "I just watched [item]", rated: "[item] [stars]" },
      limits: { list: { count: 2, item_count: 100 }, watchlist: { item_count: 100 }, favorites: { item_count: 50 }, recommendations: { item_count: 50 } },
    };
  }

  // ---- shows -------------------------------------------------------------------------------------------------

  /** GET /shows/{id}/seasons; undefined when the catalogue has no such show (404). */
  showSeasons(id: string, extended: readonly string[]): Record<string, unknown>[] | undefined {
    const show = findShowById(id);
    return show ? seasonsObject(show, extended) : undefined;
  }

  // ---- search ------------------------------------------------------------------------------------------------

  searchById(idType: string, id: string, types: string[]): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const key = idType as keyof TraktIds;
    const matches = (ids: TraktIds): boolean => ids[key] !== undefined && String(ids[key]) === id;
    if (types.includes("movie")) for (const m of MOVIES) if (matches(m.ids)) out.push({ type: "movie", score: null, movie: movieObject(m) });
    if (types.includes("show")) for (const s of SHOWS) if (matches(s.ids)) out.push({ type: "show", score: null, show: showObject(s) });
    if (types.includes("episode")) {
      for (const s of SHOWS) for (const e of s.episodes) if (matches(e.ids)) out.push({ type: "episode", score: null, episode: episodeObject(e), show: showObject(s) });
    }
    return out;
  }

  searchText(query: string, types: string[], years: { from: number; to: number } | undefined, fields: string[] | undefined): Record<string, unknown>[] {
    const words = tokenize(query);
    if (words.length === 0) return [];
    const useTitle = fields === undefined || fields.includes("title");
    const useOverview = fields === undefined || fields.includes("overview");
    const score = (title: string, overview: string | undefined): number => {
      const titleWords = tokenize(title);
      let s = 0;
      if (useTitle) {
        const hits = words.filter((w) => titleWords.includes(w)).length;
        s += (hits / words.length) * 40 * (hits / Math.max(titleWords.length, 1));
        if (titleWords.join(" ") === words.join(" ")) s += 1000;
      }
      if (useOverview && overview) {
        const ov = tokenize(overview);
        s += (words.filter((w) => ov.includes(w)).length / words.length) * 5;
      }
      return Math.round(s * 1e6) / 1e6;
    };
    const inYears = (year: number): boolean => years === undefined || (year >= years.from && year <= years.to);
    const out: { score: number; result: Record<string, unknown> }[] = [];
    if (types.includes("movie")) {
      for (const m of MOVIES) {
        const sc = score(m.title, m.overview);
        if (sc > 0 && inYears(m.year)) out.push({ score: sc, result: { type: "movie", score: sc, movie: movieObject(m) } });
      }
    }
    if (types.includes("show")) {
      for (const s of SHOWS) {
        const sc = score(s.title, s.overview);
        if (sc > 0 && inYears(s.year)) out.push({ score: sc, result: { type: "show", score: sc, show: showObject(s) } });
      }
    }
    if (types.includes("episode")) {
      for (const s of SHOWS) {
        for (const e of s.episodes) {
          const sc = score(e.title, undefined);
          if (sc > 0 && inYears(s.year)) out.push({ score: sc, result: { type: "episode", score: sc, episode: episodeObject(e), show: showObject(s) } });
        }
      }
    }
    return out.sort((a, b) => b.score - a.score).map((r) => r.result);
  }

  /** For tests: find what a history entry id points at. */
  episodeByTraktId(id: number): ReturnType<typeof findEpisodeByTraktId> {
    return findEpisodeByTraktId(id);
  }
}

/** Lowercase words; Solr escapes (`\:`) and punctuation dropped. */
export function tokenize(text: string): string[] {
  return text
    .replace(/\\(.)/g, "$1")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}
