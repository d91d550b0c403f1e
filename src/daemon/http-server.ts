// The daemon's one HTTP server: liveness, readiness, status, metrics, and the players' webhooks (Plex).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../util/log.js";

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
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

const ENDPOINTS = ["/healthz", "/readyz", "/api/status", "/metrics", "/plex/<secret>"];

type Answer = (res: ServerResponse) => void;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

export class HttpServer {
  private server: Server | undefined;

  constructor(
    private routes: HttpRoutes,
    private readonly log: Logger,
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
    this.log.info({ host: address.address, port: address.port }, "HTTP server listening");
    return address;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Connections still busy after a moment are cut: shutdown must not wait on a slow client.
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      // A client can send a request target `new URL` cannot parse (`GET http://[ HTTP/1.1`).
      return json(res, 400, { error: "the request URL cannot be parsed" });
    }
    try {
      const webhook = this.routes.webhook?.(path);
      if (webhook) return webhook(req, res);
      const answer = this.endpoint(path);
      if (!answer) return json(res, 404, { error: `no such endpoint: ${path}`, endpoints: ENDPOINTS });
      if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "method not allowed" });
      answer(res);
    } catch (error) {
      this.log.error({ err: error, path }, "HTTP handler failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.destroy();
    }
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
