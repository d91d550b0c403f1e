// The emulator's HTTP layer: header checks, routing, fault injection, the per-user write limit and the request log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { cloudflarePage, FaultQueue, type Fault } from "./faults.js";
import type { EmulatorState, Reply } from "./state.js";

/** One finished request (answered or dropped), in completion order. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is masked as "Bearer ***". */
  headers: Record<string, string>;
  /** Parsed JSON body (or the raw text when it is not JSON; undefined when empty). */
  body: unknown;
  /** Status sent; 0 when the connection was dropped by a fault. */
  status: number;
  /** The user the bearer token belongs to, when it was valid. */
  user: string | undefined;
  /** Emulator clock (ms) when the request arrived. */
  at: number;
  /** The fault applied to it, if any. */
  fault: Fault["type"] | undefined;
}

export interface ServerOptions {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  writeLimitMs: number;
}

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
  record: RecordedRequest;
}

const OAUTH_PATHS = new Set(["/oauth/device/code", "/oauth/device/token", "/oauth/token", "/oauth/revoke"]);

export class EmulatorServer {
  readonly faults = new FaultQueue();
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #listeners = new Set<(r: RecordedRequest) => void>();
  readonly #arrivalListeners = new Set<(r: RecordedRequest) => void>();
  readonly #lastWrite = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #port = 0;
  #listening = false;

  constructor(
    readonly state: EmulatorState,
    readonly options: ServerOptions,
  ) {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "emulator_bug", error_description: error instanceof Error ? error.message : String(error) }));
        }
      });
    });
    this.#server.on("connection", (socket) => {
      // A connection that slipped in while stopping is cut like the others.
      if (!this.#listening) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listening;
  }

  async listen(port = this.options.port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once("error", onError);
      this.#server.listen(port, this.options.host, () => {
        this.#server.off("error", onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#listening = true;
  }

  /** Stops listening and cuts every open connection. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await closed;
  }

  /** Called for every finished request (answered or dropped). */
  onRequest(listener: (r: RecordedRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called when a request has arrived (body read), before any fault or answer; `status` is still 0. */
  onArrival(listener: (r: RecordedRequest) => void): () => void {
    this.#arrivalListeners.add(listener);
    return () => this.#arrivalListeners.delete(listener);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = (req.method ?? "GET").toUpperCase();
    const text = await readBody(req);
    let body: unknown;
    let bodyInvalid = false;
    if (text !== "") {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
        bodyInvalid = true;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    if (headers.authorization !== undefined) headers.authorization = headers.authorization.replace(/^(Bearer\s+).+$/i, "$1***");
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      status: 0,
      user: undefined,
      at: this.state.now(),
      fault: undefined,
    };
    if (!this.#listening) {
      req.socket.destroy();
      return;
    }
    for (const l of [...this.#arrivalListeners]) l(record);

    const fault = this.faults.take(method, url.pathname);
    if (fault) {
      record.fault = fault.type;
      switch (fault.type) {
        case "drop":
          this.#notify(record);
          req.socket.destroy();
          return;
        case "latency":
          if (!this.#listening) return;
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              this.#timers.delete(t);
              resolve();
            }, fault.ms);
            this.#timers.add(t);
          });
          if (res.destroyed || !this.#listening) return;
          break;
        case "status":
          this.#send(res, record, { status: fault.status, body: fault.body, headers: fault.headers ?? {} });
          return;
        case "rate_limit": {
          const h: Record<string, string> = {};
          if (fault.retryAfterSec !== null) {
            h["retry-after"] = String(fault.retryAfterSec ?? 1);
            h["x-ratelimit"] = JSON.stringify({ name: "AUTHED_API_POST_LIMIT", period: 1, limit: 1, remaining: 0, until: new Date(this.state.now() + 1000).toISOString() });
          }
          this.#send(res, record, { status: 429, body: { error: "rate_limit_exceeded" }, headers: h });
          return;
        }
        case "app_deleted":
          this.#send(res, record, this.#unknownClient(url.pathname));
          return;
        case "vip_required":
          this.#send(res, record, { status: 426, headers: { "x-upgrade-url": "https://trakt.tv/vip", "x-vip-user": "false" } });
          return;
        case "empty":
          this.#send(res, record, {
            status: 200,
            body: [],
            headers: { "x-pagination-page": "1", "x-pagination-limit": "10", "x-pagination-page-count": "0", "x-pagination-item-count": "0" },
          });
          return;
        case "cloudflare": {
          const status = fault.status ?? 520;
          this.#send(res, record, { status, body: cloudflarePage(status), headers: { "content-type": "text/html; charset=UTF-8", server: "cloudflare", "cf-ray": "8d2f1e3c4b5a6978-AMS" } });
          return;
        }
        default:
          break;
      }
    }

    const ctx: Ctx = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body, record };
    const reply = bodyInvalid ? { status: 400, body: { error: "bad_request", error_description: "the body is not valid JSON" } } : this.#route(ctx);
    this.#send(res, record, reply);
  }

  #send(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
    record.status = reply.status;
    const headers: Record<string, string> = { ...reply.headers };
    let payload = "";
    if (reply.body !== undefined && reply.status !== 204) {
      if (typeof reply.body === "string") {
        payload = reply.body;
        headers["content-type"] ??= "text/plain; charset=utf-8";
      } else {
        payload = JSON.stringify(reply.body);
        headers["content-type"] ??= "application/json; charset=utf-8";
      }
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
    this.#notify(record);
  }

  /** Logs a finished request (answered or dropped) and tells the waiters. */
  #notify(record: RecordedRequest): void {
    this.requests.push(record);
    for (const l of [...this.#listeners]) l(record);
  }

  #route(ctx: Ctx): Reply {
    const { method, path } = ctx;
    const apiKey = ctx.headers["trakt-api-key"];
    const isOauth = OAUTH_PATHS.has(path);

    // Header checks, as Trakt documents them.
    if (!isOauth && apiKey !== this.options.clientId) return this.#unknownClient(path);
    if (!isOauth && ctx.headers["trakt-api-version"] !== "2") {
      return { status: 412, body: { error: "precondition_failed", error_description: "send the trakt-api-version: 2 header" } };
    }
    if ((method === "POST" || method === "PUT") && ctx.body !== undefined && !/^application\/json\b/i.test(ctx.headers["content-type"] ?? "")) {
      return { status: 412, body: { error: "precondition_failed", error_description: "use Content-Type: application/json" } };
    }

    if (isOauth) return method === "POST" ? this.#oauth(ctx) : { status: 405 };

    // Search: OAuth optional.
    let m = /^\/search\/(trakt|imdb|tmdb|tvdb)\/([^/]+)$/.exec(path);
    if (m) {
      if (method !== "GET") return { status: 405 };
      const types = (ctx.query.get("type") ?? "movie,show,episode").split(",");
      return this.#paginate(ctx, this.state.searchById(m[1]!, decodeURIComponent(m[2]!), types));
    }
    m = /^\/search\/([a-z,]+)$/.exec(path);
    if (m) {
      if (method !== "GET") return { status: 405 };
      const query = ctx.query.get("query");
      if (query === null || query.trim() === "") return { status: 400, body: { error: "bad_request", error_description: "query is required" } };
      const years = parseYears(ctx.query.get("years"));
      const fields = ctx.query.get("fields")?.split(",");
      return this.#paginate(ctx, this.state.searchText(query, m[1]!.split(","), years, fields));
    }

    // Shows: OAuth optional.
    m = /^\/shows\/([^/]+)\/seasons$/.exec(path);
    if (m) {
      if (method !== "GET") return { status: 405 };
      const seasons = this.state.showSeasons(decodeURIComponent(m[1]!), (ctx.query.get("extended") ?? "").split(","));
      return seasons ? { status: 200, body: seasons } : { status: 404, body: { error: "not_found" } };
    }

    // Everything else needs a user.
    const route = this.#matchAccountRoute(method, path);
    if (route === undefined) return { status: 404, body: { error: "not_found", error_description: `no such method: ${method} ${path}` } };
    if (route === "method") return { status: 405 };

    const auth = ctx.headers.authorization;
    const bearer = typeof auth === "string" ? /^Bearer\s+(.+)$/i.exec(auth)?.[1] : undefined;
    if (!bearer) return { status: 401, body: { error: "invalid_token", error_description: "OAuth must be provided" } };
    const who = this.state.authenticate(bearer);
    if ("error" in who) return { status: 401, body: { error: "invalid_token", error_description: who.error } };
    const username = who.username;
    ctx.record.user = username;

    if (method !== "GET" && this.options.writeLimitMs > 0) {
      const now = this.state.now();
      const last = this.#lastWrite.get(username);
      if (last !== undefined && now - last < this.options.writeLimitMs) {
        const waitMs = this.options.writeLimitMs - (now - last);
        const until = new Date(last + this.options.writeLimitMs).toISOString();
        return {
          status: 429,
          body: { error: "rate_limit_exceeded" },
          headers: {
            "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))),
            "x-ratelimit": JSON.stringify({ name: "AUTHED_API_POST_LIMIT", period: this.options.writeLimitMs / 1000, limit: 1, remaining: 0, until }),
          },
        };
      }
      this.#lastWrite.set(username, now);
    }
    return route(ctx, username);
  }

  #matchAccountRoute(method: string, path: string): ((ctx: Ctx, user: string) => Reply) | "method" | undefined {
    const body = (ctx: Ctx): Record<string, unknown> =>
      ctx.body !== null && typeof ctx.body === "object" && !Array.isArray(ctx.body) ? (ctx.body as Record<string, unknown>) : {};
    const want = (m: string, handler: (ctx: Ctx, user: string) => Reply): ((ctx: Ctx, user: string) => Reply) | "method" =>
      method === m ? handler : "method";

    let m = /^\/scrobble\/(start|pause|stop)$/.exec(path);
    if (m) {
      const action = m[1]!;
      return want("POST", (ctx, user) => this.state.scrobble(user, action, body(ctx)));
    }
    if (path === "/checkin") {
      if (method === "POST") return (ctx, user) => this.state.checkin(user, body(ctx));
      if (method === "DELETE") return (_ctx, user) => this.state.deleteCheckin(user);
      return "method";
    }
    if (path === "/sync/history") {
      if (method === "POST") return (ctx, user) => this.state.addHistory(user, body(ctx));
      if (method === "GET") return (ctx, user) => this.#history(ctx, user, undefined, undefined);
      return "method";
    }
    if (path === "/sync/history/remove") return want("POST", (ctx, user) => this.state.removeHistory(user, body(ctx)));
    m = /^\/sync\/history\/([a-z]+)(?:\/(\d+))?$/.exec(path);
    if (m) {
      const type = m[1]!;
      const id = m[2] === undefined ? undefined : Number(m[2]);
      return want("GET", (ctx, user) => this.#history(ctx, user, type, id));
    }
    m = /^\/sync\/playback(?:\/(movies|episodes))?$/.exec(path);
    if (m) {
      const type = m[1] as "movies" | "episodes" | undefined;
      return want("GET", (ctx, user) => {
        const items = this.state.listPlayback(user, type);
        // "Pagination optional": everything unless a page or limit is asked for.
        return ctx.query.has("page") || ctx.query.has("limit") ? this.#paginate(ctx, items) : { status: 200, body: items };
      });
    }
    m = /^\/sync\/playback\/(\d+)$/.exec(path);
    if (m) {
      const id = Number(m[1]);
      return want("DELETE", (_ctx, user) => this.state.removePlayback(user, id));
    }
    if (path === "/sync/last_activities") return want("GET", (_ctx, user) => ({ status: 200, body: this.state.lastActivities(user) }));
    if (path === "/users/settings") return want("GET", (_ctx, user) => ({ status: 200, body: this.state.settings(user) }));
    return undefined;
  }

  #history(ctx: Ctx, user: string, type: string | undefined, id: number | undefined): Reply {
    const startAt = parseTime(ctx.query.get("start_at"));
    const endAt = parseTime(ctx.query.get("end_at"));
    if (startAt === null || endAt === null) return { status: 400, body: { error: "bad_request", error_description: "start_at/end_at must be ISO 8601 times" } };
    const filter: { type?: string; id?: number; startAt?: number; endAt?: number } = {};
    if (type !== undefined) filter.type = type;
    if (id !== undefined) filter.id = id;
    if (startAt !== undefined) filter.startAt = startAt;
    if (endAt !== undefined) filter.endAt = endAt;
    const entries = this.state.listHistory(user, filter);
    if (entries === undefined) return { status: 404, body: { error: "not_found", error_description: `unknown history type ${type ?? ""}` } };
    return this.#paginate(ctx, entries);
  }

  #paginate(ctx: Ctx, items: unknown[]): Reply {
    const page = Math.max(1, Number.parseInt(ctx.query.get("page") ?? "1", 10) || 1);
    const limit = Math.max(1, Number.parseInt(ctx.query.get("limit") ?? "10", 10) || 10);
    const pageCount = Math.max(1, Math.ceil(items.length / limit));
    return {
      status: 200,
      body: items.slice((page - 1) * limit, page * limit),
      headers: {
        "x-pagination-page": String(page),
        "x-pagination-limit": String(limit),
        "x-pagination-page-count": String(pageCount),
        "x-pagination-item-count": String(items.length),
      },
    };
  }

  /** What a client id Trakt does not know (never created, or deleted) gets. */
  #unknownClient(path: string): Reply {
    if (OAUTH_PATHS.has(path)) return { status: 403, body: { error: "invalid_client", error_description: "unknown client_id" } };
    return { status: 403, body: { error: "forbidden", error_description: "invalid or missing trakt-api-key (client id)" } };
  }

  #oauth(ctx: Ctx): Reply {
    const b = ctx.body !== null && typeof ctx.body === "object" ? (ctx.body as Record<string, unknown>) : {};
    if (b.client_id !== this.options.clientId) return this.#unknownClient(ctx.path);
    const secretOk = b.client_secret === this.options.clientSecret;
    switch (ctx.path) {
      case "/oauth/device/code":
        return this.state.createDeviceCode();
      case "/oauth/device/token":
        if (!secretOk) return { status: 401, body: { error: "invalid_client", error_description: "client authentication failed" } };
        if (typeof b.code !== "string") return { status: 400, body: { error: "invalid_request", error_description: "code is required" } };
        return this.state.pollDevice(b.code);
      case "/oauth/token":
        if (!secretOk) return { status: 401, body: { error: "invalid_client", error_description: "client authentication failed" } };
        if (b.grant_type !== "refresh_token") return { status: 400, body: { error: "unsupported_grant_type", error_description: "the emulator supports grant_type refresh_token" } };
        if (typeof b.refresh_token !== "string") return { status: 400, body: { error: "invalid_request", error_description: "refresh_token is required" } };
        return this.state.refresh(b.refresh_token);
      case "/oauth/revoke":
        if (!secretOk) return { status: 401, body: { error: "invalid_client", error_description: "client authentication failed" } };
        if (typeof b.token === "string") this.state.revoke(b.token);
        return { status: 200, body: {} };
      default:
        return { status: 404 };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** undefined when absent, null when present but invalid. */
function parseTime(value: string | null): number | undefined | null {
  if (value === null || value === "") return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

function parseYears(value: string | null): { from: number; to: number } | undefined {
  if (value === null || value === "") return undefined;
  const m = /^(\d{4})(?:-(\d{4}))?$/.exec(value.trim());
  if (!m) return undefined;
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]) };
}
