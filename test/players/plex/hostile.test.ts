// The Plex endpoint against hostile requests, through the daemon's real HTTP server: a bad URL is a 400 before
// authentication (never a 500 or a crash), a refused request closes the connection and is not read to its end.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpServer } from "../../../src/daemon/http-server.js";
import { createPlexWebhookHandler } from "../../../src/players/plex/webhook.js";
import { captureLog } from "../kodi/support.js";
import { fixture, multipart, SECRET } from "./support.js";

let server: HttpServer | undefined;
let accepted = 0;
afterEach(async () => {
  await server?.close();
  server = undefined;
  accepted = 0;
});

async function start(): Promise<{ port: number; log: ReturnType<typeof captureLog> }> {
  const log = captureLog("debug");
  const handler = createPlexWebhookHandler({ secret: SECRET, maxBodyBytes: 2 * 1024 * 1024, allowFrom: [], onPayload: () => (accepted++, "used") });
  server = new HttpServer(
    {
      readiness: () => ({ ready: true, reasons: [] }),
      status: () => ({}),
      metrics: () => "",
      webhook: (path) => (path === "/plex" || path.startsWith("/plex/") ? handler : undefined),
    },
    log.logger,
  );
  const { port } = await server.listen("127.0.0.1", 0);
  return { port, log };
}

/** A raw HTTP exchange: writes `head` (+ `body`), returns what came back and whether the server closed the socket. */
function raw(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<{ text: string; closedByServer: boolean; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("end", () => resolve({ text, closedByServer: true, socket }));
    socket.write(head);
    if (body.length > 0) socket.write(body);
    // A server that neither answers nor closes within 5 s fails the test (keep-alive would wait far longer).
    setTimeout(() => resolve({ text, closedByServer: false, socket }), 5_000).unref();
  });
}

describe("the Plex endpoint against hostile requests", () => {
  it("answers a malformed %-escape in the secret with 400, before authentication, without a stack", async () => {
    const { port, log } = await start();
    for (const path of [`/plex/${SECRET}%ZZ`, "/plex/%E0%A4%A", "/plex/%"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: multipart(fixture("movie.media.scrobble.plexagent-guidarray.json")) });
      const text = await res.text();
      expect(res.status, path).toBe(400);
      expect(text).toContain("malformed %-escape");
      expect(text).not.toMatch(/ at |URIError|\.ts:/);
    }
    expect(log.lines().filter((l) => l.level >= 50)).toEqual([]);
    expect(accepted).toBe(0);
  });

  it("answers a request target the URL parser refuses with 400 instead of throwing out of the server", async () => {
    const { port } = await start();
    const { text } = await raw(port, "GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it("closes the connection after a refusal and does not read the rest of the body", async () => {
    const { port } = await start();
    // Declares 50 MB, sends 64 KB: a server that keeps reading (keep-alive after a refusal) would wait for the rest.
    const head = `POST /plex/wrong-secret-wrong-secret HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`;
    const { text, closedByServer, socket } = await raw(port, head, Buffer.alloc(64 * 1024, 0x41));
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(closedByServer).toBe(true);
  });
});
