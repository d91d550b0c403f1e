// plex.tv's PIN endpoints on 127.0.0.1, answering with the captured shapes of
// test/fixtures/media-servers/plex-notifications/plextv-api-v2-pins* (spec examples and one RECONSTRUCTED answer):
//   POST /api/v2/pins        → 201, the PIN (code "7RQZ", authToken null) for the caller's X-Plex-Client-Identifier
//   GET  /api/v2/pins/{id}   → the PIN; once the test "enters the code" (approve()), with its authToken
//                              unknown or expired → 404 {"errors":[{"code":1020,"message":"Code not found or expired"}]}
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readJsonFixture } from "./fixtures.js";

const DIR = "media-servers/plex-notifications";

interface PinState {
  id: number;
  clientIdentifier: string;
  approved: boolean;
  expired: boolean;
}

export class FakePlexTv {
  readonly requests: { method: string; path: string; product: string | undefined; clientIdentifier: string | undefined }[] = [];
  readonly pins = new Map<number, PinState>();
  /** The token plex.tv hands over (the RECONSTRUCTED authorized fixture's). */
  readonly authToken = readJsonFixture<{ authToken: string }>(DIR, "plextv-api-v2-pins-id.GET.authorized.RECONSTRUCTED.json").authToken;
  /** Approve a PIN after this many polls (the user typing the code). */
  approveAfterPolls = 1;
  #server: Server;
  #nextId = readJsonFixture<{ id: number }>(DIR, "plextv-api-v2-pins.response.from-openapi-x-example.json").id;

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(): Promise<FakePlexTv> {
    const fake = new FakePlexTv();
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  expireAll(): void {
    for (const pin of this.pins.values()) pin.expired = true;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const clientIdentifier = header(req, "x-plex-client-identifier");
    this.requests.push({ method: req.method ?? "", path: url.pathname, product: header(req, "x-plex-product"), clientIdentifier });
    req.resume();
    if (req.method === "POST" && url.pathname === "/api/v2/pins") {
      if (!clientIdentifier) return json(res, 400, { errors: [{ code: 1000, message: "X-Plex-Client-Identifier is missing" }] });
      const pin: PinState = { id: this.#nextId++, clientIdentifier, approved: false, expired: false };
      this.pins.set(pin.id, pin);
      return json(res, 201, this.#body(pin));
    }
    const poll = /^\/api\/v2\/pins\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && poll?.[1]) {
      const pin = this.pins.get(Number(poll[1]));
      if (!pin || pin.expired || pin.clientIdentifier !== clientIdentifier) return json(res, 404, readJsonFixture(DIR, "plextv-api-v2-pins-id.404-expired.from-openapi-example.json"));
      const polls = this.requests.filter((r) => r.path === url.pathname).length;
      if (polls > this.approveAfterPolls) pin.approved = true;
      return json(res, 200, this.#body(pin));
    }
    json(res, 404, { errors: [{ code: 1001, message: "not found" }] });
  }

  #body(pin: PinState): Record<string, unknown> {
    const base = readJsonFixture<Record<string, unknown>>(DIR, pin.approved ? "plextv-api-v2-pins-id.GET.authorized.RECONSTRUCTED.json" : "plextv-api-v2-pins.response.from-openapi-x-example.json");
    return { ...base, id: pin.id, clientIdentifier: pin.clientIdentifier };
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}
