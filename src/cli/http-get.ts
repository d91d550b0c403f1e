// GET of one of the daemon's own endpoints (/healthz, /api/status) for `healthcheck` and `status`. Docker runs
// `healthcheck` every 30 s, forever, so this is built for start-up cost (bench/startup.ts): `fetch` first loads and
// compiles undici (about 0.2 s of CPU), node:http's client about 15 ms; an HTTP/1.0 request on a plain socket about
// 3 ms. HTTP/1.0 keeps the answer simple to read: no chunked encoding, no keep-alive — the server sends the body and
// closes. https:// URLs (a daemon behind a TLS proxy, given with --url) go through node:https.
import { connect } from "node:net";
import { VERSION } from "../version.js";

/** The daemon answers a few KiB; anything much larger is not the daemon. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface GetResult {
  status: number;
  body: string;
}

/** `headers`: extra request headers, e.g. the daemon's `authorization` beyond loopback. */
export function httpGet(url: URL, timeoutMs: number, headers: Record<string, string> = {}): Promise<GetResult> {
  if (url.protocol === "https:") return httpsGet(url, timeoutMs, headers);
  if (url.protocol !== "http:") return Promise.reject(new Error(`cannot GET ${url.protocol} URLs (use http:// or https://)`));
  return new Promise<GetResult>((resolve, reject) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const socket = connect({ host, port: Number(url.port || 80) });
    const chunks: Buffer[] = [];
    let size = 0;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("connect", () => {
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, "")}\r\n`)
        .join("");
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.0\r\nHost: ${url.host}\r\nUser-Agent: trakt-scrobblerd/${VERSION}\r\nAccept: application/json\r\n${extra}\r\n`);
    });
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) socket.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
      else chunks.push(chunk);
    });
    socket.on("error", reject);
    socket.on("end", () => {
      try {
        resolve(parseAnswer(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** Status line, headers and body of an HTTP/1.x answer that ended with the connection. */
export function parseAnswer(text: string): GetResult {
  const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  const headerEnd = text.indexOf("\r\n\r\n");
  if (!match?.[1] || headerEnd < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 60))}`);
  const headers = text.slice(match[0].length, headerEnd).toLowerCase();
  if (/^transfer-encoding:.*chunked/m.test(headers)) throw new Error("the server answered an HTTP/1.0 request with chunked encoding");
  return { status: Number(match[1]), body: text.slice(headerEnd + 4) };
}

async function httpsGet(url: URL, timeoutMs: number, headers: Record<string, string>): Promise<GetResult> {
  const { get } = await import("node:https");
  return new Promise<GetResult>((resolve, reject) => {
    const request = get(url, { timeout: timeoutMs, headers }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}
