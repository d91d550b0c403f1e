// One connection to a Plex Media Server's notification socket (ws(s)://SERVER:32400/:/websockets/notifications):
// opening it with the token (in the X-Plex-Token header, as Tautulli does — never in the URL, where it could end up
// in a log), a frame size cap, a ping/pong heartbeat, and why it closed. Frames go out as text; reconnecting is the
// adapter's job (socket-adapter.ts).
//
// `ws` rather than Node's global WebSocket: the global one is still experimental on Node 20, and `ws` gives
// `maxPayload` (an oversized frame closes the socket before it is buffered), the HTTP status of a refused upgrade,
// and `terminate()` for a peer that stops answering.
import WebSocket from "ws";
import { PLEX_MAX_FRAME_BYTES } from "./notifications.js";

export type PlexSocketFailure = "unauthorized" | "refused" | "handshake" | "network";

export class PlexSocketError extends Error {
  override readonly name = "PlexSocketError";
  constructor(
    readonly kind: PlexSocketFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PlexSocketTiming {
  /** The opening handshake must finish within this time. */
  connectTimeoutMs: number;
  /** A ping this often; no pong before the next one → the socket is dropped (a half-open connection). */
  heartbeatMs: number;
}

/** The notification socket's URL for a server's http(s) address. */
export function notificationUrl(serverUrl: string): string {
  const base = serverUrl.replace(/\/+$/, "").replace(/^http/i, "ws");
  return `${base}/:/websockets/notifications`;
}

/** Opens the socket; rejects with a PlexSocketError saying why it could not. */
export function openPlexSocket(serverUrl: string, token: string, timing: PlexSocketTiming, signal: AbortSignal): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(notificationUrl(serverUrl), {
      headers: { "X-Plex-Token": token, "X-Plex-Product": "trakt-scrobblerd" },
      perMessageDeflate: false,
      maxPayload: PLEX_MAX_FRAME_BYTES,
      followRedirects: false,
    });
    let failure: PlexSocketError | undefined;
    const onAbort = (): void => socket.terminate();
    signal.addEventListener("abort", onAbort, { once: true });
    // Our own timer: a peer that accepts TCP but never upgrades is cut off (ws's handshakeTimeout misses a peer that
    // sends a partial answer).
    const timer = setTimeout(() => {
      failure = new PlexSocketError("handshake", `no WebSocket handshake within ${timing.connectTimeoutMs} ms`);
      socket.terminate();
    }, timing.connectTimeoutMs);
    socket.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      failure =
        status === 401 || status === 403
          ? new PlexSocketError("unauthorized", `the server refused the token (${status})`, status)
          : new PlexSocketError("refused", `the server answered ${status} instead of opening the notification socket`, status);
      socket.terminate();
    });
    // Always listen for errors: an unhandled 'error' would crash the process.
    socket.on("error", (error: Error & { code?: string }) => {
      failure ??= new PlexSocketError("network", error.code ? `${error.code} (${error.message})` : error.message);
    });
    socket.once("open", () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(socket);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      reject(failure ?? new PlexSocketError("network", "closed before it opened"));
    });
  });
}

/**
 * Runs an open socket until it closes, handing each text frame to `onFrame`. Resolves with why it closed. A frame
 * over the size cap, a binary frame flood or a missed pong close it.
 */
export function servePlexSocket(socket: WebSocket, timing: PlexSocketTiming, onFrame: (text: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let reason: string | undefined;
    let awaitingPong = false;
    const heartbeat = setInterval(() => {
      if (awaitingPong) {
        reason = `no pong within ${timing.heartbeatMs} ms`;
        socket.terminate();
        return;
      }
      awaitingPong = true;
      socket.ping();
    }, timing.heartbeatMs);
    socket.on("pong", () => {
      awaitingPong = false;
    });
    socket.on("error", (error: Error & { code?: string }) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        reason = `the server sent a frame larger than ${PLEX_MAX_FRAME_BYTES} bytes`;
        // ws would go on reading (and discarding) the rest of the frame while it waits for a close handshake.
        socket.terminate();
        return;
      }
      reason ??= error.code ? `${error.code} (${error.message})` : error.message;
    });
    socket.on("message", (raw: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return; // PMS sends text frames only
      onFrame(Array.isArray(raw) ? Buffer.concat(raw).toString("utf8") : Buffer.from(raw as ArrayBuffer).toString("utf8"));
    });
    socket.once("close", (code: number) => {
      clearInterval(heartbeat);
      resolve(reason ?? `socket closed (${code})`);
    });
  });
}
