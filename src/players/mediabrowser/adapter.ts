// Follows one Jellyfin or Emby server and emits PlaybackEvents. The protocol is in client.ts (REST) and socket.ts
// (the sessions feed), the differences between the two servers in dialect.ts, the playback logic in tracker.ts.
//
// Each connection: the public system info (version), who the token is (GET /Users/Me), whether this server sends
// that token the sessions feed at all, then the WebSocket with SessionsStart, and one GET /Sessions (the server
// sends nothing until something changes). Every picture of the sessions goes through the tracker; before an item's
// first event the item is read once as its user sees it (whether it is marked played) and, for an episode, its
// series (the show's ids). After a playback ends the item is read again: Played that turned true is the server's
// verdict (it marks an item played when a stop comes past 90 %, within a second of the end, or anywhere past 5 % of
// an item shorter than 5 minutes), passed on as `playerWatched`. The play count says nothing here: the server
// raises it when playback starts. An item that was marked played before is a rewatch the server gives no verdict
// on (Played stays true whatever happens), so the daemon's own judgement decides.
//
// Failures: a server that cannot be reached is retried with backoff, quietly; a refused token, a server that will
// not send this token the feed, or no token at all is one clear error and the adapter shows "failed" until the
// token changes (the stored login is re-read every minute) or, at the latest, half an hour later.
import type { MediaServerSection } from "../../config/sections/mediabrowser.js";
import type { PlaybackEvent } from "../../core/playback.js";
import { backoffMs } from "../../util/backoff.js";
import { registerSecret, type Logger } from "../../util/log.js";
import { maskUrlCredentials } from "../../util/url-credentials.js";
import type { AdapterConnectionState, AdapterContext, AdapterSession, AdapterStatus, PlayerAdapter, ServerTokenSource } from "../adapter.js";
import type { MediaServerError } from "./client.js";
import { isMediaServerError, MediaServerClient, serverUrl } from "./client.js";
import { parseVersion, type Dialect, type ServerVersion, type TokenAccess } from "./dialect.js";
import { idsOf, notScrobbled } from "./hints.js";
import { clientIdentity, serverTokenKey, stateDirDeviceId } from "./identity.js";
import { parseSessions, type MediaItem, type MediaSession, type UserData } from "./messages.js";
import { picture, routeUser, type UserRouting } from "./sessions.js";
import { SessionsSocket } from "./socket.js";
import { PlaybackTracker, type FinishedPlayback } from "./tracker.js";
import { sleepUnlessAborted } from "../../util/sleep.js";

export interface MediaServerTiming {
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** A connection that lasted this long starts the backoff over. */
  healthyAfterMs: number;
  /** How often the stored login is re-read while the token is refused or missing. */
  tokenCheckMs: number;
  /** The server is asked again this long after a refusal even when the token did not change. */
  attentionRetryMs: number;
  /** Wait this long after a stop before reading the item's play count (the server saves it as it stops). */
  verdictDelayMs: number;
  progressIntervalMs: number;
  /** Until the server sends ForceKeepAlive. */
  keepAliveMs: number;
}

export const defaultMediaServerTiming: MediaServerTiming = {
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  healthyAfterMs: 60_000,
  tokenCheckMs: 60_000,
  attentionRetryMs: 30 * 60_000,
  verdictDelayMs: 2_000,
  progressIntervalMs: 15_000,
  keepAliveMs: 30_000,
};

export type MediaServerSettings = Pick<MediaServerSection, "token" | "users" | "defaultAccount" | "requestTimeoutSeconds" | "maxMessageBytes"> & {
  url: string;
};

export interface MediaServerAdapterOptions {
  dialect: Dialect;
  settings: MediaServerSettings;
  /** Where `<kind> login` stored its token. */
  serverTokens?: ServerTokenSource | undefined;
  /** For the DeviceId of a token given in the config. */
  stateDir: string;
  timing?: Partial<MediaServerTiming>;
  log: Logger;
}

interface Credentials {
  token: string;
  deviceId: string;
}

interface ServerFacts {
  name: string;
  version: string;
  parsed: ServerVersion;
  access: TokenAccess;
}

/** What the adapter knows about an item a user plays: its user data before this playback, the show's ids. */
interface ItemFacts {
  before: UserData | undefined;
  showIds: MediaItemIds | undefined;
}
type MediaItemIds = ReturnType<typeof idsOf>;

type Outcome = { kind: "retry"; reason: string; connectedMs: number } | { kind: "attention"; problem: string; credentials: Credentials | undefined };

/** Items and shows remembered at most (each a few hundred bytes). */
const MAX_REMEMBERED = 500;

export class MediaServerAdapter implements PlayerAdapter {
  readonly name: string;
  readonly #dialect: Dialect;
  readonly #timing: MediaServerTiming;
  readonly #log: Logger;
  readonly #tracker: PlaybackTracker;
  #settings: MediaServerSettings;
  #routing: UserRouting;
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #socket: SessionsSocket | undefined;
  #client: MediaServerClient | undefined;
  #facts: ServerFacts | undefined;
  #state: AdapterConnectionState = "stopped";
  #problem: string | undefined;
  #views: AdapterSession[] = [];
  /** The latest picture not yet processed (a newer one replaces it: each is complete). */
  #pending: { sessions: MediaSession[]; at: number } | undefined;
  #working: Promise<void> | undefined;
  #getInFlight = false;
  #feedDuringGet = false;
  readonly #items = new Map<string, ItemFacts>();
  readonly #shows = new Map<string, MediaItemIds>();
  readonly #verdictTimers = new Set<NodeJS.Timeout>();
  readonly #warnedUsers = new Set<string>();
  #loggedUnavailable = false;
  #everConnected = false;
  #warnedVisibility = false;

  constructor(
    private readonly options: MediaServerAdapterOptions,
    private readonly context: AdapterContext,
  ) {
    this.#dialect = options.dialect;
    this.name = options.dialect.kind;
    this.#timing = { ...defaultMediaServerTiming, ...options.timing };
    this.#log = options.log;
    this.#settings = options.settings;
    this.#routing = { users: options.settings.users, defaultAccount: options.settings.defaultAccount };
    this.#tracker = new PlaybackTracker({
      player: options.dialect.kind,
      progressIntervalMs: this.#timing.progressIntervalMs,
      seekToleranceMs: 5_000,
      maxExtrapolationMs: 10_000,
    });
  }

  /** Users and the default account apply live; the next picture of the sessions is routed with them. */
  updateRouting(settings: Pick<MediaServerSettings, "users" | "defaultAccount">): void {
    this.#routing = { users: settings.users, defaultAccount: settings.defaultAccount };
    this.#settings = { ...this.#settings, users: settings.users, defaultAccount: settings.defaultAccount };
    this.#warnedUsers.clear();
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#loop) return Promise.resolve();
    const controller = new AbortController();
    this.#controller = controller;
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", () => void this.stop(), { once: true });
    this.#state = "starting";
    this.#loop = this.#run(controller.signal).catch((error: unknown) => {
      this.#log.error({ err: error }, `${this.#dialect.product} connection loop failed`);
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#controller?.abort();
    this.#socket?.close();
    await loop;
    this.#loop = undefined;
    await this.#working;
    for (const timer of this.#verdictTimers) clearTimeout(timer);
    this.#verdictTimers.clear();
    this.#emit(this.#tracker.finishAll(this.context.now()).events);
    this.#views = [];
    this.#state = "stopped";
  }

  status(): AdapterStatus[] {
    const status: AdapterStatus = { name: this.name, kind: this.#dialect.kind, state: this.#state, detail: this.#detail() };
    if (this.#views.length > 0) status.sessions = this.#views;
    return [status];
  }

  #detail(): string {
    const where = maskUrlCredentials(this.#settings.url);
    if (this.#state === "failed") return `needs attention: ${this.#problem ?? "unknown problem"}`;
    const facts = this.#facts;
    if (this.#state === "connected" && facts) {
      const who = facts.access.kind === "api-key" ? "API key" : `user ${facts.access.name}${facts.access.admin ? " (administrator)" : ""}`;
      return `${where} · ${this.#dialect.product} ${facts.version} "${facts.name}" · ${who}`;
    }
    return this.#problem === undefined ? where : `${where} (${this.#problem})`;
  }

  // --- connection lifecycle -------------------------------------------------------------------------------------

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const outcome = await this.#connectOnce(signal);
      if (signal.aborted) break;
      if (outcome.kind === "attention") {
        this.#needsAttention(outcome.problem);
        await this.#waitForNewToken(outcome.credentials, signal);
        failures = 0;
        continue;
      }
      if (outcome.connectedMs >= this.#timing.healthyAfterMs) failures = 0;
      this.#unavailable(outcome.reason, outcome.connectedMs > 0);
      const wait = backoffMs(failures, { initialMs: this.#timing.reconnectMinMs, maxMs: this.#timing.reconnectMaxMs, jitter: 0.5 });
      failures = Math.min(failures + 1, 30);
      await sleepUnlessAborted(wait, signal);
    }
  }

  async #connectOnce(signal: AbortSignal): Promise<Outcome> {
    const product = this.#dialect.product;
    let credentials: Credentials | undefined;
    let connectedAt: number | undefined;
    try {
      credentials = await this.#credentials();
      if (credentials === undefined) {
        return {
          kind: "attention",
          problem: `no token: set ${this.#dialect.kind}.token (${this.#dialect.kind.toUpperCase()}_TOKEN) to an API key, or run \`trakt-scrobblerd ${this.#dialect.kind} login\``,
          credentials,
        };
      }
      const client = new MediaServerClient({
        baseUrl: this.#settings.url,
        dialect: this.#dialect,
        identity: clientIdentity(credentials.deviceId),
        token: credentials.token,
        timeoutMs: this.#settings.requestTimeoutSeconds * 1000,
        maxBytes: this.#settings.maxMessageBytes,
      });
      const info = await client.systemInfo(signal);
      const mismatch = this.#wrongProduct(info.ProductName ?? undefined);
      if (mismatch) return { kind: "attention", problem: mismatch, credentials };
      const parsed = parseVersion(info.Version);
      const access = await client.access(signal);
      const refusal = this.#dialect.sessionsFeedRefusal(parsed, access);
      if (refusal) return { kind: "attention", problem: refusal, credentials };
      this.#facts = { name: info.ServerName ?? "unnamed", version: info.Version, parsed, access };
      this.#client = client;

      const { path, headers } = this.#dialect.socket(clientIdentity(credentials.deviceId), credentials.token);
      const url = serverUrl(client.base, path);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      const socket = new SessionsSocket({
        url,
        headers,
        product,
        maxMessageBytes: this.#settings.maxMessageBytes,
        handshakeTimeoutMs: this.#settings.requestTimeoutSeconds * 1000,
        keepAliveMs: this.#timing.keepAliveMs,
        log: this.#log,
        now: this.context.now,
        onSessions: (data, at) => this.#onFeed(data, at),
      });
      this.#socket = socket;
      await socket.open(signal);
      connectedAt = this.context.now();
      this.#connected(access);
      await this.#initialPicture(client, signal);
      const end = await socket.ended;
      if (end.error?.kind === "auth") return { kind: "attention", problem: this.#authProblem(end.error), credentials };
      return { kind: "retry", reason: end.reason, connectedMs: this.context.now() - connectedAt };
    } catch (error) {
      if (isMediaServerError(error, "auth")) return { kind: "attention", problem: this.#authProblem(error), credentials };
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: "retry", reason, connectedMs: connectedAt === undefined ? 0 : this.context.now() - connectedAt };
    } finally {
      this.#socket?.close();
      this.#socket = undefined;
    }
  }

  async #credentials(): Promise<Credentials | undefined> {
    const { token } = this.#settings;
    if (token !== undefined) {
      registerSecret(token);
      return { token, deviceId: stateDirDeviceId(this.options.stateDir) };
    }
    let stored: Awaited<ReturnType<ServerTokenSource["get"]>>;
    try {
      stored = await this.options.serverTokens?.get(serverTokenKey(this.#dialect.kind));
    } catch (error) {
      this.#log.warn({ err: error }, `cannot read the stored ${this.#dialect.product} login`);
      return undefined;
    }
    if (stored === undefined) return undefined;
    registerSecret(stored.token);
    return { token: stored.token, deviceId: stored.deviceId ?? stateDirDeviceId(this.options.stateDir) };
  }

  #wrongProduct(productName: string | undefined): string | undefined {
    if (productName === undefined) return undefined;
    const other = this.#dialect.kind === "jellyfin" ? "emby" : "jellyfin";
    if (!productName.toLowerCase().includes(other)) return undefined;
    return `${this.#settings.url} is ${productName}, not ${this.#dialect.product}: configure it under ${other}: instead of ${this.#dialect.kind}:`;
  }

  #authProblem(error: MediaServerError): string {
    const kind = this.#dialect.kind;
    const source = this.#settings.token !== undefined ? `${kind}.token` : `the login stored by \`trakt-scrobblerd ${kind} login\``;
    return `${error.message}: ${source} is wrong or was revoked. Set ${kind}.token to a valid API key or run \`trakt-scrobblerd ${kind} login\` again`;
  }

  #connected(access: TokenAccess): void {
    const product = this.#dialect.product;
    const url = maskUrlCredentials(this.#settings.url);
    const wasFailed = this.#state === "failed";
    this.#state = "connected";
    this.#problem = undefined;
    if (this.#loggedUnavailable) this.#log.info({ url }, `${product} is back`);
    else if (!this.#everConnected || wasFailed) this.#log.info({ url, version: this.#facts?.version, server: this.#facts?.name }, `connected to ${product}`);
    this.#loggedUnavailable = false;
    this.#everConnected = true;
    const visibility = this.#facts ? this.#dialect.visibility(this.#facts.parsed, access) : "everyone";
    if (visibility === "own" && access.kind === "user" && !this.#warnedVisibility) {
      this.#warnedVisibility = true;
      this.#log.warn(`${product} shows this login (${access.name}) only its own playback: log in as an administrator, or use an API key, to scrobble other users too`);
    }
  }

  #unavailable(reason: string, wasConnected: boolean): void {
    this.#state = "disconnected";
    this.#problem = reason;
    const url = maskUrlCredentials(this.#settings.url);
    const product = this.#dialect.product;
    if (!this.#loggedUnavailable) {
      this.#loggedUnavailable = true;
      this.#log.warn({ url, reason }, wasConnected ? `${product} unavailable (connection lost); reconnecting quietly` : `${product} unavailable; retrying quietly`);
    } else {
      this.#log.debug({ url, reason }, `${product} still unavailable`);
    }
  }

  #needsAttention(problem: string): void {
    if (this.#state !== "failed" || this.#problem !== problem) this.#log.error({ url: maskUrlCredentials(this.#settings.url) }, `${this.#dialect.product}: ${problem}`);
    this.#state = "failed";
    this.#problem = problem;
  }

  /** Until the token changes (checked every tokenCheckMs) or attentionRetryMs passed. */
  async #waitForNewToken(before: Credentials | undefined, signal: AbortSignal): Promise<void> {
    const deadline = this.context.now() + this.#timing.attentionRetryMs;
    while (!signal.aborted && this.context.now() < deadline) {
      await sleepUnlessAborted(Math.min(this.#timing.tokenCheckMs, Math.max(0, deadline - this.context.now())), signal);
      if (signal.aborted) return;
      const now = await this.#credentials();
      if (now !== undefined && now.token !== before?.token) {
        this.#log.info(`the ${this.#dialect.product} token changed; connecting again`);
        return;
      }
    }
  }

  // --- pictures of the sessions -----------------------------------------------------------------------------------

  /** The server sends nothing right after SessionsStart: ask once. A feed message that arrives meanwhile wins. */
  async #initialPicture(client: MediaServerClient, signal: AbortSignal): Promise<void> {
    this.#getInFlight = true;
    this.#feedDuringGet = false;
    try {
      const { sessions, skipped } = await client.sessions(signal);
      if (skipped > 0) this.#log.debug({ skipped }, `${this.#dialect.product} listed sessions that could not be read; skipped`);
      if (!this.#feedDuringGet) this.#submit(sessions, this.context.now());
    } catch (error) {
      // The feed goes on regardless; the next change brings the full picture.
      if (!signal.aborted) this.#log.warn({ err: error }, `GET /Sessions failed; following the feed only`);
    } finally {
      this.#getInFlight = false;
    }
  }

  #onFeed(data: unknown, at: number): void {
    if (this.#getInFlight) this.#feedDuringGet = true;
    const { sessions, skipped } = parseSessions(data);
    if (skipped > 0) this.#log.debug({ skipped }, `${this.#dialect.product} sent sessions that could not be read; skipped`);
    this.#submit(sessions, at);
  }

  #submit(sessions: MediaSession[], at: number): void {
    this.#pending = { sessions, at };
    this.#working ??= this.#work().finally(() => (this.#working = undefined));
  }

  async #work(): Promise<void> {
    while (this.#pending !== undefined && this.#loop !== undefined) {
      const { sessions, at } = this.#pending;
      this.#pending = undefined;
      try {
        await this.#learnItems(sessions);
        if (this.#loop === undefined) return;
        const seen = picture(sessions, this.#routing, (userId, item) => this.#enrichment(userId, item));
        this.#views = seen.views;
        this.#warnUnmapped(seen.unmapped);
        const out = this.#tracker.update(seen.observed, at);
        this.#emit(out.events);
        for (const finished of out.finished) this.#scheduleVerdict(finished);
      } catch (error) {
        this.#log.error({ err: error }, `could not follow a picture of the ${this.#dialect.product} sessions`);
      }
    }
  }

  #warnUnmapped(users: string[]): void {
    for (const user of users) {
      if (this.#warnedUsers.has(user)) continue;
      this.#warnedUsers.add(user);
      const kind = this.#dialect.kind;
      this.#log.info({ user }, `ignoring plays of ${this.#dialect.product} user '${user}': not mapped to a Trakt account (add it under ${kind}.users, or set ${kind}.defaultAccount)`);
    }
  }

  /** Reads, once per user and item, the item as its user sees it and, for an episode, the series. */
  async #learnItems(sessions: MediaSession[]): Promise<void> {
    const client = this.#client;
    const facts = this.#facts;
    if (!client || !facts) return;
    const wanted: { userId: string; item: MediaItem }[] = [];
    for (const session of sessions) {
      const item = session.NowPlayingItem;
      if (!item || notScrobbled(item) !== undefined) continue;
      const users = [{ id: session.UserId, name: session.UserName }, ...(session.AdditionalUsers ?? []).map((u) => ({ id: u?.UserId, name: u?.UserName }))];
      for (const { id, name } of users) {
        if (id == null || this.#items.has(itemKey(id, item.Id))) continue;
        // Only what is scrobbled is looked up: an ignored user's plays cost no request.
        if ("ignored" in routeUser(this.#routing, { id, name: name ?? undefined })) continue;
        wanted.push({ userId: id, item });
      }
    }
    await Promise.all(
      wanted.map(async ({ userId, item }) => {
        const before = await this.#userData(client, facts, item.Id, userId);
        let showIds: MediaItemIds;
        if (item.Type === "Episode" && item.SeriesId != null) showIds = await this.#showIds(client, facts, item.SeriesId, userId);
        remember(this.#items, itemKey(userId, item.Id), { before, showIds });
      }),
    );
  }

  async #userData(client: MediaServerClient, facts: ServerFacts, itemId: string, userId: string): Promise<UserData | undefined> {
    try {
      return (await client.item(itemId, userId, facts.parsed, this.#controller?.signal)).UserData ?? undefined;
    } catch (error) {
      this.#log.debug({ err: error, itemId }, `could not read the item's user data; no verdict from ${this.#dialect.product} for it`);
      return undefined;
    }
  }

  async #showIds(client: MediaServerClient, facts: ServerFacts, seriesId: string, userId: string): Promise<MediaItemIds> {
    if (this.#shows.has(seriesId)) return this.#shows.get(seriesId);
    try {
      const ids = idsOf(await client.item(seriesId, userId, facts.parsed, this.#controller?.signal));
      remember(this.#shows, seriesId, ids);
      return ids;
    } catch (error) {
      this.#log.debug({ err: error, seriesId }, "could not read the series; identifying by the episode alone");
      return undefined;
    }
  }

  #enrichment(userId: string, item: MediaItem): { showIds: NonNullable<MediaItemIds> } | undefined {
    const showIds = this.#items.get(itemKey(userId, item.Id))?.showIds;
    return showIds ? { showIds } : undefined;
  }

  // --- the server's verdict ---------------------------------------------------------------------------------------

  #scheduleVerdict(finished: FinishedPlayback): void {
    const key = itemKey(finished.userId, finished.itemId);
    const before = this.#items.get(key)?.before;
    this.#items.delete(key);
    const client = this.#client;
    const facts = this.#facts;
    // Unknown before, or played already (a rewatch): the server will say nothing we can read.
    if (before === undefined || before.Played === true || !client || !facts) return;
    const timer = setTimeout(() => {
      this.#verdictTimers.delete(timer);
      void this.#verdict(client, facts, finished, before);
    }, this.#timing.verdictDelayMs);
    timer.unref();
    this.#verdictTimers.add(timer);
  }

  async #verdict(client: MediaServerClient, facts: ServerFacts, finished: FinishedPlayback, before: UserData): Promise<void> {
    const after = await this.#userData(client, facts, finished.itemId, finished.userId);
    if (after === undefined || this.#loop === undefined) return;
    if (before.Played === true || after.Played !== true) return;
    this.#log.debug({ session: finished.key }, `${this.#dialect.product} marked the item played`);
    const event: PlaybackEvent = {
      player: this.#dialect.kind,
      sessionKey: finished.key,
      state: "stopped",
      positionMs: Math.round(finished.positionMs),
      observedAt: this.context.now(),
      hints: finished.hints,
      playerWatched: true,
    };
    if (finished.durationMs !== undefined) {
      event.durationMs = finished.durationMs;
      event.progress = Math.min(100, (finished.positionMs / finished.durationMs) * 100);
    }
    if (finished.account !== undefined) event.account = finished.account;
    this.#emit([event]);
  }

  #emit(events: PlaybackEvent[]): void {
    for (const event of events) {
      try {
        this.context.emit(event);
      } catch (error) {
        this.#log.error({ err: error }, "a playback event could not be handed on");
      }
    }
  }
}

function itemKey(userId: string, itemId: string): string {
  return `${userId}/${itemId}`;
}

/** A map that forgets its oldest entries past MAX_REMEMBERED. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
