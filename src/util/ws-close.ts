// Closing a WebSocket without waiting on the peer: a polite close (1000), then `terminate()` if the peer has not
// finished the close handshake within `graceMs` (Kodi 20's close frame is malformed; a vanished server never answers).
import WebSocket from "ws";

export function closeWebSocket(socket: WebSocket, graceMs = 1_000): void {
  if (socket.readyState !== WebSocket.OPEN) {
    socket.terminate();
    return;
  }
  socket.close(1000);
  const timer = setTimeout(() => socket.terminate(), graceMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
