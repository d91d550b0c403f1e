// A fake Kodi WebSocket server for unit tests (ws Server on 127.0.0.1 port 0), answering with payloads taken
// verbatim from the real Kodi 20 transcript (test/fixtures/kodi/). The test sets what "plays" and pushes
// notifications from the transcript; the fake records every request.
import { readFileSync } from "node:fs";
import { EventEmitter } from "node:events";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

const fixtureDir = new URL("../../fixtures/kodi/", import.meta.url);

interface TranscriptEvent {
  t: number;
  dir: "send" | "recv" | "mark";
  msg?: { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };
}
interface Transcript {
  scenarios: Record<string, { events: TranscriptEvent[] }>;
}

const transcript = JSON.parse(readFileSync(new URL("transcript.kodi20.real-headless.json", fixtureDir), "utf8")) as Transcript;

export type ScenarioName = "file-movie" | "file-episode" | "library-movie-by-id" | "library-episode-by-path" | "library-movie-to-end";

/** Verbatim pieces of one scenario of the real transcript. */
export class Scenario {
  private readonly events: TranscriptEvent[];
  constructor(readonly name: ScenarioName) {
    const s = transcript.scenarios[name];
    if (!s) throw new Error(`no scenario ${name} in the transcript`);
    this.events = s.events;
  }

  /** The nth (0-based) notification with this method, as the full JSON-RPC message. */
  notification(method: string, nth = 0): Record<string, unknown> {
    const found = this.events.filter((e) => e.dir === "recv" && e.msg?.method === method && e.msg.id === undefined)[nth];
    if (!found?.msg) throw new Error(`${this.name}: no notification ${method} #${nth}`);
    return structuredClone(found.msg);
  }

  /** The result Kodi gave to the nth request of this method. */
  result(method: string, nth = 0): unknown {
    const sends = this.events.filter((e) => e.dir === "send" && e.msg?.method === method);
    const send = sends[nth];
    if (!send?.msg) throw new Error(`${this.name}: no request ${method} #${nth}`);
    const answer = this.events.find((e) => e.dir === "recv" && e.msg?.id === send.msg!.id && e.t >= send.t);
    if (!answer?.msg) throw new Error(`${this.name}: no answer to ${method} #${nth}`);
    return structuredClone(answer.msg.result);
  }
}

export const tvShowDetailsResult = (JSON.parse(readFileSync(new URL("tvshowdetails.kodi20.real-headless.json", fixtureDir), "utf8")) as { result: unknown }).result;

export interface RecordedRequest {
  method: string;
  params: Record<string, unknown> | undefined;
  at: number;
}

export type Handler = (params: Record<string, unknown> | undefined) => unknown;

/** What "plays" on the fake: answers for the three calls the adapter makes. */
export interface FakePlayback {
  activePlayers: unknown;
  item: unknown;
  properties: unknown;
}

const IDLE: FakePlayback = {
  activePlayers: new Scenario("file-movie").result("Player.GetActivePlayers", 5), // [] after stop
  item: new Scenario("file-movie").result("Player.GetItem", 5), // the empty item after stop
  properties: new Scenario("file-movie").result("Player.GetProperties", 5), // zeros after stop
};

export class FakeKodi extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  readonly sockets = new Set<WebSocket>();
  connections = 0;
  /** When false the fake accepts sockets but never answers. */
  answering = true;
  playback: FakePlayback = IDLE;
  readonly handlers = new Map<string, Handler>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly port: number,
  ) {
    super();
    server.on("connection", (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => undefined);
      socket.on("message", (raw: Buffer) => this.onMessage(socket, raw.toString("utf8")));
      this.emit("connection", socket);
    });
    this.handlers.set("JSONRPC.Ping", () => "pong");
    this.handlers.set("Player.GetActivePlayers", () => this.playback.activePlayers);
    this.handlers.set("Player.GetItem", () => this.playback.item);
    this.handlers.set("Player.GetProperties", () => this.playback.properties);
    this.handlers.set("VideoLibrary.GetTVShowDetails", () => tvShowDetailsResult);
  }

  static start(): Promise<FakeKodi> {
    return FakeKodi.startOn(0);
  }

  /** On a given port: a Kodi that comes back where it was. */
  static async startOn(port: number): Promise<FakeKodi> {
    const server = new WebSocketServer({ host: "127.0.0.1", port });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const address = server.address();
    return new FakeKodi(server, typeof address === "object" && address ? address.port : 0);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/jsonrpc`;
  }

  setIdle(): void {
    this.playback = IDLE;
  }

  /** Requests of this method (all when omitted). */
  count(method?: string): number {
    return method ? this.requests.filter((r) => r.method === method).length : this.requests.length;
  }

  /** Resolves when the fake has received `n` requests of `method` in total. */
  waitForRequests(method: string, n = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.count(method) < n) return;
        this.off("request", check);
        resolve();
      };
      this.on("request", check);
      check();
    });
  }

  waitForConnections(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.connections < n) return;
        this.off("connection", check);
        resolve();
      };
      this.on("connection", check);
      check();
    });
  }

  /** Sends a message (object or raw text) to every connected client. */
  send(message: Record<string, unknown> | string): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    for (const s of this.sockets) s.send(text);
  }

  /** Closes client sockets the way Kodi 20 does: a close frame whose reason is not valid UTF-8. */
  dropAllLikeKodi(): void {
    for (const s of this.sockets) {
      const raw = (s as unknown as { _socket: Socket })._socket;
      raw.write(Buffer.from([0x88, 0x04, 0x03, 0xe8, 0xff, 0xfe]));
      raw.destroy();
    }
  }

  terminateAll(): void {
    for (const s of this.sockets) s.terminate();
  }

  private onMessage(socket: WebSocket, text: string): void {
    const msg = JSON.parse(text) as { id: number; method: string; params?: Record<string, unknown> };
    this.requests.push({ method: msg.method, params: msg.params, at: Date.now() });
    this.emit("request", msg);
    if (!this.answering) return;
    const handler = this.handlers.get(msg.method);
    if (!handler) {
      socket.send(JSON.stringify({ error: { code: -32601, message: "Method not found." }, id: msg.id, jsonrpc: "2.0" }));
      return;
    }
    socket.send(JSON.stringify({ id: msg.id, jsonrpc: "2.0", result: handler(msg.params) }));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP server that accepts connections and never says anything (a hung Kodi: no WebSocket handshake). */
export async function startSilentTcpServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
