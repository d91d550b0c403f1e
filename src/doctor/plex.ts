// Plex: webhooks need the secret, and a server address Plex Media Server can reach.
import type { Config } from "../config/schema.js";
import { result, type CheckResult } from "./types.js";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function checkPlex(config: Pick<Config, "plex" | "server">): CheckResult[] {
  const { plex, server } = config;
  if (!plex.enabled) return [result("plex", "skip", "disabled (plex.enabled: false)")];
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
