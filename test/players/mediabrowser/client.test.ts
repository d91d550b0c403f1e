// The REST client against small real HTTP servers on 127.0.0.1: paths under a base URL, every kind of failure.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { MediaServerClient, MediaServerError, serverUrl } from "../../../src/players/mediabrowser/client.js";
import { EMBY, JELLYFIN } from "../../../src/players/mediabrowser/dialect.js";

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

const seen: { url: string; headers: IncomingMessage["headers"] }[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  seen.length = 0;
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const identity = { client: "trakt-scrobblerd", device: "pi", deviceId: "d1", version: "0.1.0" };
function client(baseUrl: string, over: Partial<ConstructorParameters<typeof MediaServerClient>[0]> = {}): MediaServerClient {
  return new MediaServerClient({ baseUrl, dialect: JELLYFIN, identity, token: "secret-token", timeoutMs: 1_000, maxBytes: 64 * 1024, ...over });
}

async function failure(promise: Promise<unknown>): Promise<MediaServerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaServerError) return error;
    throw error;
  }
  throw new Error("expected a MediaServerError");
}

describe("MediaServerClient", () => {
  it.each([
    ["http://nas:8096", "/Sessions", "http://nas:8096/Sessions"],
    ["http://nas:8096/", "/Sessions", "http://nas:8096/Sessions"],
    ["https://media.example/jellyfin/", "/Items/1?userId=u", "https://media.example/jellyfin/Items/1?userId=u"],
    ["http://nas:8096/?x=1#y", "/emby/Sessions", "http://nas:8096/emby/Sessions"],
  ])("%s + %s → %s", (base, path, expected) => {
    expect(serverUrl(base, path).toString()).toBe(expected);
  });

  it("sends the token in a header only, under the base path and the dialect's prefix", async () => {
    const base = await serve((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("[]"));
    await client(`${base}/jellyfin`).sessions();
    await client(base, { dialect: EMBY }).sessions();
    expect(seen.map((s) => s.url)).toEqual(["/jellyfin/Sessions", "/emby/Sessions"]);
    expect(seen[0]!.headers.authorization).toContain('Token="secret-token"');
    expect(seen[1]!.headers["x-emby-token"]).toBe("secret-token");
    expect(seen.every((s) => !s.url.includes("secret-token"))).toBe(true);
  });

  it.each<[string, (req: IncomingMessage, res: ServerResponse) => void, string, RegExp]>([
    ["a refused token", (_q, r) => r.writeHead(401).end(), "auth", /^Jellyfin refused the token \(HTTP 401 on GET \/Sessions\)$/],
    ["a redirect (not followed: the token would go along)", (_q, r) => r.writeHead(301, { location: "https://elsewhere/Sessions" }).end(), "http", /redirect \(HTTP 301\) to https:\/\/elsewhere\/Sessions: set jellyfin\.url/],
    ["an answer over the size cap", (_q, r) => r.writeHead(200).end(`[${'"x",'.repeat(30_000)}"x"]`), "too-large", /more than 65536 bytes/],
    ["a web page instead of JSON", (_q, r) => r.writeHead(200, { "content-type": "text/html" }).end("<html>"), "bad-response", /a body that is not JSON; is http:\/\/127\.0\.0\.1:\d+ a Jellyfin server\?/],
    ["nesting 10,000 deep", (_q, r) => r.writeHead(200).end(`${"[".repeat(10_000)}${"]".repeat(10_000)}`), "bad-response", /nested deeper than 64 levels/],
    ["an object instead of a list", (_q, r) => r.writeHead(200).end("{}"), "bad-response", /not a list/],
    ["a server error", (_q, r) => r.writeHead(502).end(), "http", /HTTP 502/],
    ["no answer", () => undefined, "timeout", /did not answer GET \/Sessions within 1000 ms/],
  ])("%s", async (_name, handler, kind, message) => {
    const base = await serve(handler);
    const error = await failure(client(base).sessions());
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("secret-token");
  });

  it("nothing listening is a network error", async () => {
    const base = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const error = await failure(client(base).systemInfo());
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/cannot reach Jellyfin at http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)/);
  });

  it("GET /Users/Me: a user, or an API key (400 on Jellyfin, 500 on some Emby)", async () => {
    let status = 200;
    const base = await serve((_q, r) => (status === 200 ? r.writeHead(200).end(JSON.stringify({ Id: "u1", Name: "foxx", Policy: { IsAdministrator: true } })) : r.writeHead(status).end()));
    expect(await client(base).access()).toEqual({ kind: "user", id: "u1", name: "foxx", admin: true });
    status = 400;
    expect(await client(base).access()).toEqual({ kind: "api-key" });
    status = 500;
    expect(await client(base, { dialect: EMBY }).access()).toEqual({ kind: "api-key" });
    status = 401;
    expect((await failure(client(base).access())).kind).toBe("auth");
  });
});
