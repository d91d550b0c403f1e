// Who may see and do what on the daemon's HTTP server (docs/dashboard.md, "Who may see and do what").
//  - Bound to loopback, nothing asks for a password; bound anywhere else every route but /healthz and the webhooks
//    asks for the server token: `Authorization: Bearer <token>` (Prometheus, scripts, `status`) or the session
//    cookie a browser gets by typing the token once.
//  - The Host header must name this daemon (an IP address, localhost, this machine's name, the bound name or one of
//    server.allowedHosts), so a web page cannot read the dashboard by pointing its own name at 127.0.0.1 (DNS
//    rebinding). A request with the bearer token needs no such check: such a page cannot know the token.
//  - A changing request (POST) must come from the dashboard itself: same origin (Sec-Fetch-Site / Origin) and the
//    CSRF token the dashboard's state carries (or the bearer token, which browsers never add on their own).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { hostname } from "node:os";

export interface AccessSettings {
  /** server.host: the address the server is bound to. */
  bind: string;
  /** The token every route but the open ones asks for; undefined = none asked (loopback). */
  token: string | undefined;
  /** server.allowedHosts: names beyond IP addresses, localhost and this machine's. `*.example.org` covers subdomains. */
  allowedHosts: readonly string[];
}

/** How a request proved who it is: `open` = nothing is asked (loopback), `bearer` = the header, `cookie` = a browser session. */
export type Grant = "open" | "bearer" | "cookie";

export type ChangeCheck = { ok: true } | { ok: false; reason: string };

const COOKIE_PREFIX = "tsd_session";
/** Wrong passwords from one address in a minute before it is told to wait. */
const MAX_FAILURES_PER_MINUTE = 10;

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Compares in constant time (the digests have one length whatever was sent). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The host name of a Host header, lower-cased, without port, brackets or a trailing dot; undefined when unusable. */
export function hostOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const text = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9._-]+)(?::\d{1,5})?$/.exec(text);
  if (!plain?.[1]) return undefined;
  return plain[1].replace(/\.$/, "");
}

function matchesName(host: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, "");
  if (p.startsWith("*.")) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

export class HttpAccess {
  #settings: AccessSettings;
  #port = 0;
  /** Signs the session cookie and the CSRF token: derived from the token (sessions survive a restart), else random. */
  readonly #key: Buffer;
  readonly #machineNames: string[];
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(settings: AccessSettings, options: { machineName?: string; now?: () => number } = {}) {
    this.#settings = settings;
    this.#key = settings.token === undefined ? randomBytes(32) : createHmac("sha256", settings.token).update("trakt-scrobblerd http access v1").digest();
    const name = (options.machineName ?? safeHostname()).toLowerCase();
    this.#machineNames = name ? [name, `${name}.local`] : [];
    this.#now = options.now ?? Date.now;
  }

  readonly #now: () => number;

  /** Live changes of server.allowedHosts (server.host and server.token need a restart). */
  setAllowedHosts(allowedHosts: readonly string[]): void {
    this.#settings = { ...this.#settings, allowedHosts };
  }

  /** The port the server listens on: the session cookie is named after it (two daemons on one host keep theirs apart). */
  setPort(port: number): void {
    this.#port = port;
  }

  get requiresToken(): boolean {
    return this.#settings.token !== undefined;
  }

  /** Does the Host header name this daemon? */
  hostAllowed(header: string | undefined): boolean {
    const host = hostOf(header);
    if (host === undefined) return false;
    if (isIP(host) !== 0) return true; // an address cannot be re-pointed by DNS
    if (host === "localhost" || host.endsWith(".localhost")) return true; // browsers resolve these to loopback themselves
    if (this.#machineNames.includes(host)) return true;
    const bind = this.#settings.bind.trim().toLowerCase();
    if (isIP(bind) === 0 && bind !== "" && host === bind) return true;
    return this.#settings.allowedHosts.some((pattern) => matchesName(host, pattern));
  }

  /** The name to tell the user to add to server.allowedHosts. */
  hostName(header: string | undefined): string {
    return hostOf(header) ?? String(header ?? "(none)");
  }

  /** How the request proves who it is; undefined when it does not (and must). */
  grant(req: IncomingMessage): Grant | undefined {
    const token = this.#settings.token;
    if (token === undefined) return "open";
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      return bearer?.[1] !== undefined && sameSecret(bearer[1], token) ? "bearer" : undefined;
    }
    const cookie = this.#cookie(req);
    return cookie !== undefined && sameSecret(cookie, this.#sessionValue()) ? "cookie" : undefined;
  }

  /** Does the request carry the bearer token? (It then needs no Host check: a rebinding page cannot know it.) */
  hasBearer(req: IncomingMessage): boolean {
    return this.#settings.token !== undefined && req.headers.authorization !== undefined && this.grant(req) === "bearer";
  }

  /** The CSRF token the dashboard sends back with every change (X-CSRF-Token). */
  csrfToken(): string {
    return createHmac("sha256", this.#key).update("csrf").digest("base64url");
  }

  /** Does the request come from a page of this server (or from no page at all: a script)? */
  checkOrigin(req: IncomingMessage): ChangeCheck {
    const site = header(req, "sec-fetch-site");
    if (site !== undefined && site !== "same-origin") return { ok: false, reason: `cross-site request refused (Sec-Fetch-Site: ${site})` };
    const origin = header(req, "origin");
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = origin === "null" ? undefined : new URL(origin).host.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if (originHost === undefined || originHost !== (req.headers.host ?? "").toLowerCase()) return { ok: false, reason: `cross-site request refused (Origin: ${origin})` };
    }
    return { ok: true };
  }

  /** Is this changing request from the dashboard itself (or a script with the bearer token)? */
  checkChange(req: IncomingMessage, grant: Grant): ChangeCheck {
    const origin = this.checkOrigin(req);
    if (!origin.ok || grant === "bearer") return origin;
    const csrf = header(req, "x-csrf-token");
    if (csrf === undefined || !sameSecret(csrf, this.csrfToken())) return { ok: false, reason: "missing or stale CSRF token: reload the page" };
    return { ok: true };
  }

  /**
   * Checks a password typed into the login form. Throttled per client address: after too many wrong ones in a
   * minute the answer is `throttled` whatever was typed.
   */
  checkPassword(candidate: string, from: string): "ok" | "wrong" | "throttled" {
    const token = this.#settings.token;
    if (token === undefined) return "ok";
    const now = this.#now();
    const failures = this.#failures.get(from);
    if (failures && now - failures.since < 60_000 && failures.count >= MAX_FAILURES_PER_MINUTE) return "throttled";
    if (sameSecret(candidate, token)) {
      this.#failures.delete(from);
      return "ok";
    }
    if (this.#failures.size > 1_000) this.#failures.clear();
    if (!failures || now - failures.since >= 60_000) this.#failures.set(from, { count: 1, since: now });
    else failures.count += 1;
    return "wrong";
  }

  /** Set-Cookie value that opens a browser session (HttpOnly, SameSite=Strict, a year). */
  sessionCookie(): string {
    return `${this.#cookieName()}=${this.#sessionValue()}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`;
  }

  /** Set-Cookie value that ends the browser session. */
  clearedCookie(): string {
    return `${this.#cookieName()}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  #cookieName(): string {
    return `${COOKIE_PREFIX}_${this.#port}`;
  }

  #sessionValue(): string {
    return createHmac("sha256", this.#key).update("session").digest("base64url");
  }

  #cookie(req: IncomingMessage): string | undefined {
    const name = this.#cookieName();
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return "";
  }
}
