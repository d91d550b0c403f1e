// Plex: webhooks need the secret, and a server address Plex Media Server can reach; each server under plex.servers
// must answer, accept its token, let that token list every user's sessions (the owner's token), and open its
// notification socket.
import type { Config } from "../config/schema.js";
import { PlexHttpError, PlexServerApi } from "../players/plex/server-api.js";
import { openPlexSocket } from "../players/plex/socket.js";
import { closeWebSocket } from "../util/ws-close.js";
import type { ServerTokenStore } from "../secrets/server-tokens.js";
import { maskUrlCredentials } from "../util/url-credentials.js";
import { networkFailure } from "./trakt.js";
import { result, type CheckResult } from "./types.js";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function checkPlex(config: Pick<Config, "plex" | "server">): CheckResult[] {
  const { plex, server } = config;
  if (!plex.enabled) return [result("plex", "skip", "disabled (plex.enabled: false)")];
  if (plex.webhookSecret === undefined && plex.servers.length > 0) {
    return [result("plex webhook", "skip", "webhooks off (no plex.webhookSecret): the servers under plex.servers are followed through their notification socket")];
  }
  if (plex.webhookSecret === undefined) {
    return [
      result(
        "plex webhook",
        "warn",
        "no webhook secret: Plex webhooks are refused",
        "set plex.webhookSecret (PLEX_WEBHOOK_SECRET, 16+ random characters, e.g. `openssl rand -hex 16`), then add the webhook in Plex (Settings → Webhooks); or set plex.enabled: false if you do not use Plex",
      ),
    ];
  }
  const out = [result("plex webhook", "pass", `secret set; webhook URL: http://<this machine>:${server.port}/plex/<plex.webhookSecret>`)];
  if (LOOPBACK.has(server.host)) {
    out.push(
      result(
        "plex reachability",
        "warn",
        `the HTTP server binds ${server.host}: only a Plex Media Server on this same machine (not in another container) can post webhooks`,
        "if Plex runs elsewhere or in Docker, set server.host: 0.0.0.0 (TRAKT_SCROBBLERD_HOST) and restrict senders with plex.allowFrom",
      ),
    );
  } else {
    out.push(result("plex reachability", "pass", `the HTTP server binds ${server.host}:${server.port}${plex.allowFrom.length ? `, accepting posts from ${plex.allowFrom.join(", ")}` : ""}`));
  }
  return out;
}

const LOGIN_HINT = (name: string): string =>
  `run \`trakt-scrobblerd plex login --server ${name}\` and sign in with the Plex account that owns the server (or set plex.token / PLEX_TOKEN to the owner's X-Plex-Token)`;

/** One line per server under plex.servers: reachable, token valid, allowed to see every user's sessions, socket opens. */
export async function checkPlexServers(plex: Config["plex"], stored: ServerTokenStore | undefined, timeoutMs = 5_000): Promise<CheckResult[]> {
  if (!plex.enabled) return [];
  return Promise.all(plex.servers.map((server) => checkServer(plex, server, stored, timeoutMs)));
}

async function checkServer(plex: Config["plex"], server: Config["plex"]["servers"][number], stored: ServerTokenStore | undefined, timeoutMs: number): Promise<CheckResult> {
  const check = `plex server ${server.name}`;
  const url = maskUrlCredentials(server.url);
  let token = server.token ?? plex.token;
  if (token === undefined) {
    try {
      token = (await stored?.get({ kind: "plex", server: server.name }))?.token;
    } catch (error) {
      return result(check, "fail", `the stored token cannot be read: ${(error as Error).message}`, LOGIN_HINT(server.name));
    }
  }
  if (token === undefined) return result(check, "fail", `no token for ${url}`, LOGIN_HINT(server.name));
  const api = new PlexServerApi({ url: server.url, token, timeoutMs });
  let name: string;
  try {
    const identity = await api.identity();
    name = `${identity.friendlyName ?? "Plex"}${identity.version ? ` (PMS ${identity.version})` : ""}`;
  } catch (error) {
    if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
      return result(check, "fail", `${url} refused the token (wrong or revoked)`, LOGIN_HINT(server.name));
    }
    if (error instanceof PlexHttpError && error.kind === "unreachable") {
      const failure = networkFailure(check, "Plex Media Server", url, error, timeoutMs);
      return result(check, "fail", failure.message, `${failure.hint ?? ""}; the address is usually http://<server>:32400`);
    }
    return result(check, "fail", `${url}: ${(error as Error).message}`, "check plex.servers[].url: it must be the Plex Media Server itself (port 32400), not a web page in front of it");
  }
  let playing: number;
  try {
    playing = (await api.sessions()).length;
  } catch (error) {
    if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
      return result(check, "fail", `${name} at ${url} accepts the token, but it may not list other users' sessions (/status/sessions needs the server owner's token)`, LOGIN_HINT(server.name));
    }
    return result(check, "fail", `${name} at ${url}: /status/sessions failed: ${(error as Error).message}`, "try again; if it persists, check the server's logs");
  }
  try {
    const socket = await openPlexSocket(server.url, token, { connectTimeoutMs: timeoutMs, heartbeatMs: timeoutMs }, AbortSignal.timeout(timeoutMs));
    closeWebSocket(socket);
  } catch (error) {
    return result(check, "fail", `${name} at ${url}: the notification socket does not open: ${(error as Error).message}`, "a reverse proxy in front of Plex must pass WebSocket upgrades on /:/websockets/notifications");
  }
  return result(check, "pass", `${name} at ${url}: token valid, sees every user's sessions (${playing} playing now), notification socket open`);
}
