// How a client (`status`, `healthcheck`, `doctor`) reaches the daemon's HTTP server from its `server` settings.
// Deliberately free of the config schema and the YAML parser: Docker runs `healthcheck` every 30 s, and the image
// sets both variables below, so the address is known without reading any file (see daemonAddressFromEnv).
import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Env } from "./env.js";

/** The environment variables of `server.host` and `server.port` (the schema declares them from here). */
export const SERVER_HOST_ENV = "TRAKT_SCROBBLERD_HOST";
export const SERVER_PORT_ENV = "TRAKT_SCROBBLERD_PORT";

/** The running daemon's base URL, from the server settings (a wildcard bind → loopback). */
export function daemonBaseUrl(host: string, port: number): string {
  let h = host;
  if (h === "0.0.0.0" || h === "") h = "127.0.0.1";
  else if (h === "::" || h === "[::]") h = "::1";
  const bracketed = h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
  return `http://${bracketed}:${port}`;
}

/**
 * Where people open the dashboard, for links in notifications: server.publicUrl when set, else this machine's
 * name (for a wildcard bind) or the bound address, with the port listened on.
 */
export function dashboardUrl(server: { publicUrl?: string | undefined; host: string; port: number }, listeningPort?: number): string {
  if (server.publicUrl !== undefined) return server.publicUrl.replace(/\/+$/, "");
  const host = server.host === "0.0.0.0" || server.host === "::" || server.host === "" ? hostname() : server.host;
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${bracketed}:${listeningPort || server.port}`;
}

/** The URL of the running daemon's liveness endpoint. */
export function healthUrl(host: string, port: number): string {
  return `${daemonBaseUrl(host, port)}/healthz`;
}

/**
 * The daemon's base URL when the environment sets both server.host and server.port: they override whatever a
 * config file says, so the file need not be read. Undefined when either is missing or not plainly valid (then the
 * full config load decides, and reports what is wrong).
 */
export function daemonBaseUrlFromEnv(env: Env): string | undefined {
  const host = env[SERVER_HOST_ENV];
  const port = env[SERVER_PORT_ENV]?.trim();
  if (!host || !port || !/^\d{1,5}$/.test(port) || Number(port) > 65_535) return undefined;
  return daemonBaseUrl(host, Number(port));
}

/** The environment variable of `server.token`, the HTTP server's password when it listens beyond loopback. */
export const SERVER_TOKEN_ENV = "TRAKT_SCROBBLERD_SERVER_TOKEN";
/** Where the daemon keeps the token it generated (in the state directory) when `server.token` is not set. */
export const SERVER_TOKEN_FILE = "server-token";
/** The state directory's variable (also declared by the schema): clients read the generated token from there. */
const STATE_DIR_ENV = "TRAKT_SCROBBLERD_STATE_DIR";
/** A token is one line of text; a larger file is not one. */
const MAX_TOKEN_FILE_BYTES = 4096;

/** Is this bind address loopback only (127.0.0.0/8, ::1, localhost)? Anything else is reachable from elsewhere. */
export function isLoopbackBind(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** The generated token in `stateDir`, if there is one (the daemon writes it 0600: only its own user reads it). */
export function readServerTokenFile(stateDir: string): string | undefined {
  let text: string;
  try {
    const file = join(stateDir, SERVER_TOKEN_FILE);
    if (statSync(file).size > MAX_TOKEN_FILE_BYTES) return undefined;
    text = readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
  return text === "" ? undefined : text;
}

/**
 * The token a client (`status`, `doctor`) sends the daemon: the environment's, else the config's, else the one the
 * daemon generated in its state directory (`stateDir`, else the environment's state directory). Undefined when none
 * is known (a daemon on loopback asks for none).
 */
export function clientServerToken(env: Env, from: { configToken?: string | undefined; stateDir?: string | undefined } = {}): string | undefined {
  const explicit = env[SERVER_TOKEN_ENV]?.trim() || from.configToken;
  if (explicit) return explicit;
  const stateDir = from.stateDir ?? env[STATE_DIR_ENV];
  return stateDir ? readServerTokenFile(stateDir) : undefined;
}
