// Live updates for open pages: Server-Sent Events. While at least one page is open the dashboard listens to the
// daemon's activity stream; each report (coalesced over a short moment) sends every page the new state. With no page
// open nothing listens and no timer runs. The page itself never polls: the browser's EventSource reconnects on its
// own after a restart, and the first message on every connection is the full state.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ActivityListener } from "../core/activity.js";

interface Client {
  res: ServerResponse;
  /** The socket's buffer is full: the next state waits for 'drain' (only the newest is sent then). */
  blocked: boolean;
  stale: boolean;
}

export interface LiveOptions {
  subscribe: (listener: ActivityListener) => () => void;
  /** The state as JSON (one line). */
  render: () => string;
  /** Reports within this window become one update (default 150 ms). */
  coalesceMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 30 s; only while pages are open). */
  heartbeatMs?: number;
}

export class LiveUpdates {
  readonly #clients = new Set<Client>();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveOptions) {}

  get clients(): number {
    return this.#clients.size;
  }

  /** Answers GET /api/events: the stream stays open until the page goes away. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      // nginx and similar proxies would buffer the stream otherwise
      "x-accel-buffering": "no",
    });
    const client: Client = { res, blocked: false, stale: false };
    this.#clients.add(client);
    res.write("retry: 3000\n\n");
    this.#send(client, this.options.render());
    if (this.#clients.size === 1) this.#start();
    const gone = (): void => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#stop();
    };
    req.once("close", gone);
    res.once("close", gone);
  }

  /** Something changed: every open page gets the new state shortly. */
  changed(): void {
    if (this.#clients.size === 0 || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#broadcast();
    }, this.options.coalesceMs ?? 150);
  }

  close(): void {
    this.#stop();
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
  }

  #start(): void {
    this.#unsubscribe = this.options.subscribe(() => this.changed());
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) if (!client.blocked) client.res.write(": keep-alive\n\n");
    }, this.options.heartbeatMs ?? 30_000);
    this.#heartbeat.unref();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #broadcast(): void {
    if (this.#clients.size === 0) return;
    const state = this.options.render();
    for (const client of this.#clients) this.#send(client, state);
  }

  #send(client: Client, state: string): void {
    if (client.blocked) {
      client.stale = true;
      return;
    }
    if (client.res.write(`event: state\ndata: ${state}\n\n`)) return;
    client.blocked = true;
    client.res.once("drain", () => {
      client.blocked = false;
      if (client.stale) {
        client.stale = false;
        this.#send(client, this.options.render());
      }
    });
  }
}
