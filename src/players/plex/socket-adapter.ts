// Follows one Plex Media Server through its own notification socket (no Plex Pass needed) and emits
// PlaybackEvents. The wiring only: the socket (socket.ts), the server's HTTP API (server-api.ts), the frames
// (notifications.ts) and the decisions (socket-tracker.ts, pure) live apart.
//
// Life of a connection: read the token (config, environment or `plex login`), `GET /` (who the server is; checks the
// token), open the socket, `GET /status/sessions` (what already plays), then notifications. Each new session is looked
// up once: /status/sessions for the user, player and duration, /library/metadata for the ids (and the show's, for an
// episode). A wrong or revoked token is one clear error and a quiet wait (for a new token, or a retry every
// `authRetry`); an unreachable server is retried with backoff and logged once.
import type WebSocket from "ws";
import type { AdapterConnectionState, AdapterContext, AdapterSession, AdapterStatus, PlayerAdapter } from "../adapter.js";
import type { PlaybackEvent } from "../../core/playback.js";
import { backoffMs, type Backoff } from "../../util/backoff.js";
import { registerSecret, type Logger } from "../../util/log.js";
import { maskUrlCredentials } from "../../util/url-credentials.js";
import type { FollowedPlexServers } from "./followed.js";
import { hintsFromMetadata, isScrobblableVideo, showIdsFromGuids } from "./hints.js";
import { isLiveTvKey, parsePlexFrame, ratingKeyOfItemKey, type PlexNotification } from "./notifications.js";
import { playerAllowed, PlexUserRouter, type PlexRouting } from "./routing.js";
import { PlexHttpError, PlexServerApi, type PlexIdentity, type PlexItem, type PlexSessionItem } from "./server-api.js";
import { openPlexSocket, PlexSocketError, servePlexSocket, type PlexSocketTiming } from "./socket.js";
import { PlexSessionTracker, type ListedSession, type Lookup, type SessionInfo, type TrackerOutput } from "./socket-tracker.js";
import { sleepUnlessAborted } from "../../util/sleep.js";
import { closeWebSocket } from "../../util/ws-close.js";

export interface PlexToken {
  token: string;
  /** Where it came from, for messages ("plex.servers[home].token", "PLEX_TOKEN", "stored by `plex login`"). */
  from: string;
}

export interface PlexSocketSettings extends PlexRouting {
  players: readonly string[];
  /** A silent session is checked against /status/sessions after this long (plex.sessionCheckSeconds). */
  checkMs: number;
}

export interface PlexSocketAdapterOptions {
  /** The server's configured name: the adapter is "plex:<name>", its events come from that player. */
  server: string;
  url: string;
  /** The token to use now (read at every connection attempt, so a new `plex login` is picked up). */
  token: () => Promise<PlexToken | undefined>;
  settings: PlexSocketSettings;
  followed?: FollowedPlexServers;
  log: Logger;
  timing?: Partial<PlexSocketAdapterTiming>;
}

export interface PlexSocketAdapterTiming extends PlexSocketTiming {
  requestTimeoutMs: number;
  progressIntervalMs: number;
  /** Reconnecting to a server that went away. */
  reconnect: Backoff;
  /** Trying a refused token again (it may have been a server starting up); a new token is tried at once. */
  authRetry: Backoff;
  /** While the token is refused or missing, how often the token source is read for a new one. */
  tokenPollMs: number;
}

export const defaultPlexSocketTiming: PlexSocketAdapterTiming = {
  connectTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  requestTimeoutMs: 10_000,
  progressIntervalMs: 15_000,
  reconnect: { initialMs: 1_000, maxMs: 60_000, jitter: 0.5 },
  authRetry: { initialMs: 5 * 60_000, maxMs: 60 * 60_000, jitter: 0.2 },
  tokenPollMs: 30_000,
};

/** Show ids change rarely: a few shows are kept. */
const SHOW_CACHE_SIZE = 32;

type Problem = { kind: "auth" | "no-token" | "no-sessions-access"; message: string } | { kind: "unreachable"; message: string };

export class PlexSocketAdapter implements PlayerAdapter {
  readonly name: string;
  readonly #player: string;
  readonly #options: PlexSocketAdapterOptions;
  readonly #timing: PlexSocketAdapterTiming;
  readonly #log: Logger;
  readonly #router: PlexUserRouter;
  readonly #tracker: PlexSessionTracker;
  #settings: PlexSocketSettings;
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #socket: WebSocket | undefined;
  #api: PlexServerApi | undefined;
  #identity: PlexIdentity | undefined;
  #state: AdapterConnectionState = "stopped";
  #problem: Problem | undefined;
  #unavailableLogged = false;
  #timer: NodeJS.Timeout | undefined;
  #listing: { startedAt: number; answer: Promise<PlexSessionItem[]> } | undefined;
  readonly #shows = new Map<string, Promise<PlexItem | undefined>>();
  #lastToken: string | undefined;
  #ignoredFrames = 0;
  /** When /status/sessions last refused the token: lookups wait a while instead of asking again and again. */
  #sessionsDeniedAt: number | undefined;

  constructor(options: PlexSocketAdapterOptions, private readonly ctx: AdapterContext) {
    this.#options = options;
    this.name = `plex:${options.server}`;
    this.#player = this.name;
    this.#timing = { ...defaultPlexSocketTiming, ...options.timing };
    this.#log = options.log;
    this.#settings = options.settings;
    this.#router = new PlexUserRouter(options.settings, options.log);
    this.#tracker = new PlexSessionTracker({ player: this.#player, checkMs: options.settings.checkMs, progressIntervalMs: this.#timing.progressIntervalMs });
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#loop) return Promise.resolve();
    const controller = new AbortController();
    this.#controller = controller;
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    this.#state = "starting";
    this.#loop = this.#run(controller.signal).catch((error: unknown) => {
      this.#log.error({ err: error }, "Plex connection loop failed");
    });
    return Promise.resolve();
  }

  /** Ends what is playing at its last known position (the engine records it) and closes the socket. */
  async stop(): Promise<void> {
    this.#controller?.abort();
    if (this.#socket) closeWebSocket(this.#socket);
    await this.#loop;
    this.#loop = undefined;
    this.#clearTimer();
    this.#api = undefined;
    this.#options.followed?.unfollow(this.name);
    this.#apply(this.#tracker.endAll(this.ctx.now()));
    this.#state = "stopped";
  }

  /** Routing and filters apply live. */
  updateSettings(settings: PlexSocketSettings): void {
    this.#settings = settings;
    this.#router.update(settings);
  }

  status(): AdapterStatus[] {
    const state: AdapterConnectionState = this.#problem !== undefined && this.#problem.kind !== "unreachable" ? "failed" : this.#state;
    const server = this.#identity ? ` · ${this.#identity.friendlyName ?? "Plex"}${this.#identity.version ? ` ${this.#identity.version}` : ""}` : "";
    const problem = this.#problem ? ` · ${this.#problem.message}` : "";
    const sessions = this.#tracker.summary(this.ctx.now()).map((s): AdapterSession => {
      const out: AdapterSession = { id: s.sessionKey, item: s.item, state: s.state };
      if (s.user !== undefined) out.user = s.user;
      if (s.player !== undefined) out.player = s.player;
      if (s.progress !== undefined) out.progress = Math.round(s.progress * 10) / 10;
      if (s.account !== undefined) out.account = s.account;
      if (s.ignored !== undefined) out.ignored = s.ignored;
      return out;
    });
    return [{ name: this.name, kind: "plex", state, detail: `${maskUrlCredentials(this.#options.url)}${server}${problem}`, sessions }];
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    let authAttempt = 0;
    while (!signal.aborted) {
      const token = await this.#options.token().catch((error: unknown) => {
        this.#setProblem({ kind: "no-token", message: `cannot read the stored token: ${(error as Error).message}` });
        return undefined;
      });
      if (token === undefined) {
        if (this.#problem?.kind !== "no-token") {
          this.#setProblem({ kind: "no-token", message: `no token: run \`trakt-scrobblerd plex login --server ${this.#options.server}\`, or set plex.token (PLEX_TOKEN)` });
        }
        await this.#waitForNewToken(undefined, this.#timing.authRetry.maxMs, signal);
        continue;
      }
      registerSecret(token.token);
      const tokenChanged = this.#lastToken !== undefined && this.#lastToken !== token.token;
      this.#lastToken = token.token;
      if (tokenChanged) authAttempt = 0;
      let connectedFor = 0;
      try {
        connectedFor = await this.#connection(token, signal);
        authAttempt = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (isAuthFailure(error)) {
          this.#disconnected();
          this.#setProblem({ kind: "auth", message: `the server refused the token from ${token.from} (${(error as Error).message}): run \`trakt-scrobblerd plex login --server ${this.#options.server}\` with the server owner's Plex account, or fix ${token.from}` });
          const wait = backoffMs(authAttempt, this.#timing.authRetry);
          authAttempt += 1;
          await this.#waitForNewToken(token.token, wait, signal);
          continue;
        }
        this.#setProblem({ kind: "unreachable", message: (error as Error).message });
      }
      if (signal.aborted) break;
      this.#disconnected();
      // Only a connection that lasted a while starts the backoff over: a server that accepts and drops us at once
      // (or floods oversized frames) is not retried in a tight loop.
      if (connectedFor >= 60_000) attempt = 0;
      await sleepUnlessAborted(backoffMs(attempt, this.#timing.reconnect), signal);
      attempt = Math.min(attempt + 1, 30);
    }
  }

  /** One connection, until it closes. Resolves with how long it was open; throws when it could not open. */
  async #connection(token: PlexToken, signal: AbortSignal): Promise<number> {
    // Status says "disconnected" (with the reason) while it retries; "starting" only before the first attempt ends.
    const api = new PlexServerApi({ url: this.#options.url, token: token.token, timeoutMs: this.#timing.requestTimeoutMs });
    this.#api = api;
    this.#listing = undefined;
    const identity = await api.identity(signal);
    if (this.#identity !== undefined && this.#identity.machineIdentifier !== identity.machineIdentifier) {
      this.#log.warn({ before: this.#identity.machineIdentifier, now: identity.machineIdentifier }, "another Plex server answers at this address now");
    }
    this.#identity = identity;
    this.#options.followed?.follow(this.name, identity.machineIdentifier);
    const socket = await openPlexSocket(this.#options.url, token.token, this.#timing, signal);
    this.#socket = socket;
    const openedAt = Date.now();
    this.#state = "connected";
    if (this.#problem !== undefined || this.#unavailableLogged) this.#log.info({ server: identity.friendlyName }, "Plex server is back");
    else this.#log.info({ server: identity.friendlyName, version: identity.version }, "connected to the Plex server's notification socket");
    this.#problem = undefined;
    this.#sessionsDeniedAt = undefined;
    this.#unavailableLogged = false;
    const served = servePlexSocket(socket, this.#timing, (text) => this.#onFrame(text));
    // What plays already (at start-up, or after the server restarted: its session keys start over).
    void this.#list(true);
    const why = await served;
    this.#socket = undefined;
    if (!signal.aborted) this.#setProblem({ kind: "unreachable", message: `notification socket closed: ${why}` });
    return Date.now() - openedAt;
  }

  #disconnected(): void {
    this.#state = signalState(this.#controller?.signal);
    this.#api = undefined;
    this.#tracker.unreachable(this.ctx.now());
    this.#schedule();
  }

  #setProblem(problem: Problem): void {
    const first = this.#problem?.message !== problem.message;
    this.#problem = problem;
    if (problem.kind === "unreachable") {
      if (!this.#unavailableLogged) {
        this.#unavailableLogged = true;
        this.#log.warn({ url: maskUrlCredentials(this.#options.url), reason: problem.message }, "Plex server unavailable; retrying quietly");
      } else {
        this.#log.debug({ reason: problem.message }, "Plex server still unavailable");
      }
      return;
    }
    if (first) this.#log.error({ url: maskUrlCredentials(this.#options.url) }, problem.message);
  }

  /** Waits until the token source gives another token than `current`, or `maxMs` passed. */
  async #waitForNewToken(current: string | undefined, maxMs: number, signal: AbortSignal): Promise<void> {
    const until = Date.now() + maxMs;
    while (!signal.aborted && Date.now() < until) {
      await sleepUnlessAborted(Math.min(this.#timing.tokenPollMs, until - Date.now()), signal);
      const next = await this.#options.token().catch(() => undefined);
      if (next !== undefined && next.token !== current) return;
    }
  }

  #onFrame(text: string): void {
    const parsed = parsePlexFrame(text);
    if (!parsed.ok) {
      // A server sending garbage may send a lot of it: the first one and every thousandth are logged.
      this.#ignoredFrames += 1;
      if (this.#ignoredFrames % 1_000 === 1) {
        this.#log.debug({ reason: parsed.reason, bytes: text.length, ignoredSoFar: this.#ignoredFrames }, "ignored a frame from the notification socket that is not a notification");
      }
      return;
    }
    this.#onNotification(parsed.notification);
  }

  #onNotification(n: PlexNotification): void {
    const now = this.ctx.now();
    if (n.type === "playing") {
      for (const session of n.sessions) this.#apply(this.#tracker.notify(session, now));
      return;
    }
    if (n.type === "activity") {
      // PMS refreshes an item when it marks it played (PlexTraktSync's `events-played` capture).
      for (const a of n.activities) {
        if (a.event !== "ended" || a.type !== "library.refresh.items") continue;
        const ratingKey = ratingKeyOfItemKey(a.key);
        if (ratingKey !== undefined) for (const key of this.#tracker.verdictCandidates(ratingKey)) void this.#checkVerdict(key);
      }
    }
  }

  /** Hands the tracker's events to the engine and starts its lookups; re-arms the check timer. */
  #apply(out: TrackerOutput): void {
    for (const event of out.events) this.#emit(event);
    for (const lookup of out.lookups) void this.#lookup(lookup);
    if (out.events.some((e) => e.state === "stopped" && e.playerWatched !== true)) {
      for (const key of this.#tracker.verdictCandidates()) void this.#checkVerdict(key, true);
    }
    this.#schedule();
  }

  #emit(event: PlaybackEvent): void {
    try {
      this.ctx.emit(event);
    } catch (error) {
      this.#log.error({ err: error }, "the engine refused a playback event");
    }
  }

  /**
   * /status/sessions, once for everyone asking at the same moment — but never an answer to a request sent before
   * `notBefore` (a session first heard of after that request was sent would be missing from it).
   */
  #sessions(notBefore: number): Promise<PlexSessionItem[]> {
    const api = this.#api;
    if (api === undefined) return Promise.reject(new Error("not connected"));
    if (this.#listing === undefined || this.#listing.startedAt < notBefore) {
      const listing = { startedAt: this.ctx.now(), answer: api.sessions() };
      this.#listing = listing;
      listing.answer
        .finally(() => {
          if (this.#listing === listing) this.#listing = undefined;
        })
        .catch(() => undefined);
    }
    return this.#listing.answer;
  }

  async #list(afterConnect: boolean): Promise<void> {
    let sessions: PlexSessionItem[];
    try {
      sessions = await this.#sessions(this.ctx.now());
    } catch (error) {
      this.#sessionsFailed(error);
      return;
    }
    const listed = sessions.map(
      (s): ListedSession => ({
        sessionKey: s.sessionKey,
        ratingKey: s.ratingKey,
        key: s.key,
        clientIdentifier: s.Player?.machineIdentifier,
        userId: s.User?.id,
        viewOffset: s.viewOffset,
        state: s.Player?.state,
      }),
    );
    this.#apply(this.#tracker.listed(listed, this.ctx.now(), afterConnect));
  }

  #sessionsFailed(error: unknown): void {
    const now = this.ctx.now();
    // Either way the check did not happen: the next one waits its turn (and a server that stays silent this long
    // ends the sessions at their last known position).
    this.#tracker.unreachable(now);
    this.#tracker.deferChecks(now);
    if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
      this.#sessionsDeniedAt = now;
      this.#setProblem({
        kind: "no-sessions-access",
        message: `this token may not list the server's sessions (${error.message}): /status/sessions needs the server owner's token — log in with the owner's Plex account (\`trakt-scrobblerd plex login --server ${this.#options.server}\`)`,
      });
      return;
    }
    this.#log.debug({ err: error }, "asking the Plex server for its sessions failed");
  }

  async #lookup(lookup: Lookup): Promise<void> {
    try {
      const info = await this.#describe(lookup, this.ctx.now());
      if (info.ignored !== undefined) this.#log.debug({ session: lookup.sessionKey, ratingKey: lookup.ratingKey, why: info.ignored }, "Plex session ignored");
      this.#apply(this.#tracker.resolved(lookup, info, this.ctx.now()));
    } catch (error) {
      if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) this.#sessionsFailed(error);
      else this.#log.debug({ err: error, session: lookup.sessionKey }, "could not look up a Plex session; trying again with its next notification");
      this.#tracker.lookupFailed(lookup, this.ctx.now());
    }
  }

  /** Who plays what: the session's /status/sessions entry, the item, and for an episode its show. */
  async #describe(lookup: Lookup, seenAt: number): Promise<SessionInfo> {
    if (this.#sessionsDeniedAt !== undefined && this.ctx.now() - this.#sessionsDeniedAt < this.#timing.authRetry.initialMs) {
      throw new Error("the token may not list the server's sessions (see status)");
    }
    const listed = (await this.#sessions(seenAt)).find((s) => s.sessionKey === lookup.sessionKey && s.ratingKey === lookup.ratingKey);
    if (listed === undefined) throw new Error(`session ${lookup.sessionKey} is not (or no longer) in /status/sessions`);
    const user = { id: listed.User?.id, title: listed.User?.title };
    const player = { id: listed.Player?.machineIdentifier, title: listed.Player?.title };
    const base = { user, player, account: undefined, viewCount: undefined, durationMs: listed.duration };
    if (listed.live === true || isLiveTvKey(listed.key ?? lookup.key ?? "")) return { ...base, hints: {}, ignored: "Live TV" };
    if (!isScrobblableVideo(listed)) return { ...base, hints: {}, ignored: listed.type === "clip" ? "a clip (pre-roll, trailer or extra)" : `a ${listed.type} item` };
    const api = this.#api;
    if (api === undefined) throw new Error("not connected");
    const item = (await api.metadata(lookup.ratingKey)) ?? listed;
    const hints = hintsFromMetadata(item);
    if (item.type === "episode" && item.grandparentRatingKey !== undefined) {
      const show = await this.#show(api, item.grandparentRatingKey);
      const showIds = show ? showIdsFromGuids([show.guid ?? "", ...(show.Guid ?? []).map((g) => g.id)]) : undefined;
      if (showIds !== undefined) hints.showIds = showIds;
    }
    const durationMs = item.duration ?? listed.duration;
    const info: SessionInfo = { ...base, hints, durationMs, ignored: undefined };
    if (!playerAllowed(this.#settings.players, [player.id, player.title])) return { ...info, ignored: "the player is not in plex.players" };
    const account = this.#router.accountFor(user);
    if (account === undefined) return { ...info, ignored: `Plex user ${user.title ?? user.id ?? "?"} is not mapped to a Trakt account` };
    // /library/metadata shows the token owner's viewCount: the verdict is only readable for the owner's sessions.
    return { ...info, account, viewCount: user.id === "1" ? (item.viewCount ?? 0) : undefined };
  }

  #show(api: PlexServerApi, ratingKey: string): Promise<PlexItem | undefined> {
    let show = this.#shows.get(ratingKey);
    if (show === undefined) {
      show = api.metadata(ratingKey).catch((error: unknown) => {
        this.#shows.delete(ratingKey);
        this.#log.debug({ err: error, ratingKey }, "could not read the show of an episode; identifying it without the show's ids");
        return undefined;
      });
      this.#shows.set(ratingKey, show);
      if (this.#shows.size > SHOW_CACHE_SIZE) this.#shows.delete(this.#shows.keys().next().value as string);
    }
    return show;
  }

  /** Did the server mark the item played (its viewCount rose)? That is the player's verdict. */
  async #checkVerdict(ratingKey: string, afterStop = false): Promise<void> {
    const api = this.#api;
    if (api === undefined) return;
    try {
      const item = await api.metadata(ratingKey);
      if (item === undefined) return;
      this.#apply(this.#tracker.viewCount(ratingKey, item.viewCount ?? 0, this.ctx.now()));
    } catch (error) {
      this.#log.debug({ err: error, ratingKey, afterStop }, "could not read whether the server marked the item played");
    }
  }

  /** One timer for the next silence check or unreachable timeout (none while nothing plays). */
  #schedule(): void {
    this.#clearTimer();
    const due = this.#tracker.nextDueAt();
    if (due === undefined || this.#controller?.signal.aborted) return;
    this.#timer = setTimeout(() => void this.#onDue(), Math.max(0, due - this.ctx.now()));
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #onDue(): Promise<void> {
    this.#timer = undefined;
    const now = this.ctx.now();
    if (this.#state === "connected" && this.#tracker.needsCheck(now)) {
      await this.#list(false);
    } else {
      this.#apply(this.#tracker.expireUnreachable(now));
    }
    this.#schedule();
  }
}

function isAuthFailure(error: unknown): boolean {
  if (error instanceof PlexSocketError) return error.kind === "unauthorized";
  return error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden");
}

function signalState(signal: AbortSignal | undefined): AdapterConnectionState {
  return signal?.aborted ? "stopped" : "disconnected";
}
