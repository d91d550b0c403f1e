// One connection to a Jellyfin/Emby sessions feed: open the WebSocket with the dialect's URL and auth, subscribe
// with SessionsStart "0,1500", keep the connection alive, and hand on each Sessions message. Knows nothing about
// playback; reconnecting is the adapter's job.
//
// Keep-alive: the server sends ForceKeepAlive (Data: its timeout in seconds, 60) right after the connect and drops a
// client that stays quiet that long, so KeepAlive goes out at half that period (as jellyfin-web does); the server
// answers each one. A server that then says nothing for two periods is gone (half-open TCP, a frozen server) and
// the connection is cut.
//
// `ws` rather than Node's global WebSocket: the global one is still experimental on Node 20, and `ws` gives us a
// message size cap (maxPayload: checked from the frame header, before anything is buffered), custom headers on the
// upgrade, and `terminate()` for a peer that stops answering.
import WebSocket from "ws";
import type { Logger } from "../../util/log.js";
import { MediaServerError } from "./client.js";
import { parseSocketMessage } from "./messages.js";
import { closeWebSocket } from "../../util/ws-close.js";

/** What the subscription asks for: no initial delay, at most one message per 1.5 s (Data must be a string). */
export const SESSIONS_START = JSON.stringify({ MessageType: "SessionsStart", Data: "0,1500" });
export const KEEP_ALIVE = JSON.stringify({ MessageType: "KeepAlive" });
/** Until the server says otherwise (ForceKeepAlive 60 → every 30 s). */
export const DEFAULT_KEEP_ALIVE_MS = 30_000;

export interface SessionsSocketOptions {
  /** The full WebSocket URL; Emby's carries the token, so it is never logged. */
  url: URL;
  headers: Record<string, string>;
  product: string;
  maxMessageBytes: number;
  handshakeTimeoutMs: number;
  keepAliveMs?: number;
  log: Logger;
  now: () => number;
  /** The Data of a Sessions message (a full picture of the sessions) and when it arrived. */
  onSessions: (data: unknown, receivedAt: number) => void;
}

export interface SocketEnd {
  reason: string;
  error?: MediaServerError;
}

export class SessionsSocket {
  readonly ended: Promise<SocketEnd>;
  #resolveEnded!: (end: SocketEnd) => void;
  #socket: WebSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #keepAliveMs: number;
  #lastReceivedAt = 0;
  #garbage = 0;
  #endReason: SocketEnd | undefined;

  constructor(private readonly options: SessionsSocketOptions) {
    this.#keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  /** Opens the socket and subscribes; rejects with a MediaServerError (auth, http, timeout, network). */
  open(signal: AbortSignal): Promise<void> {
    const { product, log } = this.options;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.options.url, {
        headers: this.options.headers,
        perMessageDeflate: false,
        maxPayload: this.options.maxMessageBytes,
        followRedirects: false,
      });
      this.#socket = socket;
      let opened = false;
      const fail = (error: MediaServerError): void => {
        this.#endReason ??= { reason: error.message, error };
        socket.terminate();
      };
      const onAbort = (): void => fail(new MediaServerError("network", "stopped"));
      signal.addEventListener("abort", onAbort, { once: true });
      const handshake = setTimeout(
        () => fail(new MediaServerError("timeout", `${product} did not open its WebSocket within ${this.options.handshakeTimeoutMs} ms`)),
        this.options.handshakeTimeoutMs,
      );
      socket.on("unexpected-response", (_request, response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        const refused = status === 401 || status === 403;
        fail(new MediaServerError(refused ? "auth" : "http", `${product} ${refused ? "refused the token" : "did not accept the WebSocket"} (HTTP ${status} on the upgrade)`, { status }));
      });
      // Always listen for errors: an unhandled 'error' would take the process down.
      socket.on("error", (error: Error & { code?: string }) => {
        if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
          log.warn(`${product} sent a WebSocket message larger than ${this.options.maxMessageBytes} bytes (${this.#sectionHint()}); dropped it with the connection`);
          return fail(new MediaServerError("too-large", `${product} sent a message larger than ${this.options.maxMessageBytes} bytes`));
        }
        this.#endReason ??= { reason: error.message, error: new MediaServerError("network", `${product} WebSocket: ${error.message}`, { cause: error }) };
        log.debug({ err: error, errorCode: error.code }, `${product} socket error`);
      });
      socket.once("open", () => {
        opened = true;
        clearTimeout(handshake);
        this.#lastReceivedAt = this.options.now();
        socket.send(SESSIONS_START);
        this.#startKeepAlive();
        resolve();
      });
      socket.on("message", (raw: WebSocket.RawData, isBinary: boolean) => this.#onMessage(raw, isBinary));
      socket.once("close", (code: number) => {
        clearTimeout(handshake);
        signal.removeEventListener("abort", onAbort);
        this.#stopKeepAlive();
        const end = this.#endReason ?? { reason: `closed by ${product} (${code})` };
        if (!opened) reject(end.error ?? new MediaServerError("network", end.reason));
        this.#resolveEnded(end);
      });
    });
  }

  close(): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#endReason ??= { reason: "closed" };
    closeWebSocket(socket);
  }

  #sectionHint(): string {
    return `raise ${this.options.product.toLowerCase()}.maxMessageBytes if that was a real message`;
  }

  #onMessage(raw: WebSocket.RawData, isBinary: boolean): void {
    const receivedAt = this.options.now();
    this.#lastReceivedAt = receivedAt;
    const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : Array.isArray(raw) ? Buffer.concat(raw).toString("utf8") : Buffer.from(raw).toString("utf8");
    const message = parseSocketMessage(text);
    if (!message.ok) {
      this.#garbage += 1;
      const fields = { binary: isBinary, bytes: text.length, reason: message.reason, count: this.#garbage };
      // Said once per connection; the rest only at debug level (a broken proxy can send many).
      if (this.#garbage === 1) this.options.log.warn(fields, `${this.options.product} sent a WebSocket message that is not one of its messages; ignored`);
      else this.options.log.debug(fields, `${this.options.product} sent another unreadable message`);
      return;
    }
    switch (message.type) {
      case "Sessions":
        this.options.onSessions(message.data, receivedAt);
        return;
      case "ForceKeepAlive": {
        const seconds = typeof message.data === "number" && Number.isFinite(message.data) ? message.data : 60;
        this.#keepAliveMs = Math.min(Math.max(seconds * 500, 5_000), 5 * 60_000);
        this.#send(KEEP_ALIVE);
        this.#startKeepAlive();
        return;
      }
      default:
        // KeepAlive answers, UserDataChanged, RefreshProgress, …: only their arrival counts.
        return;
    }
  }

  #send(text: string): void {
    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(text);
  }

  #startKeepAlive(): void {
    this.#stopKeepAlive();
    this.#timer = setInterval(() => {
      const silentFor = this.options.now() - this.#lastReceivedAt;
      if (silentFor > 2 * this.#keepAliveMs + 5_000) {
        this.options.log.debug({ silentMs: silentFor }, `${this.options.product} stopped answering keep-alives; dropping the socket`);
        this.#endReason ??= { reason: `no answer from ${this.options.product} for ${Math.round(silentFor / 1000)} s`, error: new MediaServerError("timeout", `no answer from ${this.options.product} for ${Math.round(silentFor / 1000)} s`) };
        this.#socket?.terminate();
        return;
      }
      this.#send(KEEP_ALIVE);
    }, this.#keepAliveMs);
    this.#timer.unref();
  }

  #stopKeepAlive(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
