// Jellyfin and Emby: the server answers at its URL, the token is accepted, and the token may see the sessions (of
// every user, or only its own) — the three things that decide whether anything gets scrobbled.
import type { MediaServerSection } from "../config/sections/mediabrowser.js";
import type { ServerTokenSource } from "../players/adapter.js";
import { isMediaServerError, MediaServerClient } from "../players/mediabrowser/client.js";
import { dialectOf, parseVersion, type MediaServerKind, type TokenAccess } from "../players/mediabrowser/dialect.js";
import { clientIdentity, serverTokenKey, stateDirDeviceId } from "../players/mediabrowser/identity.js";
import { registerSecret } from "../util/log.js";
import { maskUrlCredentials } from "../util/url-credentials.js";
import { networkFailure } from "./trakt.js";
import { result, type CheckResult } from "./types.js";

export interface MediaServerCheckOptions {
  /** Logins stored by `<kind> login`. */
  serverTokens?: ServerTokenSource;
  stateDir: string;
  timeoutMs: number;
}

export async function checkMediaServer(kind: MediaServerKind, section: MediaServerSection, options: MediaServerCheckOptions): Promise<CheckResult[]> {
  const dialect = dialectOf(kind);
  const product = dialect.product;
  if (!section.enabled) return [result(kind, "skip", `disabled (${kind}.enabled: false)`)];
  if (section.url === undefined) return [result(kind, "skip", `not configured (set ${kind}.url to follow a ${product} server)`)];
  const url = maskUrlCredentials(section.url);
  const out: CheckResult[] = [];

  // 1. Reachable, and really this product.
  let token: string | undefined = section.token;
  let deviceId = stateDirDeviceId(options.stateDir);
  let source = `${kind}.token`;
  if (token === undefined) {
    const stored = await options.serverTokens?.get(serverTokenKey(kind)).catch(() => undefined);
    if (stored) {
      token = stored.token;
      deviceId = stored.deviceId ?? deviceId;
      source = `the login of ${stored.user ?? "a user"} stored by \`trakt-scrobblerd ${kind} login\``;
    }
  }
  if (token !== undefined) registerSecret(token);
  const client = new MediaServerClient({ baseUrl: section.url, dialect, identity: clientIdentity(deviceId), token, timeoutMs: options.timeoutMs, maxBytes: section.maxMessageBytes });
  let version: string;
  try {
    const info = await client.systemInfo();
    version = info.Version;
    const productName = info.ProductName ?? product;
    const other = kind === "jellyfin" ? "emby" : "jellyfin";
    if (productName.toLowerCase().includes(other)) {
      return [result(`${kind} reachable`, "fail", `${url} is ${productName}, not ${product}`, `configure it under ${other}: instead of ${kind}:`)];
    }
    out.push(result(`${kind} reachable`, "pass", `${productName} ${version} "${info.ServerName ?? "unnamed"}" at ${url}`));
  } catch (error) {
    if (isMediaServerError(error, "network")) {
      const failure = networkFailure(`${kind} reachable`, product, url, error.cause ?? error, options.timeoutMs);
      return [failure];
    }
    const message = error instanceof Error ? error.message : String(error);
    return [result(`${kind} reachable`, "fail", message, `check ${kind}.url: the address you open ${product}'s web app at, without /web`)];
  }

  // 2. A token the server accepts.
  const tokenHint = `set ${kind}.token (${kind.toUpperCase()}_TOKEN) to an API key (${product} dashboard → API Keys), or run \`trakt-scrobblerd ${kind} login\``;
  if (token === undefined) {
    out.push(result(`${kind} token`, "fail", "no token: nothing can be followed", tokenHint));
    return out;
  }
  let access: TokenAccess;
  try {
    access = await client.access();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    out.push(result(`${kind} token`, "fail", isMediaServerError(error, "auth") ? `${message}: ${source} is wrong or was revoked` : message, tokenHint));
    return out;
  }
  out.push(result(`${kind} token`, "pass", access.kind === "api-key" ? `${source}: an API key` : `${source}: user ${access.name}${access.admin ? " (administrator)" : ""}`));

  // 3. May it see the sessions, and whose?
  const parsed = parseVersion(version);
  const refusal = dialect.sessionsFeedRefusal(parsed, access);
  if (refusal) {
    out.push(result(`${kind} sessions`, "fail", `${product} ${version} will not send this token the sessions feed`, refusal));
    return out;
  }
  try {
    const { sessions } = await client.sessions();
    const users = [...new Set(sessions.map((s) => s.UserName).filter((n): n is string => typeof n === "string" && n !== ""))].sort();
    const playing = sessions.filter((s) => s.NowPlayingItem).length;
    const seen = `${sessions.length} session(s), ${playing} playing${users.length ? ` (users: ${users.join(", ")})` : ""}`;
    if (dialect.visibility(parsed, access) === "own" && access.kind === "user") {
      out.push(
        result(`${kind} sessions`, "warn", `${seen}; ${access.name} is not an administrator, so only ${access.name}'s own playback is followed`, `log in as an administrator (\`trakt-scrobblerd ${kind} login\`) or use an API key to scrobble every user`),
      );
    } else {
      out.push(result(`${kind} sessions`, "pass", `sees every user's sessions: ${seen}`));
    }
  } catch (error) {
    out.push(result(`${kind} sessions`, "fail", error instanceof Error ? error.message : String(error), "the token is accepted but may not list the sessions: use an API key or an administrator's login"));
  }
  return out;
}
