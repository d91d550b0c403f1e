// A fake Jellyfin or Emby server on 127.0.0.1:0 (HTTP + WebSocket) for tests, built on the payloads in
// test/fixtures/media-servers/ (see its README): real payloads first, the labelled reconstructions where nothing real
// exists. It plays what a test tells it to like the server does with its clients' reports: positions advance on the
// server's clock (StartAutomaticProgress), a stop takes the item off the session and saves the user's data by the
// server's rules (UserDataManager.UpdatePlayState), and subscribers to the sessions feed get a Sessions message on
// every change and, while something plays, at most once per their interval. Who may subscribe, what a refused token
// gets and how the feed stays silent follow the server source cited in the README, per version.
//
// Items are titles of the Trakt emulator's catalogue with their real ids, so identification is real.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer, WebSocket } from "ws";
import { MOVIES, SHOWS } from "../../../src/emulator/catalogue.js";

const FIXTURES = new URL("../../fixtures/media-servers/", import.meta.url);
type Json = Record<string, unknown>;
const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(path, FIXTURES), "utf8"));
const clone = <T>(value: T): T => structuredClone(value);

const TICKS_PER_MS = 10_000;

// --- templates ------------------------------------------------------------------------------------------------------

/** Real: a /Sessions element from Jellyfin 10.9.11 (multi-scrobbler); its audio item and queue are taken out. */
const JELLYFIN_SESSION = (() => {
  const s = fixture("jellyfin/sessions-item.audio.DirectPlay.paused.jf10.9.11.multi-scrobbler.json") as Json;
  for (const key of ["NowPlayingItem", "NowPlayingQueue", "NowPlayingQueueFullItems", "PlaylistItemId", "LastPausedDate", "PlayState"]) delete s[key];
  return s;
})();
const JELLYFIN_PLAYING = (fixture("jellyfin/ws-Sessions.episode-playing.RECONSTRUCTED.json") as { Data: Json[] }).Data[0]!;
/** RECONSTRUCTED: the episode NowPlayingItem (Breaking Bad S01E01, real ids) and a playing PlayState. */
const JELLYFIN_EPISODE = JELLYFIN_PLAYING.NowPlayingItem as Json;
const JELLYFIN_PLAY_STATE = JELLYFIN_PLAYING.PlayState as Json;
/** RECONSTRUCTED: what PlayState becomes after a stop (SessionManager.RemoveNowPlayingItem). */
const STOPPED_PLAY_STATE = ((fixture("jellyfin/ws-Sessions.after-stop-no-NowPlayingItem.RECONSTRUCTED.json") as { Data: Json[] }).Data[0]!).PlayState as Json;
const JELLYFIN_SERIES = fixture("jellyfin/rest-GET-Items-series.RECONSTRUCTED.json") as Json;
const USER_DATA = (fixture("jellyfin/rest-GET-Items-episode.RECONSTRUCTED.json") as { UserData: Json }).UserData;
const AUTH_RESULT = fixture("jellyfin/rest-POST-Users-AuthenticateByName.response.RECONSTRUCTED.json") as Json;
const QUICK_CONNECT = fixture("jellyfin/rest-POST-QuickConnect-Initiate.response.RECONSTRUCTED.json") as Json;
/** From source (ForceKeepAlive.cs, OutboundKeepAliveMessage) and Jellyfin's own test data. */
const FORCE_KEEP_ALIVE = fixture("jellyfin/ws-ForceKeepAlive.server.from-source.json") as Json;
const KEEP_ALIVE_REPLY = fixture("jellyfin/ws-KeepAlive.server-reply.from-source.json") as Json;

/** RECONSTRUCTED (Emby's DTO heritage + pyEmby): an Emby /Sessions element; its item is replaced per playback. */
const EMBY_SESSION = (() => {
  const s = (fixture("emby/rest-GET-emby-Sessions.episode-playing.RECONSTRUCTED.json") as Json[])[0]!;
  const copy = clone(s);
  delete copy.NowPlayingItem;
  delete copy.PlayState;
  return copy;
})();
const EMBY_PLAY_STATE = ((fixture("emby/rest-GET-emby-Sessions.episode-playing.RECONSTRUCTED.json") as Json[])[0]!).PlayState as Json;
/** Real items of Emby 4.7.13 (webhooks, MoviePilot): a movie and an episode; their values are replaced per title. */
const EMBY_MOVIE = (fixture("emby/webhook.playback.stop.movie.emby4.7.13.moviepilot.json") as { Item: Json }).Item;
const EMBY_EPISODE = (fixture("emby/webhook.playback.start.episode.emby4.7.13.moviepilot.json") as { Item: Json }).Item;

// --- the fake -------------------------------------------------------------------------------------------------------

export type Dialect = "jellyfin" | "emby";

export interface FakeUser {
  id: string;
  name: string;
  password: string;
  admin: boolean;
}

interface Item {
  id: string;
  dto: Json;
  runtimeMs: number;
}

type Credential = { kind: "api-key" } | { kind: "user"; userId: string; deviceId: string };

export interface FakeServerOptions {
  dialect: Dialect;
  /** e.g. "10.10.7", "10.9.11", "10.8.13", or Emby's "4.8.10.0". */
  version?: string;
  /** Seconds in ForceKeepAlive (Jellyfin sends 60). */
  keepAliveSeconds?: number;
  /** A socket that sends nothing this long is dropped (Jellyfin: 60 s). */
  lostTimeoutMs?: number;
  /** Server clock tick for automated progress (Jellyfin: 1 s). */
  tickMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  at: number;
  credential: Credential | undefined;
}

interface Subscriber {
  socket: WebSocket;
  credential: Credential;
  intervalMs: number;
  lastSentAt: number;
}

export class FakePlayback {
  positionAnchorMs: number;
  anchorAt: number;
  paused = false;
  stopped = false;
  /** Where the client said it stopped (what the server saved). */
  stoppedAtMs: number | undefined;

  constructor(
    private readonly server: FakeMediaServer,
    readonly sessionId: string,
    readonly user: FakeUser,
    readonly item: Item,
    positionMs: number,
    readonly additionalUsers: FakeUser[],
  ) {
    this.positionAnchorMs = positionMs;
    this.anchorAt = Date.now();
  }

  /** Where the client really is (what it reports when it pauses, seeks or stops). */
  positionMs(now = Date.now()): number {
    if (this.stopped) return this.stoppedAtMs ?? this.positionAnchorMs;
    const moved = this.paused ? 0 : now - this.anchorAt;
    return Math.min(this.positionAnchorMs + moved, this.item.runtimeMs);
  }

  /**
   * What the server says in PlayState.PositionTicks: the client's last check-in moved on by whole seconds
   * (SessionInfo.StartAutomaticProgress adds one second per timer tick), never up to the runtime.
   */
  serverPositionMs(now = Date.now()): number {
    if (this.stopped || this.paused) return this.positionMs(now);
    const steps = Math.floor((now - this.anchorAt) / 1000) * 1000;
    const stepped = this.positionAnchorMs + steps;
    return stepped >= this.item.runtimeMs ? this.positionAnchorMs + Math.max(0, Math.floor((this.item.runtimeMs - this.positionAnchorMs - 1) / 1000) * 1000) : stepped;
  }

  pause(): void {
    this.#rebase();
    this.paused = true;
    this.server.changed();
  }

  resume(): void {
    this.#rebase();
    this.paused = false;
    this.server.changed();
  }

  seek(positionMs: number): void {
    this.positionAnchorMs = positionMs;
    this.anchorAt = Date.now();
    this.server.changed();
  }

  /** The client reports a stop at its current position. */
  stop(): number {
    if (this.stopped) return this.stoppedAtMs ?? 0;
    const at = this.positionMs();
    this.stopped = true;
    this.stoppedAtMs = at;
    this.server.stopped(this);
    return at;
  }

  #rebase(): void {
    this.positionAnchorMs = this.positionMs();
    this.anchorAt = Date.now();
  }
}

export class FakeMediaServer {
  readonly dialect: Dialect;
  readonly version: string;
  readonly requests: RecordedRequest[] = [];
  readonly serverId = randomHex();
  /** Every WebSocket upgrade attempt, accepted or not. */
  upgrades = 0;
  /** Every SessionsStart the server accepted. */
  subscriptions = 0;
  /** Sessions messages sent on the feed so far (every subscriber counted). */
  sessionsMessages = 0;
  /** When true the server accepts connections and never answers (a hung server). */
  hanging = false;
  readonly users = new Map<string, FakeUser>();
  readonly #tokens = new Map<string, Credential>();
  readonly #items = new Map<string, Item>();
  readonly #sessions = new Map<string, { dto: Json; user: FakeUser; playback: FakePlayback | undefined; additional: FakeUser[] }>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #sockets = new Set<WebSocket>();
  readonly #held = new Set<Socket>();
  readonly #userData = new Map<string, { PlayCount: number; Played: boolean; PlaybackPositionTicks: number }>();
  readonly #quickConnect = new Map<string, { code: string; deviceId: string; userId?: string }>();
  #nextItem = 240_000;
  #http: Server;
  #wss: WebSocketServer;
  #port = 0;
  #tick: NodeJS.Timeout | undefined;
  readonly #keepAliveSeconds: number;
  readonly #lostTimeoutMs: number;
  readonly #tickMs: number;

  private constructor(options: FakeServerOptions) {
    this.dialect = options.dialect;
    this.version = options.version ?? (options.dialect === "jellyfin" ? "10.10.7" : "4.8.10.0");
    this.#keepAliveSeconds = options.keepAliveSeconds ?? 60;
    this.#lostTimeoutMs = options.lostTimeoutMs ?? 60_000;
    this.#tickMs = options.tickMs ?? 1_000;
    this.#wss = new WebSocketServer({ noServer: true });
    this.#http = this.#createHttp();
  }

  static async start(options: FakeServerOptions): Promise<FakeMediaServer> {
    const server = new FakeMediaServer(options);
    await server.#listen(0);
    server.#tick = setInterval(() => server.#onTick(), server.#tickMs);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get connectedSockets(): number {
    return this.#sockets.size;
  }

  // --- users, tokens, library -----------------------------------------------------------------------------------------

  addUser(name: string, options: { admin?: boolean; password?: string } = {}): FakeUser {
    const user = { id: randomHex(), name, password: options.password ?? `${name}-pw`, admin: options.admin ?? false };
    this.users.set(user.id, user);
    return user;
  }

  apiKey(): string {
    const key = randomHex();
    this.#tokens.set(key, { kind: "api-key" });
    return key;
  }

  userToken(user: FakeUser, deviceId = `device-${randomHex()}`): string {
    const token = randomHex();
    this.#tokens.set(token, { kind: "user", userId: user.id, deviceId });
    return token;
  }

  /** Revoke a token (Dashboard → API Keys → delete, or Devices → delete): its sockets are closed. */
  revoke(token: string): void {
    this.#tokens.delete(token);
    for (const socket of this.#sockets) if ((socket as WebSocket & { token?: string }).token === token) socket.terminate();
  }

  /** Whether a token is still valid (a new login of the same user and device logs the older token out). */
  valid(token: string): boolean {
    return this.#tokens.has(token);
  }

  addMovie(title: string, runtimeMs: number): string {
    const movie = MOVIES.find((m) => m.title === title);
    if (!movie) throw new Error(`no movie ${title} in the emulator's catalogue`);
    const id = this.#newItemId();
    const ids = { Imdb: movie.ids.imdb, Tmdb: movie.ids.tmdb === undefined ? undefined : String(movie.ids.tmdb) };
    const providerIds = Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined));
    let dto: Json;
    if (this.dialect === "emby") {
      dto = clone(EMBY_MOVIE);
      Object.assign(dto, { Name: movie.title, OriginalTitle: movie.title, SortName: movie.title, Id: id, ProductionYear: movie.year, ProviderIds: providerIds });
      Object.assign(dto, { Path: `\\\\nas\\Video\\Movies\\${movie.title} (${movie.year})\\${movie.title} (${movie.year}).mp4`, FileName: `${movie.title} (${movie.year}).mp4` });
    } else {
      // RECONSTRUCTED: Jellyfin's movie NowPlayingItem has no real capture; the episode's shape without series fields.
      dto = clone(JELLYFIN_EPISODE);
      for (const key of ["SeriesName", "SeriesId", "SeasonId", "SeasonName", "IndexNumber", "ParentIndexNumber", "ParentId"]) delete dto[key];
      Object.assign(dto, {
        Name: movie.title,
        Id: id,
        Type: "Movie",
        ProductionYear: movie.year,
        PremiereDate: `${movie.released}T00:00:00.0000000Z`,
        ProviderIds: providerIds,
        ExternalUrls: [{ Name: "IMDb", Url: `https://www.imdb.com/title/${movie.ids.imdb}` }],
        Path: `/data/movies/${movie.title} (${movie.year})/${movie.title} (${movie.year}).mkv`,
      });
    }
    dto.RunTimeTicks = runtimeMs * TICKS_PER_MS;
    dto.ServerId = this.serverId;
    this.#items.set(id, { id, dto, runtimeMs });
    return id;
  }

  addEpisode(showTitle: string, season: number, episode: number, runtimeMs: number): string {
    const show = SHOWS.find((s) => s.title === showTitle);
    const ep = show?.episodes.find((e) => e.season === season && e.number === episode);
    if (!show || !ep) throw new Error(`no ${showTitle} S${season}E${episode} in the emulator's catalogue`);
    const seriesId = this.#series(show);
    const id = this.#newItemId();
    const ids = { Imdb: ep.ids.imdb, Tmdb: ep.ids.tmdb === undefined ? undefined : String(ep.ids.tmdb), Tvdb: ep.ids.tvdb === undefined ? undefined : String(ep.ids.tvdb) };
    const providerIds = Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined));
    const dto = clone(this.dialect === "emby" ? EMBY_EPISODE : JELLYFIN_EPISODE);
    const file = `${show.title} - S${pad(season)}E${pad(episode)} - ${ep.title}`;
    Object.assign(dto, {
      Name: ep.title,
      Id: id,
      SortName: ep.title,
      SeriesName: show.title,
      SeriesId: seriesId,
      IndexNumber: episode,
      ParentIndexNumber: season,
      ProductionYear: show.year,
      ProviderIds: providerIds,
      Path: this.dialect === "emby" ? `\\\\nas\\Video\\TV\\${show.title}\\Season ${season}\\${file}.mp4` : `/data/tv/${show.title} (${show.year})/Season ${pad(season)}/${file}.mkv`,
      RunTimeTicks: runtimeMs * TICKS_PER_MS,
      ServerId: this.serverId,
    });
    if (this.dialect === "emby") dto.FileName = `${file}.mp4`;
    this.#items.set(id, { id, dto, runtimeMs });
    return id;
  }

  /** A non-video item (a theme song, a trailer, music): `patch` turns a movie into it. */
  addOther(runtimeMs: number, patch: Json): string {
    const id = this.addMovie("Batman Begins", runtimeMs);
    Object.assign(this.#items.get(id)!.dto, patch);
    return id;
  }

  userData(user: FakeUser, itemId: string): { PlayCount: number; Played: boolean; PlaybackPositionTicks: number } {
    const key = `${user.id}/${itemId}`;
    let data = this.#userData.get(key);
    if (!data) {
      data = { PlayCount: 0, Played: false, PlaybackPositionTicks: 0 };
      this.#userData.set(key, data);
    }
    return data;
  }

  // --- playback -----------------------------------------------------------------------------------------------------

  /** A client of `user` starts playing an item (PlaybackStart: the play count goes up at once, as on the server). */
  play(options: { user: FakeUser; itemId: string; device?: string; client?: string; positionMs?: number; paused?: boolean; additionalUsers?: FakeUser[] }): FakePlayback {
    const item = this.#items.get(options.itemId);
    if (!item) throw new Error(`no item ${options.itemId}`);
    const device = options.device ?? "Living Room";
    const client = options.client ?? (this.dialect === "emby" ? "Emby Web" : "Jellyfin Web");
    const deviceId = `${client}|${device}`;
    const sessionId = createHash("md5").update(`${client}${deviceId}`).digest("hex");
    let session = this.#sessions.get(sessionId);
    session?.playback?.stop();
    if (!session) {
      const dto = clone(this.dialect === "emby" ? EMBY_SESSION : JELLYFIN_SESSION);
      Object.assign(dto, { Id: sessionId, DeviceName: device, Client: client, DeviceId: deviceId, ServerId: this.serverId });
      session = { dto, user: options.user, playback: undefined, additional: [] };
      this.#sessions.set(sessionId, session);
    }
    session.user = options.user;
    session.additional = options.additionalUsers ?? [];
    const playback = new FakePlayback(this, sessionId, options.user, item, options.positionMs ?? 0, session.additional);
    if (options.paused) playback.paused = true;
    session.playback = playback;
    for (const user of [options.user, ...session.additional]) this.userData(user, item.id).PlayCount += 1;
    this.changed();
    return playback;
  }

  /** Called by a playback: something changed that the server reports at once (forced). */
  changed(): void {
    this.#broadcast(true);
  }

  /** Called by a playback: the client reported a stop (SessionManager.OnPlaybackStopped). */
  stopped(playback: FakePlayback): void {
    const session = this.#sessions.get(playback.sessionId);
    if (session?.playback === playback) session.playback = undefined;
    for (const user of [playback.user, ...playback.additionalUsers]) this.#savePlayState(user, playback.item, playback.stoppedAtMs ?? 0);
    this.#broadcast(true);
  }

  /** UserDataManager.UpdatePlayState with the default MinResumePct 5, MaxResumePct 90, MinResumeDurationSeconds 300. */
  #savePlayState(user: FakeUser, item: Item, positionMs: number): void {
    const data = this.userData(user, item.id);
    let position = positionMs * TICKS_PER_MS;
    const runtime = item.runtimeMs * TICKS_PER_MS;
    if (position > 0 && runtime > 0) {
      const pct = (position / runtime) * 100;
      if (pct < 5) position = 0;
      else if (pct > 90 || position >= runtime - 10_000_000) {
        position = 0;
        data.Played = true;
      } else if (item.runtimeMs / 1000 < 300) {
        position = 0;
        data.Played = true;
      }
    }
    data.PlaybackPositionTicks = position;
  }

  /** A playback that reached the end stops by itself (the client reports the stop at the runtime). */
  #onTick(): void {
    for (const session of this.#sessions.values()) {
      const playback = session.playback;
      if (playback && !playback.paused && playback.positionMs() >= playback.item.runtimeMs) playback.stop();
    }
    if ([...this.#sessions.values()].some((s) => s.playback && !s.playback.paused)) this.#broadcast(false);
  }

  // --- faults -------------------------------------------------------------------------------------------------------

  /** Sends this text as a WebSocket message to every connected socket. */
  sendRaw(text: string | Buffer): void {
    for (const socket of this.#sockets) if (socket.readyState === WebSocket.OPEN) socket.send(text);
  }

  /** The server goes away for `downMs` (sockets cut, nothing listening) and comes back on the same port. */
  async restart(downMs: number): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.#http = this.#createHttp();
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    clearInterval(this.#tick);
    for (const socket of this.#sockets) socket.terminate();
    for (const socket of this.#held) socket.destroy();
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
    this.#wss.close();
  }

  // --- HTTP -----------------------------------------------------------------------------------------------------------

  #createHttp(): Server {
    const http = createServer((req, res) => this.#onRequest(req, res));
    http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.#onUpgrade(req, socket, head));
    http.on("connection", (socket: Socket) => {
      this.#held.add(socket);
      socket.once("close", () => this.#held.delete(socket));
    });
    return http;
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once("error", reject);
      this.#http.listen(port, "127.0.0.1", () => {
        this.#http.off("error", reject);
        const address = this.#http.address();
        if (address && typeof address === "object") this.#port = address.port;
        resolve();
      });
    });
  }

  /** The token of a request: Jellyfin reads the MediaBrowser header, X-Emby-Token and the ApiKey/api_key query; Emby X-Emby-Token and api_key. */
  #tokenOf(req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers.authorization;
    if (this.dialect === "jellyfin" && typeof header === "string") {
      const match = /Token="([^"]*)"/.exec(header);
      if (match?.[1]) return decodeURIComponent(match[1]);
    }
    const emby = req.headers["x-emby-token"];
    if (typeof emby === "string" && emby !== "") return emby;
    return url.searchParams.get("api_key") ?? (this.dialect === "jellyfin" ? url.searchParams.get("ApiKey") : null) ?? undefined;
  }

  /** The DeviceId of the Authorization header (`… DeviceId="…"` on Jellyfin, `…,DeviceId=…` on Emby). */
  #deviceIdOf(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? "";
    const match = /DeviceId="?([^",]+)"?/.exec(header);
    return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.hanging) return; // holds the connection, never answers
    const url = new URL(req.url ?? "/", "http://fake");
    let path = url.pathname;
    if (this.dialect === "emby" && path.startsWith("/emby/")) path = path.slice(5);
    const token = this.#tokenOf(req, url);
    const credential = token === undefined ? undefined : this.#tokens.get(token);
    this.requests.push({ method: req.method ?? "GET", path, query: url.search, at: Date.now(), credential });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json) : undefined;
      this.#route(req, res, path, url, token, credential, body);
    });
  }

  #route(req: IncomingMessage, res: ServerResponse, path: string, url: URL, token: string | undefined, credential: Credential | undefined, body: Json | undefined): void {
    const send = (status: number, payload?: unknown): void => {
      if (payload === undefined) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
    };
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/System/Info/Public") {
      // From source (PublicSystemInfo.cs): Jellyfin answers "Jellyfin Server", Emby "Emby Server".
      return send(200, {
        LocalAddress: this.url,
        ServerName: "home",
        Version: this.version,
        ProductName: this.dialect === "emby" ? "Emby Server" : "Jellyfin Server",
        OperatingSystem: "Linux",
        Id: this.serverId,
        StartupWizardCompleted: true,
      });
    }
    if (method === "POST" && path === "/Users/AuthenticateByName") return this.#login(req, res, body, send);
    if (this.dialect === "jellyfin" && path.startsWith("/QuickConnect/")) return this.#quickConnectRoute(req, method, path, url, send);
    if (method === "POST" && path === "/Users/AuthenticateWithQuickConnect" && this.dialect === "jellyfin") {
      const state = this.#quickConnect.get(String(body?.Secret));
      if (!state?.userId) return send(401);
      return send(200, this.#authResult(this.users.get(state.userId)!, state.deviceId));
    }
    if (token === undefined || credential === undefined) return send(401);
    if (method === "GET" && path === "/Users/Me") {
      if (credential.kind === "api-key") return this.dialect === "emby" ? send(500) : send(400);
      return send(200, this.#userDto(this.users.get(credential.userId)!));
    }
    if (method === "GET" && path === "/Sessions") return send(200, this.#sessionDtos(credential));
    const byUser = /^\/Users\/([^/]+)\/Items\/([^/]+)$/.exec(path);
    const byQuery = /^\/Items\/([^/]+)$/.exec(path);
    if (method === "GET" && (byUser || (byQuery && this.dialect === "jellyfin" && this.#atLeast([10, 9])))) {
      const userId = byUser ? byUser[1]! : url.searchParams.get("userId") ?? "";
      const itemId = byUser ? byUser[2]! : byQuery![1]!;
      const user = this.users.get(userId);
      if (!user) return send(400);
      const dto = this.#itemDto(itemId, user);
      return dto ? send(200, dto) : send(404);
    }
    send(404);
  }

  #login(req: IncomingMessage, res: ServerResponse, body: Json | undefined, send: (status: number, payload?: unknown) => void): void {
    const deviceId = this.#deviceIdOf(req);
    if (!deviceId) return send(400);
    const user = [...this.users.values()].find((u) => u.name.toLowerCase() === (typeof body?.Username === "string" ? body.Username : "").toLowerCase());
    if (!user || body?.Pw !== user.password) return send(401);
    send(200, this.#authResult(user, deviceId));
  }

  /** SessionManager.GetAuthorizationToken: a new login of a user on a DeviceId logs out the older ones there. */
  #authResult(user: FakeUser, deviceId: string): Json {
    for (const [token, credential] of this.#tokens) {
      if (credential.kind === "user" && credential.userId === user.id && credential.deviceId === deviceId) this.#tokens.delete(token);
    }
    const token = this.userToken(user, deviceId);
    const result = clone(AUTH_RESULT);
    result.AccessToken = token;
    result.User = this.#userDto(user);
    result.ServerId = this.serverId;
    return result;
  }

  #quickConnectRoute(req: IncomingMessage, method: string, path: string, url: URL, send: (status: number, payload?: unknown) => void): void {
    if (method === "GET" && path === "/QuickConnect/Enabled") return send(200, true);
    if (method === "POST" && path === "/QuickConnect/Initiate") {
      const deviceId = this.#deviceIdOf(req);
      if (!deviceId) return send(400);
      const secret = randomHex() + randomHex();
      const code = String(100_000 + Math.floor(Math.random() * 900_000));
      this.#quickConnect.set(secret, { code, deviceId });
      return send(200, { ...clone(QUICK_CONNECT), Secret: secret, Code: code, DeviceId: deviceId, Authenticated: false });
    }
    if (method === "GET" && path === "/QuickConnect/Connect") {
      const secret = url.searchParams.get("secret") ?? "";
      const state = this.#quickConnect.get(secret);
      if (!state) return send(404);
      return send(200, { ...clone(QUICK_CONNECT), Secret: secret, Code: state.code, DeviceId: state.deviceId, Authenticated: state.userId !== undefined });
    }
    send(404);
  }

  /** What a user does in the web app: approve a Quick Connect code. */
  approveQuickConnect(code: string, user: FakeUser): boolean {
    for (const state of this.#quickConnect.values()) {
      if (state.code === code) {
        state.userId = user.id;
        return true;
      }
    }
    return false;
  }

  #userDto(user: FakeUser): Json {
    const dto = clone((AUTH_RESULT.User as Json));
    dto.Name = user.name;
    dto.Id = user.id;
    dto.ServerId = this.serverId;
    dto.Policy = { ...(dto.Policy as Json), IsAdministrator: user.admin, EnableRemoteControlOfOtherUsers: user.admin };
    return dto;
  }

  #itemDto(itemId: string, user: FakeUser): Json | undefined {
    const item = this.#items.get(itemId);
    if (item) {
      const data = this.userData(user, itemId);
      return { ...clone(item.dto), UserData: { ...clone(USER_DATA), ...data, Key: itemId, ItemId: itemId } };
    }
    const series = this.#seriesById.get(itemId);
    return series ? clone(series) : undefined;
  }

  readonly #seriesById = new Map<string, Json>();

  #series(show: (typeof SHOWS)[number]): string {
    for (const [id, dto] of this.#seriesById) if (dto.Name === show.title) return id;
    const id = this.#newItemId();
    // RECONSTRUCTED: the series DTO (Breaking Bad's shape) with this show's real ids.
    const dto = clone(JELLYFIN_SERIES);
    const ids = { Imdb: show.ids.imdb, Tmdb: show.ids.tmdb === undefined ? undefined : String(show.ids.tmdb), Tvdb: show.ids.tvdb === undefined ? undefined : String(show.ids.tvdb) };
    Object.assign(dto, { Name: show.title, Id: id, ProductionYear: show.year, ProviderIds: Object.fromEntries(Object.entries(ids).filter(([, v]) => v !== undefined)), ServerId: this.serverId });
    this.#seriesById.set(id, dto);
    return id;
  }

  #newItemId(): string {
    // Jellyfin: 32-hex GUIDs in "N" format; Emby: numeric strings.
    return this.dialect === "emby" ? String(this.#nextItem++) : randomHex();
  }

  #atLeast(floor: number[]): boolean {
    const parts = this.version.split(".").map(Number);
    for (let i = 0; i < floor.length; i++) {
      const a = parts[i] ?? 0;
      const b = floor[i] ?? 0;
      if (a !== b) return a > b;
    }
    return true;
  }

  // --- the sessions feed ----------------------------------------------------------------------------------------------

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.upgrades += 1;
    if (this.hanging) return; // TCP accepted, the upgrade never answered
    const url = new URL(req.url ?? "/", "http://fake");
    // Jellyfin upgrades any path; Emby's clients use /embywebsocket.
    if (this.dialect === "emby" && url.pathname !== "/embywebsocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const token = this.#tokenOf(req, url);
    const credential = token === undefined ? undefined : this.#tokens.get(token);
    if (!credential) {
      // Jellyfin: SecurityException("Token is required" / "Invalid token.") → 403 from ExceptionMiddleware.
      const status = this.dialect === "jellyfin" ? "403 Forbidden" : "401 Unauthorized";
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws, credential, token!));
  }

  #onSocket(socket: WebSocket, credential: Credential, token: string): void {
    (socket as WebSocket & { token?: string }).token = token;
    this.#sockets.add(socket);
    let lastHeard = Date.now();
    const lost = setInterval(() => {
      if (Date.now() - lastHeard > this.#lostTimeoutMs) socket.terminate();
    }, Math.min(12_000, this.#lostTimeoutMs / 2));
    socket.on("close", () => {
      clearInterval(lost);
      this.#sockets.delete(socket);
      for (const s of this.#subscribers) if (s.socket === socket) this.#subscribers.delete(s);
    });
    socket.on("error", () => undefined);
    if (this.dialect === "jellyfin") socket.send(JSON.stringify({ ...FORCE_KEEP_ALIVE, Data: this.#keepAliveSeconds, MessageId: randomHex() }));
    socket.on("message", (raw: Buffer) => {
      lastHeard = Date.now();
      let message: { MessageType?: unknown; Data?: unknown };
      try {
        message = JSON.parse(raw.toString("utf8")) as typeof message;
      } catch {
        return; // the server logs "Error processing web socket message" and goes on
      }
      if (message.MessageType === "KeepAlive") {
        socket.send(JSON.stringify({ ...KEEP_ALIVE_REPLY, MessageId: randomHex() }));
        return;
      }
      if (message.MessageType === "SessionsStart") this.#subscribe(socket, credential, message.Data);
      if (message.MessageType === "SessionsStop") for (const s of this.#subscribers) if (s.socket === socket) this.#subscribers.delete(s);
    });
  }

  /** BasePeriodicWebSocketListener.Start (+ SessionInfoWebSocketListener.Start's permission check of the version). */
  #subscribe(socket: WebSocket, credential: Credential, data: unknown): void {
    // Data is read as a string and split on ','; anything else throws on the server (a warning, no subscription).
    if (typeof data !== "string") return;
    const [, interval] = data.split(",").map((v) => Number.parseInt(v, 10));
    if (interval === undefined || !Number.isFinite(interval)) return;
    if (this.dialect === "jellyfin" && this.#atLeast([10, 9]) && !this.#atLeast([10, 11])) {
      const admin = credential.kind === "user" && this.users.get(credential.userId)?.admin === true;
      const apiKeyAllowed = credential.kind === "api-key" && this.#atLeast([10, 10, 6]);
      if (!admin && !apiKeyAllowed) return; // "Only admin users can subscribe…" (or a NullReferenceException for an API key)
    }
    this.subscriptions += 1;
    // Nothing is sent until something changes.
    this.#subscribers.add({ socket, credential, intervalMs: interval, lastSentAt: 0 });
  }

  #broadcast(force: boolean): void {
    const now = Date.now();
    for (const subscriber of this.#subscribers) {
      if (subscriber.socket.readyState !== WebSocket.OPEN) continue;
      if (!force && now - subscriber.lastSentAt < subscriber.intervalMs) continue;
      subscriber.lastSentAt = now;
      subscriber.socket.send(JSON.stringify({ MessageType: "Sessions", Data: this.#sessionDtos(subscriber.credential), MessageId: randomHex() }));
      this.sessionsMessages += 1;
    }
  }

  /** GetDataToSendForConnection / GET /Sessions: everyone's for API keys and administrators, else the user's own (10.11+). */
  #sessionDtos(credential: Credential): Json[] {
    const own = credential.kind === "user" && this.users.get(credential.userId)?.admin !== true && (this.dialect === "emby" || this.#atLeast([10, 11]));
    const out: Json[] = [];
    for (const session of this.#sessions.values()) {
      if (own && credential.kind === "user" && session.user.id !== credential.userId && !session.additional.some((u) => u.id === credential.userId)) continue;
      out.push(this.#sessionDto(session));
    }
    return out;
  }

  #sessionDto(session: { dto: Json; user: FakeUser; playback: FakePlayback | undefined; additional: FakeUser[] }): Json {
    const dto = clone(session.dto);
    dto.UserId = session.user.id;
    dto.UserName = session.user.name;
    dto.AdditionalUsers = session.additional.map((u) => ({ UserId: u.id, UserName: u.name }));
    dto.LastActivityDate = new Date().toISOString();
    const playback = session.playback;
    if (!playback) {
      dto.PlayState = clone(STOPPED_PLAY_STATE);
      return dto;
    }
    const template = this.dialect === "emby" ? EMBY_PLAY_STATE : JELLYFIN_PLAY_STATE;
    dto.PlayState = { ...clone(template), PositionTicks: Math.round(playback.serverPositionMs()) * TICKS_PER_MS, IsPaused: playback.paused, MediaSourceId: playback.item.id };
    dto.NowPlayingItem = clone(playback.item.dto);
    if (this.dialect === "jellyfin") {
      dto.NowPlayingQueue = [{ Id: playback.item.id, PlaylistItemId: "playlistItem0" }];
      dto.PlaylistItemId = "playlistItem0";
      if (playback.paused) dto.LastPausedDate = new Date().toISOString();
    }
    return dto;
  }
}

function randomHex(): string {
  return randomBytes(16).toString("hex");
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
