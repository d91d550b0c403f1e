// The dashboard's routes. This module (and everything under src/dashboard/) is imported by the HTTP server on the
// first request for the dashboard, never at start-up (docs/dashboard.md). The server has already checked the Host
// header and who the request is (its grant); here every changing request is also checked to come from the page
// itself (HttpAccess.checkChange), and every body is bounded and validated.
//
//   GET  /                     the page (the sign-in page when a password is asked and not given)
//   GET  /assets/<file>        its files
//   POST /api/session          sign in with the server token (sets the session cookie) · DELETE: sign out
//   GET  /api/state            the page's state (JSON)         GET /api/events  the same, live (Server-Sent Events)
//   GET  /api/doctor           the doctor checks                GET /api/search  Trakt search (?type=movie|show&q=)
//   POST /api/queue/retry|drop {id}                    the same operations as `queue retry|drop`
//   POST /api/fix              {what, rule, picked}    save a match as an identify override, deliver what waited
//   POST /api/accounts/login|cancel|logout {account}  the device login of `login`, and `logout`
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { parseUntrustedJson } from "../util/json.js";
import { PageAssets } from "./assets.js";
import { FixError, fixMatch } from "./fix.js";
import type { DashboardHost, DashboardRequest, DashboardRoutes } from "./host.js";
import { LiveUpdates } from "./live.js";
import { PageLogins } from "./logins.js";
import { buildState } from "./state.js";

const MAX_BODY_BYTES = 16 * 1024;
const ACCOUNT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "not an account name");

const bodies = {
  id: z.object({ id: z.string().min(1).max(200) }).strict(),
  account: z.object({ account: ACCOUNT }).strict(),
  password: z.object({ password: z.string().min(1).max(1000) }).strict(),
  fix: z
    .object({
      what: z.string().min(1).max(4096),
      picked: z.string().max(300),
      rule: z
        .object({
          title: z.string().min(1).max(300).optional(),
          path: z.string().min(1).max(4096).optional(),
          to: z
            .object({
              type: z.enum(["movie", "show"]),
              trakt: z.number().int().positive().optional(),
              slug: z.string().regex(/^[a-z0-9-]+$/).max(200).optional(),
              imdb: z.string().regex(/^tt\d+$/).optional(),
              tmdb: z.number().int().positive().optional(),
              tvdb: z.number().int().positive().optional(),
            })
            .strict(),
        })
        .strict()
        .refine((r) => (r.title === undefined) !== (r.path === undefined), "give either title or path"),
    })
    .strict(),
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "send JSON (content-type: application/json)");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = parseUntrustedJson(Buffer.concat(chunks).toString("utf8"), 8);
  } catch {
    throw new HttpError(400, "the request body is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return parsed.data;
}

export class Dashboard implements DashboardRoutes {
  readonly #assets = new PageAssets();
  readonly #logins: PageLogins;
  readonly #live: LiveUpdates;
  #csrf = "";
  #passwordProtected = false;
  #doctor: Promise<unknown> | undefined;

  constructor(private readonly host: DashboardHost) {
    this.#logins = new PageLogins(host, () => this.#live.changed());
    this.#live = new LiveUpdates({ subscribe: (listener) => host.subscribe(listener), render: () => JSON.stringify(this.#state()) });
  }

  handle(request: DashboardRequest): boolean {
    const { req, res, url, grant, access } = request;
    const path = url.pathname;
    this.#csrf = access.csrfToken();
    this.#passwordProtected = access.requiresToken;
    const method = req.method ?? "GET";
    const read = method === "GET" || method === "HEAD";

    if (path === "/" || path === "/index.html") {
      if (!read) return this.#fail(res, new HttpError(405, "method not allowed")), true;
      this.#assets.send(req, res, grant === undefined ? "login.html" : "index.html");
      return true;
    }
    if (path.startsWith("/assets/")) {
      const name = path.slice("/assets/".length);
      if (!this.#assets.has(name)) return false;
      if (!read) return this.#fail(res, new HttpError(405, "method not allowed")), true;
      this.#assets.send(req, res, name);
      return true;
    }
    if (path === "/api/session") {
      void this.#session(request).catch((error: unknown) => this.#fail(res, error));
      return true;
    }
    if (!path.startsWith("/api/")) return false;
    if (grant === undefined) {
      this.#fail(res, new HttpError(401, "sign in first: the dashboard asks for the server token"));
      return true;
    }
    if (!read) {
      const check = access.checkChange(req, grant);
      if (!check.ok) {
        this.host.log.warn({ path, reason: check.reason, origin: req.headers.origin, site: req.headers["sec-fetch-site"] }, "dashboard: changing request refused");
        this.#fail(res, new HttpError(403, check.reason));
        return true;
      }
    }
    const route = this.#route(method, path);
    if (!route) return false;
    void route(req, res, url).catch((error: unknown) => this.#fail(res, error));
    return true;
  }

  close(): void {
    this.#live.close();
    this.#logins.close();
  }

  #state() {
    return buildState(this.host, { csrf: this.#csrf, passwordProtected: this.#passwordProtected, logins: this.#logins.views() });
  }

  #route(method: string, path: string): ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) | undefined {
    const get = method === "GET" || method === "HEAD";
    const post = method === "POST";
    switch (path) {
      case "/api/state":
        return get ? (_req, res) => Promise.resolve(json(res, 200, this.#state())) : undefined;
      case "/api/events":
        return get ? (req, res) => Promise.resolve(this.#live.open(req, res)) : undefined;
      case "/api/doctor":
        return get ? async (_req, res) => json(res, 200, await this.#runDoctor()) : undefined;
      case "/api/search":
        return get ? async (_req, res, url) => json(res, 200, await this.#search(url)) : undefined;
      case "/api/queue/retry":
        return post
          ? async (req, res) => {
              const { id } = await readBody(req, bodies.id);
              const entry = await this.host.outbox.retry(id).catch((error: unknown) => {
                throw new HttpError(409, error instanceof Error ? error.message : String(error));
              });
              this.#live.changed();
              json(res, 200, { retried: entry.id, label: entry.label });
            }
          : undefined;
      case "/api/queue/drop":
        return post
          ? async (req, res) => {
              const { id } = await readBody(req, bodies.id);
              const entry = await this.host.outbox.drop(id).catch((error: unknown) => {
                throw new HttpError(409, error instanceof Error ? error.message : String(error));
              });
              this.#live.changed();
              json(res, 200, { dropped: entry.id, label: entry.label });
            }
          : undefined;
      case "/api/fix":
        return post
          ? async (req, res) => {
              const body = await readBody(req, bodies.fix);
              try {
                const result = await fixMatch(this.host, { what: body.what, picked: body.picked, rule: body.rule });
                this.#live.changed();
                json(res, 200, result);
              } catch (error) {
                if (error instanceof FixError) throw new HttpError(409, error.message, error.snippet ? { snippet: error.snippet } : {});
                throw error;
              }
            }
          : undefined;
      case "/api/accounts/login":
        return post
          ? async (req, res) => {
              const { account } = await readBody(req, bodies.account);
              json(res, 202, this.#logins.start(account));
            }
          : undefined;
      case "/api/accounts/cancel":
        return post
          ? async (req, res) => {
              const { account } = await readBody(req, bodies.account);
              this.#logins.cancel(account);
              json(res, 200, { cancelled: account });
            }
          : undefined;
      case "/api/accounts/logout":
        return post
          ? async (req, res) => {
              const { account } = await readBody(req, bodies.account);
              json(res, 200, await this.#logins.logout(account));
            }
          : undefined;
      default:
        return undefined;
    }
  }

  /** Sign in (POST, the token as password) and out (DELETE): same-origin only; wrong passwords are throttled. */
  async #session({ req, res, access }: DashboardRequest): Promise<void> {
    if (req.method !== "POST" && req.method !== "DELETE") throw new HttpError(405, "method not allowed");
    const origin = access.checkOrigin(req);
    if (!origin.ok) throw new HttpError(403, origin.reason);
    if (req.method === "DELETE") {
      json(res, 200, { signedOut: true }, { "set-cookie": access.clearedCookie() });
      return;
    }
    const { password } = await readBody(req, bodies.password);
    const verdict = access.checkPassword(password, req.socket.remoteAddress ?? "?");
    if (verdict === "throttled") throw new HttpError(429, "too many wrong passwords; wait a minute");
    if (verdict === "wrong") {
      this.host.log.warn({ from: req.socket.remoteAddress }, "dashboard: wrong password");
      throw new HttpError(401, "that is not the password (server.token, or the one in the log and in `trakt-scrobblerd status`)");
    }
    json(res, 200, { signedIn: true }, { "set-cookie": access.sessionCookie() });
  }

  async #runDoctor(): Promise<unknown> {
    // one run at a time: a second page (or a double tap) waits for the same answer
    this.#doctor ??= this.host.doctor().finally(() => (this.#doctor = undefined));
    return this.#doctor;
  }

  async #search(url: URL): Promise<unknown> {
    const type = url.searchParams.get("type");
    const query = (url.searchParams.get("q") ?? "").trim();
    const yearText = url.searchParams.get("year");
    if (type !== "movie" && type !== "show") throw new HttpError(400, "type must be movie or show");
    if (query.length === 0 || query.length > 200) throw new HttpError(400, "search for 1 to 200 characters");
    const year = yearText && /^\d{4}$/.test(yearText) ? Number(yearText) : undefined;
    const api = await this.host.trakt();
    let results;
    try {
      results = await api.searchText([type], query, year === undefined ? {} : { years: year });
    } catch (error) {
      throw new HttpError(502, `Trakt search failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      results: results
        .map((r) => (type === "movie" ? r.movie : r.show))
        .filter((m): m is NonNullable<typeof m> => m !== undefined && m.ids.trakt !== undefined)
        .slice(0, 10)
        .map((m) => ({ type, title: m.title ?? "?", ...(m.year ? { year: m.year } : {}), ids: m.ids })),
    };
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      json(res, error.status, { error: error.message, ...error.extra });
      return;
    }
    this.host.log.error({ err: error }, "dashboard request failed");
    json(res, 500, { error: error instanceof Error ? error.message : "internal error" });
  }
}

/** The HTTP server calls this once, on the dashboard's first request. */
export function createDashboard(host: DashboardHost): DashboardRoutes {
  return new Dashboard(host);
}
