// The CLI's GET of the daemon's endpoints (HTTP/1.0 on a plain socket), against a real node:http server.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpGet, parseAnswer } from "../../src/cli/http-get.js";

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case "/healthz":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "alive", version: req.httpVersion }));
        return;
      case "/streamed":
        // Written in pieces without a length: HTTP/1.1 would chunk it; to an HTTP/1.0 client it is sent as is.
        res.write("ä".repeat(3000));
        setTimeout(() => res.end("!"), 20);
        return;
      case "/silent":
        return; // never answers
      case "/huge":
        res.end(Buffer.alloc(5 * 1024 * 1024, 120));
        return;
      default:
        res.writeHead(503).end("not ready");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("httpGet", () => {
  it("reads the status and the body", async () => {
    expect(await httpGet(new URL(`${base}/healthz`), 2_000)).toEqual({ status: 200, body: '{"status":"alive","version":"1.0"}' });
    expect(await httpGet(new URL(`${base}/other?x=1`), 2_000)).toEqual({ status: 503, body: "not ready" });
  });

  it("reads a body written in pieces, multi-byte characters intact", async () => {
    expect((await httpGet(new URL(`${base}/streamed`), 2_000)).body).toBe(`${"ä".repeat(3000)}!`);
  });

  it("gives up after the timeout, on an oversized answer, and when nothing listens", async () => {
    await expect(httpGet(new URL(`${base}/silent`), 200)).rejects.toThrow("no answer within 200 ms");
    await expect(httpGet(new URL(`${base}/huge`), 2_000)).rejects.toThrow(/larger than/);
    const closed = createServer().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, "close");
    await expect(httpGet(new URL(`http://127.0.0.1:${port}/healthz`), 2_000)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses what is not an HTTP answer", () => {
    expect(() => parseAnswer("SSH-2.0-OpenSSH_9.2\r\n")).toThrow(/not an HTTP answer/);
    expect(() => parseAnswer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).toThrow(/chunked/);
    expect(parseAnswer("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n")).toEqual({ status: 204, body: "" });
  });
});
