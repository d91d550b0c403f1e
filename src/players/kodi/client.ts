// JSON-RPC 2.0 over Kodi's WebSocket (ws://host:9090/jsonrpc): request ids and timeouts, notifications, a
// JSONRPC.Ping heartbeat, and reconnection with backoff. Knows nothing about playback; see adapter.ts for that.
//
// `ws` rather than Node's global WebSocket: the global one is still experimental on Node 20, and `ws` gives us
// handshake timeouts and `terminate()` for a peer that stops answering.
import { connect } from "node:net";
import WebSocket from "ws";
import { backoffMs } from "../../util/backoff.js";
import { JsonTooDeepError, parseUntrustedJson } from "../../util/json.js";
import { maskUrlCredentials } from "../../util/url-credentials.js";
import type { Logger } from "../../util/log.js";
import { sleepUnlessAborted } from "../../util/sleep.js";
import { closeWebSocket } from "../../util/ws-close.js";

/**
 * Largest WebSocket message accepted from Kodi; a bigger one closes the socket (1009) before it is buffered, and the
 * client reconnects. Measured against a real Kodi 20 library (scripts/measure-kodi-answers.ts, docs/kodi.md): what
 * the daemon asks for is under 0.5 KB, the largest single item with every property Kodi knows ~6.7 KB; 4 MiB leaves
 * a margin of several hundred times. Whole-library listings with every property (~6.5 KB per item) are never asked
 * for and could not be a yardstick: 20,000 episodes make ~140 MB.
 */
export const KODI_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export class KodiRpcError extends Error {
  override readonly name = "KodiRpcError";
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`Kodi answered ${method} with error ${code}: ${message}`);
  }
}

export class KodiTimeoutError extends Error {
  override readonly name = "KodiTimeoutError";
  constructor(readonly method: string, timeoutMs: number) {
    super(`Kodi did not answer ${method} within ${timeoutMs} ms`);
  }
}

export class KodiDisconnectedError extends Error {
  override readonly name = "KodiDisconnectedError";
  constructor(readonly method: string) {
    super(`Kodi is not connected (${method} not sent or its answer lost)`);
  }
}

export interface KodiNotification {
  method: string;
  /** `params.data` as Kodi sent it (null for System.OnSleep and friends). */
  data: unknown;
  sender?: string;
}

export interface KodiClientTiming {
  /** A request without an answer within this time fails (default 5000). */
  requestTimeoutMs: number;
  /** JSONRPC.Ping sent this often while connected; an unanswered ping drops the socket (default 10000). */
  heartbeatIntervalMs: number;
  /** First reconnect delay; doubles up to `reconnectMaxMs` (defaults 1000 / 30000). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** WebSocket opening handshake limit (default 5000). */
  connectTimeoutMs: number;
}

export const defaultKodiClientTiming: KodiClientTiming = {
  requestTimeoutMs: 5_000,
  heartbeatIntervalMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  connectTimeoutMs: 5_000,
};

export interface KodiClientHandlers {
  /** The socket is open; requests can be sent. */
  onConnected?: () => void;
  /** The socket closed (Kodi quit, network, failed heartbeat). Pending requests have been rejected. */
  onDisconnected?: () => void;
  /** Kodi cannot be reached: called once per outage (when "Kodi unavailable" is logged), with why. */
  onUnavailable?: (reason: string | undefined) => void;
  onNotification?: (notification: KodiNotification) => void;
}

export type KodiConnectionState = "idle" | "connecting" | "connected" | "disconnected" | "stopped";

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The URL for logs and status: a password in it (ws://user:pass@host) is never shown. */
export function displayUrl(url: string): string {
  return maskUrlCredentials(url);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class KodiClient {
  private readonly timing: KodiClientTiming;
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private heartbeat: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private unavailableLogged = false;
  private everConnected = false;
  private connectionState: KodiConnectionState = "idle";
  private lastError: string | undefined;

  private readonly shownUrl: string;
  /** Where a TCP connection is tried before each WebSocket (undefined for a URL without a usable host and port). */
  private readonly tcp: { host: string; port: number } | undefined;

  constructor(
    readonly url: string,
    private readonly log: Logger,
    private readonly handlers: KodiClientHandlers = {},
    timing: Partial<KodiClientTiming> = {},
  ) {
    this.timing = { ...defaultKodiClientTiming, ...timing };
    this.shownUrl = displayUrl(url);
    this.tcp = tcpAddress(url);
  }

  get state(): KodiConnectionState {
    return this.connectionState;
  }

  /** Why the last connection attempt or socket failed, for status output. */
  get lastFailure(): string | undefined {
    return this.lastError;
  }

  /** Starts connecting (and reconnecting) in the background until `stop()` or the signal aborts. */
  start(signal?: AbortSignal): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    if (signal) {
      if (signal.aborted) controller.abort();
      else signal.addEventListener("abort", () => controller.abort(), { once: true });
    }
    this.loop = this.run(controller.signal).catch((error: unknown) => {
      this.log.error({ err: error }, "Kodi connection loop failed");
    });
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    this.closeSocket();
    await this.loop;
    this.loop = undefined;
    this.connectionState = "stopped";
  }

  /** Sends a request; rejects with KodiRpcError, KodiTimeoutError or KodiDisconnectedError. */
  request(method: string, params?: Record<string, unknown>, timeoutMs = this.timing.requestTimeoutMs): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new KodiDisconnectedError(method));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KodiTimeoutError(method, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      const message = JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
      socket.send(message, (error) => {
        if (!error) return;
        const entry = this.pending.get(id);
        if (!entry) return;
        clearTimeout(entry.timer);
        this.pending.delete(id);
        entry.reject(new KodiDisconnectedError(method));
      });
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      let connected = false;
      try {
        this.connectionState = "connecting";
        await this.reachable(signal);
        const socket = await this.open(signal);
        connected = true;
        attempt = 0;
        await this.serve(socket, signal);
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
      }
      if (signal.aborted) break;
      this.connectionState = "disconnected";
      if (!this.unavailableLogged) {
        this.unavailableLogged = true;
        this.log.warn({ url: this.shownUrl, reason: this.lastError }, connected ? "Kodi unavailable (connection lost); reconnecting quietly" : "Kodi unavailable; retrying quietly");
        this.safely("onUnavailable", () => this.handlers.onUnavailable?.(this.lastError));
      } else {
        this.log.debug({ url: this.shownUrl, reason: this.lastError, attempt }, "Kodi still unavailable");
      }
      // Exponential backoff with some jitter (a hand-written loop: this is a lifelong reconnect, not one retried call).
      // Once at the cap, Kodi is tried every 24–30 s (reconnectMaxMs 30 s): the pick-up delay users expect.
      const wait = backoffMs(attempt, { initialMs: this.timing.reconnectMinMs, maxMs: this.timing.reconnectMaxMs, jitter: 0.2 });
      attempt = Math.min(attempt + 1, 30);
      await sleepUnlessAborted(wait, signal);
    }
    this.connectionState = "stopped";
  }

  /**
   * Resolves once something accepts a TCP connection where Kodi should listen (then closes it). While Kodi is not
   * running — for hours, on most machines — each try costs one refused connect instead of a WebSocket with its HTTP
   * upgrade request, key and parser: about 0.8 ms of CPU instead of 2.5–6 ms (`npm run bench -- idle`).
   */
  private reachable(signal: AbortSignal): Promise<void> {
    const tcp = this.tcp;
    if (!tcp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = connect(tcp);
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => settle(new Error("stopped"));
      const timer = setTimeout(() => settle(new Error(`no TCP connection within ${this.timing.connectTimeoutMs} ms`)), this.timing.connectTimeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => settle());
      socket.once("error", (error) => settle(error));
      socket.once("close", () => settle(new Error("connection closed")));
    });
  }

  private open(signal: AbortSignal): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { perMessageDeflate: false, maxPayload: KODI_MAX_MESSAGE_BYTES });
      this.socket = socket;
      const onAbort = (): void => socket.terminate();
      signal.addEventListener("abort", onAbort, { once: true });
      // Our own timer rather than ws's handshakeTimeout: a peer that accepts TCP but never upgrades is cut off.
      const handshake = setTimeout(() => {
        this.lastError = `no WebSocket handshake within ${this.timing.connectTimeoutMs} ms`;
        socket.terminate();
      }, this.timing.connectTimeoutMs);
      // Always listen for errors: Kodi 20 answers our close with a malformed close frame (WS_ERR_INVALID_UTF8),
      // and an unhandled 'error' would crash the process.
      socket.on("error", (error: Error & { code?: string }) => {
        if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
          this.lastError = `Kodi sent a message larger than ${KODI_MAX_MESSAGE_BYTES / 1024 / 1024} MiB`;
          this.log.warn({ url: this.shownUrl }, `${this.lastError}; dropped it with the connection`);
          // ws would go on reading (and discarding) the rest of the frame while it waits for a close handshake that
          // Kodi never completes properly; cut the socket now.
          socket.terminate();
          return;
        }
        this.lastError = error.message;
        this.log.debug({ err: error, errorCode: error.code }, "Kodi socket error");
      });
      socket.once("open", () => {
        clearTimeout(handshake);
        signal.removeEventListener("abort", onAbort);
        resolve(socket);
      });
      socket.once("close", () => {
        clearTimeout(handshake);
        signal.removeEventListener("abort", onAbort);
        reject(new Error(this.lastError ?? "closed before open"));
      });
    });
  }

  /** Runs one open socket until it closes. */
  private serve(socket: WebSocket, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      this.connectionState = "connected";
      this.lastError = undefined;
      if (this.unavailableLogged) this.log.info({ url: this.shownUrl }, "Kodi is back");
      else if (!this.everConnected) this.log.info({ url: this.shownUrl }, "connected to Kodi");
      this.unavailableLogged = false;
      this.everConnected = true;

      socket.on("message", (raw: WebSocket.RawData, isBinary: boolean) => this.onMessage(raw, isBinary));
      socket.once("close", (code: number) => {
        this.stopHeartbeat();
        if (this.socket === socket) this.socket = undefined;
        for (const [id, entry] of this.pending) {
          clearTimeout(entry.timer);
          entry.reject(new KodiDisconnectedError(entry.method));
          this.pending.delete(id);
        }
        this.lastError ??= `socket closed (${code})`;
        if (!signal.aborted) this.safely("onDisconnected", () => this.handlers.onDisconnected?.());
        resolve();
      });
      this.startHeartbeat(socket);
      this.safely("onConnected", () => this.handlers.onConnected?.());
    });
  }

  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      if (this.pingInFlight) return;
      this.pingInFlight = true;
      this.request("JSONRPC.Ping")
        .catch((error: unknown) => {
          if (error instanceof KodiTimeoutError) {
            this.lastError = "heartbeat: Kodi stopped answering";
            this.log.debug({ url: this.shownUrl }, "Kodi did not answer the heartbeat; dropping the socket");
            socket.terminate();
          }
        })
        .finally(() => {
          this.pingInFlight = false;
        });
    }, this.timing.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.pingInFlight = false;
  }

  private closeSocket(): void {
    const socket = this.socket;
    if (!socket) return;
    // Kodi's close handshake is malformed; do not wait long for it.
    closeWebSocket(socket, 500);
  }

  private onMessage(raw: WebSocket.RawData, isBinary: boolean): void {
    const text = Array.isArray(raw) ? Buffer.concat(raw).toString("utf8") : Buffer.from(raw as ArrayBuffer).toString("utf8");
    let message: unknown;
    try {
      message = parseUntrustedJson(text);
    } catch (error) {
      if (error instanceof JsonTooDeepError) {
        this.log.warn({ url: this.shownUrl, bytes: text.length }, `Kodi sent a message nested deeper than ${error.limit} levels; ignored`);
        return;
      }
      this.log.warn({ url: this.shownUrl, binary: isBinary, text: text.slice(0, 200) }, "Kodi sent a message that is not JSON; ignored");
      return;
    }
    if (!isRecord(message)) {
      this.log.warn({ url: this.shownUrl, text: text.slice(0, 200) }, "Kodi sent a JSON value that is not an object; ignored");
      return;
    }
    const id = message.id;
    if (typeof id === "number" || typeof id === "string") {
      const entry = this.pending.get(Number(id));
      if (!entry) {
        this.log.debug({ id }, "answer to an unknown or timed-out request; ignored");
        return;
      }
      this.pending.delete(Number(id));
      clearTimeout(entry.timer);
      if (isRecord(message.error)) {
        const code = typeof message.error.code === "number" ? message.error.code : 0;
        const msg = typeof message.error.message === "string" ? message.error.message : "unknown error";
        entry.reject(new KodiRpcError(entry.method, code, msg, message.error.data));
      } else if ("result" in message) {
        entry.resolve(message.result);
      } else {
        entry.reject(new KodiRpcError(entry.method, 0, "answer has neither result nor error"));
      }
      return;
    }
    if (typeof message.method === "string") {
      const params = isRecord(message.params) ? message.params : {};
      const notification: KodiNotification = { method: message.method, data: params.data ?? null };
      if (typeof params.sender === "string") notification.sender = params.sender;
      this.safely("onNotification", () => this.handlers.onNotification?.(notification));
      return;
    }
    if ("error" in message) {
      this.log.warn({ url: this.shownUrl, error: message.error }, "Kodi reported an error for a message it could not read");
      return;
    }
    this.log.warn({ url: this.shownUrl, text: text.slice(0, 200) }, "Kodi sent a message that is neither an answer nor a notification; ignored");
  }

  /** A handler that throws must not break the socket. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error({ err: error, handler: what }, "Kodi client handler failed");
    }
  }
}

/** The TCP host and port of a ws:// or wss:// URL (default ports 80 and 443). */
function tcpAddress(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === "wss:" ? 443 : 80;
    // An IPv6 literal comes bracketed ("[::1]"); net.connect wants it bare.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    return host && Number.isInteger(port) ? { host, port } : undefined;
  } catch {
    return undefined;
  }
}
