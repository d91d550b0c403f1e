// The page's files (web/dashboard/ in the package, shipped as they are, like config/): read once, when the dashboard
// is first opened, and kept gzipped in memory with an ETag. A few tens of KB in all.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
};

/** Files the page loads; nothing else under /assets/ is served. */
export const PAGE_FILES = ["index.html", "login.html", "app.css", "app.js", "login.js", "icon.svg"] as const;
export type PageFile = (typeof PAGE_FILES)[number];

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** The response headers every page of the dashboard carries: it may not be framed, and loads only its own files. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export class PageAssets {
  readonly #assets = new Map<string, Asset>();

  // src/dashboard/ and dist/dashboard/ are both two levels below the package root
  constructor(dir: URL = new URL("../../web/dashboard/", import.meta.url)) {
    for (const name of PAGE_FILES) {
      const body = readFileSync(new URL(name, dir));
      const ext = name.slice(name.lastIndexOf(".") + 1);
      this.#assets.set(name, {
        type: TYPES[ext] ?? "application/octet-stream",
        body,
        gzipped: gzipSync(body, { level: 9 }),
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`,
      });
    }
  }

  has(name: string): name is PageFile {
    return this.#assets.has(name);
  }

  /** Sends a file (gzipped when the client takes it; 304 when it has it already). */
  send(req: IncomingMessage, res: ServerResponse, name: PageFile, status = 200): void {
    const asset = this.#assets.get(name);
    if (!asset) throw new Error(`no page file ${name}`);
    const headers: Record<string, string> = {
      ...PAGE_HEADERS,
      "content-type": asset.type,
      etag: asset.etag,
      // revalidated on every load (a 304 costs a few bytes): an updated daemon serves its new page at once
      "cache-control": "no-cache",
      vary: "accept-encoding",
    };
    if (status === 200 && req.headers["if-none-match"] === asset.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? asset.gzipped : asset.body;
    res.writeHead(status, { ...headers, ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": String(body.length) });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** Bytes of each file, plain and gzipped (for the bench). */
  sizes(): Record<string, { plain: number; gzipped: number }> {
    return Object.fromEntries([...this.#assets].map(([name, a]) => [name, { plain: a.body.length, gzipped: a.gzipped.length }]));
  }
}
