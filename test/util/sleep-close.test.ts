import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { sleepUnlessAborted } from "../../src/util/sleep.js";
import { closeWebSocket } from "../../src/util/ws-close.js";

describe("sleepUnlessAborted", () => {
  it("ends when the signal aborts, long before its time, and does not reject", async () => {
    const controller = new AbortController();
    const slept = sleepUnlessAborted(60_000, controller.signal).then(() => "woke");
    controller.abort();
    await expect(slept).resolves.toBe("woke");
  });

  it("returns at once for an aborted signal or no time", async () => {
    const controller = new AbortController();
    controller.abort();
    const order: string[] = [];
    const a = sleepUnlessAborted(60_000, controller.signal).then(() => order.push("aborted"));
    const b = sleepUnlessAborted(0).then(() => order.push("zero"));
    await Promise.all([a, b]);
    expect(order.sort()).toEqual(["aborted", "zero"]);
  });
});

describe("closeWebSocket", () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    for (const peer of server?.clients ?? []) peer.terminate();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("terminates a socket whose peer never answers the close handshake", async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    // The server side never completes the handshake: its socket is paused, so it reads no close frame.
    server.on("connection", (peer) => (peer as unknown as { _socket: { pause(): void } })._socket.pause());
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(client, "open");
    const closed = once(client, "close");
    closeWebSocket(client, 50);
    await closed;
    expect(client.readyState).toBe(WebSocket.CLOSED);
  });
});
