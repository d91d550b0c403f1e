// Child process for the Plex ingest benchmark: `daemon` = the daemon's HTTP server + Plex webhook handler + Plex
// adapter (events counted, not scrobbled); `bare` = a plain node:http server parsing the same multipart with busboy.
// Prints {"port": n} on its first stdout line, then serves until killed.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import busboy from "busboy";
import { HttpServer } from "../../src/daemon/http-server.js";
import { PlexAdapter } from "../../src/players/plex/adapter.js";
import { createPlexWebhookHandler } from "../../src/players/plex/webhook.js";
import { silentLogger } from "../../src/util/log.js";


let events = 0;

async function daemon(): Promise<number> {
  const adapter = new PlexAdapter(
    { users: {}, players: [], webhookServers: [], defaultAccount: "default", scrobbleGraceMs: 60_000 },
    { emit: () => void events++, now: Date.now },
    silentLogger(),
  );
  await adapter.start(new AbortController().signal);
  const plexWebhook = createPlexWebhookHandler({ secret: process.argv[3] ?? "", maxBodyBytes: 2 * 1024 * 1024, allowFrom: [], onPayload: (p) => adapter.accept(p) });
  const server = new HttpServer({ readiness: () => ({ ready: true, reasons: [] }), status: () => ({}), metrics: () => "", webhook: () => plexWebhook }, silentLogger());
  return (await server.listen("127.0.0.1", 0)).port;
}

async function bare(): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parser = busboy({ headers: req.headers });
    let payload: unknown;
    parser.on("field", (name, value) => {
      if (name === "payload") payload = JSON.parse(value);
    });
    parser.on("file", (_name, stream) => stream.resume());
    parser.on("close", () => {
      if (payload !== undefined) events++;
      res.writeHead(200).end();
    });
    parser.on("error", () => res.writeHead(400).end());
    req.pipe(parser);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const mode = process.argv[2];
const port = mode === "bare" ? await bare() : await daemon();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => process.exit(0));
