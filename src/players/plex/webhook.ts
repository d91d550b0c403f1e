// HTTP transport for Plex webhooks: authentication by a secret in the URL, a body size limit, and streaming
// multipart parsing. It hands a parsed payload on and knows nothing about playback.
//
// busboy parses multipart/form-data as a stream with per-part limits, so a 10 MB thumbnail is counted and
// discarded without ever being buffered; it is the parser behind multer and has no native code.
//
// The endpoint may face the LAN: everything before authentication is cheap and cannot throw (a bad URL is a 400),
// the secret is compared by SHA-256 digest (the time taken says nothing about its length or content), and a refused
// request gets `Connection: close` and is not read any further.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import busboy from "busboy";
import { parsePlexPayload, type PlexPayload } from "./payload.js";

export interface PlexWebhookOptions {
  /** The secret expected in the URL: `/plex/<secret>` or `/plex?secret=<secret>`. Unset = every request refused. */
  secret: string | undefined;
  maxBodyBytes: number;
  /** Remote addresses allowed to post; empty = any. IPv4-mapped IPv6 addresses are compared as IPv4. */
  allowFrom: readonly string[];
  /** Called with each valid payload; returns whether the event was used (200) or ignored (204). */
  onPayload: (payload: PlexPayload, remoteAddress: string | undefined) => "used" | "ignored";
}

export const PLEX_WEBHOOK_PATH = "/plex";

const MAX_PAYLOAD_FIELD_BYTES = 1024 * 1024;

/** Answers; an error status also closes the connection (Node then stops reading the request once it is sent). */
function reply(res: ServerResponse, status: number, message?: string): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = status >= 400 ? { connection: "close" } : {};
  if (message === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify({ error: message }));
}

type GivenSecret = { kind: "none" } | { kind: "malformed" } | { kind: "given"; value: string };

function secretFrom(url: URL): GivenSecret {
  const rest = url.pathname.slice(PLEX_WEBHOOK_PATH.length).replace(/^\/+/, "").replace(/\/+$/, "");
  if (rest.length > 0) {
    try {
      return { kind: "given", value: decodeURIComponent(rest) };
    } catch {
      return { kind: "malformed" }; // URIError: a lone or bad %-escape
    }
  }
  const query = url.searchParams.get("secret");
  return query === null ? { kind: "none" } : { kind: "given", value: query };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** The request's URL, or undefined when the request target cannot be parsed (e.g. `GET http://[ HTTP/1.1`). */
function parseRequestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}

function normaliseAddress(address: string | undefined): string | undefined {
  return address?.startsWith("::ffff:") ? address.slice(7) : address;
}

/** Does this request belong to the Plex webhook endpoint? */
export function isPlexWebhookPath(pathname: string): boolean {
  return pathname === PLEX_WEBHOOK_PATH || pathname.startsWith(`${PLEX_WEBHOOK_PATH}/`);
}

export function createPlexWebhookHandler(options: PlexWebhookOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const remote = normaliseAddress(req.socket.remoteAddress);
    const refuse = (status: number, message: string): void => reply(res, status, message);
    const url = parseRequestUrl(req);
    if (url === undefined) return refuse(400, "the request URL cannot be parsed");

    if (req.method !== "POST") return refuse(405, "Plex webhooks are POST requests");
    if (options.allowFrom.length > 0 && (remote === undefined || !options.allowFrom.includes(remote))) {
      return refuse(403, "this address may not post webhooks (plex.allowFrom)");
    }
    if (options.secret === undefined) return refuse(403, "the Plex webhook is disabled until plex.webhookSecret is set");
    const given = secretFrom(url);
    if (given.kind === "malformed") return refuse(400, "the webhook URL has a malformed %-escape");
    if (given.kind === "none") return refuse(401, "the webhook URL must carry the secret: /plex/<secret>");
    if (!sameSecret(given.value, options.secret)) return refuse(403, "wrong webhook secret");

    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      return refuse(413, `body of ${declared} bytes exceeds plex.maxBodyBytes (${options.maxBodyBytes})`);
    }
    const contentType = req.headers["content-type"] ?? "";
    if (!/^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(contentType)) {
      return refuse(400, `expected multipart/form-data with a 'payload' field, got '${contentType || "no content type"}'`);
    }

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fieldSize: MAX_PAYLOAD_FIELD_BYTES, fields: 16, files: 4, parts: 20, fileSize: options.maxBodyBytes },
      });
    } catch (error) {
      return refuse(400, `broken multipart request: ${(error as Error).message}`);
    }

    let received = 0;
    let finished = false;
    let payloadText: string | undefined;
    let payloadTruncated = false;
    const finish = (status: number, message?: string): void => {
      if (finished) return;
      finished = true;
      req.unpipe(parser);
      // A refusal closes the connection (reply), so the rest of a body we refuse is not read; an accepted body has
      // been read to its end already.
      if (status < 400) req.resume();
      reply(res, status, message);
    };

    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxBodyBytes) finish(413, `body exceeds plex.maxBodyBytes (${options.maxBodyBytes})`);
    });
    req.on("error", () => finish(400, "request aborted"));
    parser.on("field", (name, value, info) => {
      if (name !== "payload") return;
      payloadText = value;
      payloadTruncated = info.valueTruncated;
    });
    // Thumbnails are not needed: drain them without buffering.
    parser.on("file", (_name, stream) => {
      // A form cut off mid-file errors on the file stream as well as on the parser; the parser's handler answers.
      stream.on("error", () => undefined);
      stream.resume();
    });
    parser.on("error", (error: Error) => finish(400, `broken multipart body: ${error.message}`));
    parser.on("close", () => {
      if (finished) return;
      if (payloadTruncated) return finish(413, "payload field too large");
      if (payloadText === undefined) return finish(400, "no 'payload' field in the form");
      const parsed = parsePlexPayload(payloadText);
      if (!parsed.ok) return finish(400, parsed.reason);
      let outcome: "used" | "ignored";
      try {
        outcome = options.onPayload(parsed.payload, remote);
      } catch (error) {
        return finish(500, `could not handle the event: ${(error as Error).message}`);
      }
      finish(outcome === "used" ? 200 : 204);
    });
    req.pipe(parser);
  };
}
