// The daemon's one HTTP server: liveness, readiness, status, metrics, the players' webhooks (Plex) and the web
// dashboard. Who may reach what is decided here, before any route runs (http-access.ts): /healthz and the webhooks
// are open; everything else passes the Host check and, when the server asks for a token, the token. The dashboard's
// code (src/dashboard/) is imported on the first request for it, so a daemon nobody looks at never loads it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../util/log.js";
import type { DashboardRequest, DashboardRoutes } from "../dashboard/host.js";
import { HttpAccess } from "./http-access.js";

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export interface HttpRoutes {
  readiness: () => Readiness;
  status: () => unknown;
  metrics: () => string;
  /** The handler of a player's webhook under `path` (Plex: /plex/<secret>), if a running adapter takes it. */
  webhook?: ((path: string) => WebhookHandler | undefined) | undefined;
  /** Loads the dashboard (once, on its first request); undefined when server.dashboard is off. */
  dashboard?: (() => Promise<DashboardRoutes>) | undefined;
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

const ENDPOINTS = ["/", "/healthz", "/readyz", "/api/status", "/metrics", "/plex/<secret>"];

type Answer = (res: ServerResponse) => void;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

/** Open to anyone (no Host check, no token): liveness, for Docker's HEALTHCHECK and load balancers. */
const OPEN_PATHS = new Set(["/healthz"]);

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  if (wantsHtml(req)) {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...extra });
    res.end(`<!doctype html><meta name="viewport" content="width=device-width"><title>trakt-scrobblerd</title><p style="font:16px system-ui;max-width:36em;margin:2em auto">${escapeHtml(message)}</p>\n`);
    return;
  }
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...extra });
  res.end(`${JSON.stringify({ error: message })}\n`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class HttpServer {
  private server: Server | undefined;
  private dashboard: Promise<DashboardRoutes> | undefined;

  constructor(
    private routes: HttpRoutes,
    private readonly log: Logger,
    /** Who may see what; by default nothing is asked (a loopback server). */
    readonly access: HttpAccess = new HttpAccess({ bind: "127.0.0.1", token: undefined, allowedHosts: [] }),
  ) {}

  setRoutes(routes: HttpRoutes): void {
    this.routes = routes;
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => this.handle(req, res));
    // Plex posts small bodies; a client that trickles headers should not hold a socket for minutes.
    server.headersTimeout = 15_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.access.setPort(address.port);
    this.log.info({ host: address.address, port: address.port }, "HTTP server listening");
    return address;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const dashboard = this.dashboard;
    if (dashboard) await dashboard.then((d) => d.close(), () => undefined);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Connections still busy after a moment are cut: shutdown must not wait on a slow client.
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      // A client can send a request target `new URL` cannot parse (`GET http://[ HTTP/1.1`).
      return json(res, 400, { error: "the request URL cannot be parsed" });
    }
    const path = url.pathname;
    try {
      const webhook = this.routes.webhook?.(path);
      if (webhook) return webhook(req, res);
      if (!OPEN_PATHS.has(path)) {
        const bearer = this.access.hasBearer(req);
        if (!bearer && !this.access.hostAllowed(req.headers.host)) {
          const name = this.access.hostName(req.headers.host);
          return refuse(req, res, 403, `This daemon does not answer to the name "${name}". If that is how you reach it, add it to server.allowedHosts (TRAKT_SCROBBLERD_ALLOWED_HOSTS), or open it by its IP address.`);
        }
        const grant = this.access.grant(req);
        const answer = this.endpoint(path);
        if (answer) {
          if (grant === undefined) {
            return refuse(req, res, 401, "this endpoint asks for the server token: send \"Authorization: Bearer <token>\" (server.token, or the one in <stateDir>/server-token)", {
              "www-authenticate": 'Bearer realm="trakt-scrobblerd"',
            });
          }
          if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "method not allowed" });
          return answer(res);
        }
        if (this.routes.dashboard) return this.toDashboard({ req, res, url, grant, access: this.access });
        return json(res, 404, { error: `no such endpoint: ${path}`, endpoints: ENDPOINTS });
      }
      const answer = this.endpoint(path);
      if (!answer) return json(res, 404, { error: `no such endpoint: ${path}`, endpoints: ENDPOINTS });
      if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "method not allowed" });
      answer(res);
    } catch (error) {
      this.failed(res, error, path);
    }
  }

  private toDashboard(request: DashboardRequest): void {
    const load = this.routes.dashboard;
    if (!load) return;
    this.dashboard ??= load().catch((error: unknown) => {
      this.dashboard = undefined;
      throw error;
    });
    this.dashboard.then(
      (dashboard) => {
        try {
          if (!dashboard.handle(request)) json(request.res, 404, { error: `no such endpoint: ${request.url.pathname}`, endpoints: ENDPOINTS });
        } catch (error) {
          this.failed(request.res, error, request.url.pathname);
        }
      },
      (error: unknown) => this.failed(request.res, error, request.url.pathname),
    );
  }

  private failed(res: ServerResponse, error: unknown, path: string): void {
    this.log.error({ err: error, path }, "HTTP handler failed");
    if (!res.headersSent) json(res, 500, { error: "internal error" });
    else res.destroy();
  }

  private endpoint(path: string): Answer | undefined {
    switch (path) {
      case "/healthz":
        return (res) => json(res, 200, { status: "alive" });
      case "/readyz":
        return (res) => {
          const readiness = this.routes.readiness();
          json(res, readiness.ready ? 200 : 503, readiness);
        };
      case "/api/status":
        return (res) => json(res, 200, this.routes.status());
      case "/metrics":
        return (res) => {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
          res.end(this.routes.metrics());
        };
      default:
        return undefined;
    }
  }
}
