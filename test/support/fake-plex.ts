// A Plex Media Server on 127.0.0.1 that answers like the real one, built from the captures in
// test/fixtures/media-servers/plex-notifications (README there: which are real, which RECONSTRUCTED):
//   GET /                       server-root (Home Assistant's plex_server_base.xml, its placeholders filled in)
//   GET /status/sessions        the playing sessions: each one an item of the library plus the real User/Player/
//                               Session shapes of Home Assistant's session_base.xml (or, for the Bob's Burgers
//                               episode, the RECONSTRUCTED JSON session of the fixtures)
//   GET /library/metadata/N     the library: items from the fixtures (see LIBRARY below)
//   WS  /:/websockets/notifications  `playing` frames with the field set and order of the real Tautulli #1493 capture;
//                               `activity` frames of PlexTraktSync's real `events-played` capture when an item is
//                               marked played
// XML fixtures are served as the JSON PMS sends for `Accept: application/json` (attributes → properties; User,
// Player, Session, TranscodeSession → objects; other child elements → arrays; items under "Metadata"). The server
// checks the X-Plex-Token header like PMS: a wrong token is a 401, a non-owner token may not list /status/sessions.
// It never echoes what the client asks for: sessions exist only because the test plays something.
// The XML fixtures are read with fast-xml-parser (a dev dependency: a well-kept parser, not worth hand-rolling for
// tests; the daemon itself only ever reads JSON from PMS).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { XMLParser } from "fast-xml-parser";
import { WebSocketServer, type WebSocket } from "ws";
import { readFixture, readJsonFixture } from "./fixtures.js";

const DIR = "media-servers/plex-notifications";

export const OWNER_TOKEN = "owner-token-4f1c9e2a7b";
export const SHARED_TOKEN = "shared-user-token-77aa";
export const MACHINE_ID = "85a28b6ea2b35c1a10cbdd967b74117a45e8694f";

type Json = Record<string, unknown>;

// ---- XML fixtures → Plex JSON -------------------------------------------------------------------------------

/** Child elements PMS's JSON renders as single objects; every other child element is an array. */
const OBJECT_CHILDREN = new Set(["User", "Player", "Session", "TranscodeSession"]);
/** Item elements: under "Metadata" in JSON. */
const ITEM_ELEMENTS = new Set(["Video", "Track", "Photo", "Episode", "Movie"]);
/** Attributes PMS's JSON keeps as strings although they look numeric. */
const STRING_ATTRIBUTES = new Set(["ratingKey", "parentRatingKey", "grandparentRatingKey", "sessionKey", "librarySectionID", "key", "guid", "machineIdentifier", "title", "version", "id", "platformVersion", "tag"]);

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false, parseTagValue: false, isArray: (_name, _path, _leaf, isAttribute) => !isAttribute });

function convertElement(name: string, element: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(element)) {
    if (typeof value === "string") {
      const numeric = /^-?\d+(\.\d+)?$/.test(value) && !STRING_ATTRIBUTES.has(key);
      out[key] = numeric ? Number(value) : value;
      continue;
    }
    if (!Array.isArray(value)) continue;
    const children = (value as Json[]).map((child) => convertElement(key, typeof child === "object" && child !== null ? child : {}));
    const field = ITEM_ELEMENTS.has(key) ? "Metadata" : key;
    if (OBJECT_CHILDREN.has(key)) out[field] = children[0];
    else out[field] = [...((out[field] as Json[] | undefined) ?? []), ...children];
  }
  // `User.id` stays a string, `Player.userID` is a number in PMS's JSON (README: "JSON typing is inconsistent").
  if (name === "User" && typeof out.id === "number") out.id = String(out.id);
  return out;
}

/** A fixture's MediaContainer as PMS's JSON. */
export function plexXmlToJson(text: string): { MediaContainer: Json } {
  const parsed = xml.parse(text) as { MediaContainer: Json[] };
  const root = parsed.MediaContainer[0];
  if (root === undefined) throw new Error("no MediaContainer in the XML");
  return { MediaContainer: convertElement("MediaContainer", root) };
}

function xmlFixture(name: string, fill: Record<string, string> = {}): { MediaContainer: Json } {
  let text = readFixture(DIR, name);
  for (const [placeholder, value] of Object.entries(fill)) text = text.split(`{${placeholder}}`).join(value);
  return plexXmlToJson(text);
}

function firstItem(container: { MediaContainer: Json }): Json {
  const item = (container.MediaContainer.Metadata as Json[] | undefined)?.[0];
  if (item === undefined) throw new Error("no item in the fixture");
  return item;
}

/** A real webhook's Metadata (test/fixtures/plex): the same object /library/metadata returns for the item. */
function webhookMetadata(name: string): Json {
  return readJsonFixture<{ Metadata: Json }>("plex", name).Metadata;
}

// ---- the library ---------------------------------------------------------------------------------------------

/** ratingKey → item (as /library/metadata/N's Metadata[0]). */
function library(): Map<string, Json> {
  const items = new Map<string, Json>();
  const add = (item: Json): void => void items.set(String(item.ratingKey), structuredClone(item));
  // Bob's Burgers S09E15 (new agent: Guid array = the episode's ids) and its show.
  add(firstItem(readJsonFixture(DIR, "library-metadata.episode.Guid-array.RECONSTRUCTED-wrapping-real-webhook-Metadata.json")));
  add(firstItem(readJsonFixture(DIR, "library-metadata.show.Guid-array.RECONSTRUCTED.json")));
  // Big Trouble in Little China (new agent) and Barry Lyndon (legacy IMDb agent): real webhook Metadata.
  add(webhookMetadata("movie.media.scrobble.plexagent-guidarray.json"));
  add(webhookMetadata("movie.media.stop.legacy-imdb-agent.json"));
  // Futurama S02E15 (legacy TheTVDB agent: the guid carries show/season/episode; its show is not in the library).
  add(webhookMetadata("episode.media.pause.legacy-thetvdb-agent.json"));
  // A pre-roll clip (Home Assistant's session_transient.xml item, without its session parts).
  const { User: _user, Player: _player, Session: _session, sessionKey: _key, ...clip } = firstItem(xmlFixture("status-sessions.clip-preroll.home-assistant-session_transient.xml"));
  add(clip);
  return items;
}

/** The session parts of a real /status/sessions entry (HA session_base.xml): Media, User, Player, Session. */
function sessionShape(): Json {
  const item = firstItem(xmlFixture("status-sessions.movie.transcode.home-assistant-session_base.xml", { user_id: "1" }));
  return { Media: item.Media, User: item.User, Player: item.Player, Session: item.Session };
}

export const RATING_KEYS = {
  episode: "146734",
  show: "146560",
  movie: "26697",
  legacyMovie: "75580",
  legacyEpisode: "59852",
  preroll: "203214",
} as const;

export interface PlexUserShape {
  id: string;
  title: string;
}

export interface PlayOptions {
  ratingKey: string;
  viewOffset: number;
  state?: "playing" | "paused" | "buffering";
  user?: PlexUserShape;
  /** Player.machineIdentifier (= the notification's clientIdentifier) and title. */
  player?: { machineIdentifier: string; title: string };
  /** Use this sessionKey instead of the server's next one. */
  sessionKey?: string;
}

interface LiveSession {
  sessionKey: string;
  ratingKey: string;
  viewOffset: number;
  state: "playing" | "paused" | "buffering";
  user: PlexUserShape;
  player: { machineIdentifier: string; title: string };
  playQueueID: number;
  playQueueItemID: number;
}

export const OWNER: PlexUserShape = { id: "1", title: "melissar26" };
export const DEFAULT_PLAYER = { machineIdentifier: "lc67jl41c87g9tqmftb3n8le", title: "Melissas-Air-2.localdomain" };

export interface FakePlexOptions {
  /** Accept connections but never answer (HTTP or the WebSocket upgrade). */
  neverAnswer?: boolean;
}

export class FakePlex {
  readonly items = library();
  readonly sessions = new Map<string, LiveSession>();
  /** Every request (method + path), for tests that count retries. */
  readonly requests: { method: string; path: string; token: string | undefined; at: number }[] = [];
  upgrades = 0;
  #server: Server;
  #wss = new WebSocketServer({ noServer: true });
  #sockets = new Set<Socket>();
  #nextSessionKey = 1;
  #port = 0;
  #options: FakePlexOptions;
  /** Tokens the server accepts: the owner's sees everything; others may not list /status/sessions. */
  tokens = new Map<string, "owner" | "shared">([
    [OWNER_TOKEN, "owner"],
    [SHARED_TOKEN, "shared"],
  ]);

  constructor(options: FakePlexOptions = {}) {
    this.#options = options;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    this.#server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head));
  }

  static async start(options: FakePlexOptions = {}, port = 0): Promise<FakePlex> {
    const plex = new FakePlex(options);
    await plex.listen(port);
    return plex;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Notification sockets open now. */
  get clients(): number {
    return this.#wss.clients.size;
  }

  /** A client starts playing: a session appears in /status/sessions and a `playing` frame goes out. */
  play(options: PlayOptions): string {
    const sessionKey = options.sessionKey ?? String(this.#nextSessionKey++);
    const session: LiveSession = {
      sessionKey,
      ratingKey: options.ratingKey,
      viewOffset: options.viewOffset,
      state: options.state ?? "playing",
      user: options.user ?? OWNER,
      player: options.player ?? DEFAULT_PLAYER,
      playQueueID: 21_343 + Number(sessionKey),
      playQueueItemID: 411_763 + Number(sessionKey),
    };
    this.sessions.set(sessionKey, session);
    this.#notify(session, session.state);
    return sessionKey;
  }

  /** The client reports its state (a `playing` frame), the session in /status/sessions follows. */
  update(sessionKey: string, change: { viewOffset: number; state?: "playing" | "paused" | "buffering"; ratingKey?: string }): void {
    const session = this.sessions.get(sessionKey);
    if (!session) throw new Error(`no session ${sessionKey}`);
    session.viewOffset = change.viewOffset;
    if (change.state) session.state = change.state;
    if (change.ratingKey) session.ratingKey = change.ratingKey;
    this.#notify(session, session.state);
  }

  /** The client stops: the session leaves /status/sessions; `sendStopped: false` for clients that never say so. */
  stop(sessionKey: string, options: { viewOffset?: number; sendStopped?: boolean } = {}): void {
    const session = this.sessions.get(sessionKey);
    if (!session) throw new Error(`no session ${sessionKey}`);
    if (options.viewOffset !== undefined) session.viewOffset = options.viewOffset;
    this.sessions.delete(sessionKey);
    if (options.sendStopped !== false) this.#notify(session, "stopped");
  }

  /** PMS marks the item played for the owner: viewCount rises, the item is refreshed (the real activity frames). */
  markPlayed(ratingKey: string): void {
    const item = this.items.get(ratingKey);
    if (!item) throw new Error(`no item ${ratingKey}`);
    item.viewCount = (typeof item.viewCount === "number" ? item.viewCount : 0) + 1;
    const frames = readJsonFixture<Json[]>(DIR, "ws-activity-sequence.plextraktsync-events-played.json");
    for (const frame of frames) {
      const text = JSON.stringify({ NotificationContainer: frame }).split("/library/metadata/513").join(`/library/metadata/${ratingKey}`);
      this.broadcast(text);
    }
  }

  /** Sends raw text (garbage, oversized frames) to every notification socket. */
  broadcast(text: string): void {
    for (const client of this.#wss.clients) client.send(text);
  }

  /**
   * PMS restarts: every connection drops, sessions are gone, session keys start over, and the server is back after
   * `downMs`. Clients resume later (the test plays them again).
   */
  async restart(downMs = 0): Promise<void> {
    await this.#shutdown();
    this.sessions.clear();
    this.#nextSessionKey = 1;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    this.#server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head));
    this.#wss = new WebSocketServer({ noServer: true });
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.listen(this.#port);
  }

  async close(): Promise<void> {
    await this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #tokenOf(req: IncomingMessage): string | undefined {
    const header = req.headers["x-plex-token"];
    if (typeof header === "string") return header;
    return new URL(req.url ?? "/", "http://x").searchParams.get("X-Plex-Token") ?? undefined;
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.upgrades += 1;
    this.requests.push({ method: "UPGRADE", path: req.url ?? "", token: this.#tokenOf(req), at: Date.now() });
    if (this.#options.neverAnswer) return; // the socket stays open and silent
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== "/:/websockets/notifications") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (!this.tokens.has(this.#tokenOf(req) ?? "")) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.#wss.emit("connection", ws, req));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const token = this.#tokenOf(req);
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, token, at: Date.now() });
    if (this.#options.neverAnswer) return;
    const role = this.tokens.get(token ?? "");
    if (role === undefined) return send(res, 401, "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>", "text/html");
    if (url.pathname === "/") {
      return sendJson(res, xmlFixture("server-root.home-assistant-plex_server_base.xml", { name: "Fake PMS", machine_identifier: MACHINE_ID }));
    }
    if (url.pathname === "/status/sessions") {
      if (role !== "owner") return send(res, 401, "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>", "text/html");
      return sendJson(res, this.#sessionsJson());
    }
    const item = /^\/library\/metadata\/([^/]+)$/.exec(url.pathname);
    if (item?.[1]) {
      const found = this.items.get(decodeURIComponent(item[1]));
      if (!found) return send(res, 404, "", "text/html");
      return sendJson(res, { MediaContainer: { size: 1, allowSync: true, identifier: "com.plexapp.plugins.library", Metadata: [found] } });
    }
    send(res, 404, "", "text/html");
  }

  #sessionsJson(): { MediaContainer: Json } {
    if (this.sessions.size === 0) return xmlFixture("status-sessions.empty.home-assistant-empty_payload.xml");
    const shape = sessionShape();
    const episodeSession = firstItem(readJsonFixture(DIR, "status-sessions.episode.directplay.RECONSTRUCTED.json"));
    const metadata = [...this.sessions.values()].map((s) => {
      const item = this.items.get(s.ratingKey) ?? {};
      const base = s.ratingKey === RATING_KEYS.episode ? structuredClone(episodeSession) : { ...structuredClone(item), ...structuredClone(shape) };
      return {
        ...base,
        sessionKey: s.sessionKey,
        viewOffset: s.viewOffset,
        User: { ...(base.User as Json), id: s.user.id, title: s.user.title },
        Player: { ...(base.Player as Json), machineIdentifier: s.player.machineIdentifier, title: s.player.title, state: s.state, userID: Number(s.user.id) },
      };
    });
    return { MediaContainer: { size: metadata.length, Metadata: metadata } };
  }

  /** A `playing` frame, with the fields (and their order) of the real capture of Tautulli #1493. */
  #notify(s: LiveSession, state: string): void {
    const frame = {
      NotificationContainer: {
        type: "playing",
        size: 1,
        PlaySessionStateNotification: [
          {
            sessionKey: s.sessionKey,
            clientIdentifier: s.player.machineIdentifier,
            guid: "",
            ratingKey: s.ratingKey,
            url: "",
            key: `/library/metadata/${s.ratingKey}`,
            viewOffset: s.viewOffset,
            playQueueItemID: s.playQueueItemID,
            playQueueID: s.playQueueID,
            state,
          },
        ],
      },
    };
    this.broadcast(JSON.stringify(frame));
  }
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  send(res, 200, JSON.stringify(body), "application/json");
}
