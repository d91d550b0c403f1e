// How a client (`status`, `healthcheck`, `doctor`) reaches the daemon's HTTP server from its `server` settings.
// Deliberately free of the config schema and the YAML parser: Docker runs `healthcheck` every 30 s, and the image
// sets both variables below, so the address is known without reading any file (see daemonAddressFromEnv).
import { hostname } from "node:os";
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
