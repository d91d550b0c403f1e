// Where Jellyfin and Emby differ, in one place. Everything else (the sessions feed, SessionInfoDto, BaseItemDto,
// keep-alives, logins by name) is the protocol Jellyfin forked from Emby 3.5 and is shared.
//
// | | Jellyfin | Emby |
// |---|---|---|
// | WebSocket | `/socket`, token in `Authorization: MediaBrowser …, Token="…"` | `/embywebsocket?api_key=…&deviceId=…` |
// | REST | no prefix, `Authorization: MediaBrowser …, Token="…"` | `/emby/…`, `Authorization: Emby …` + `X-Emby-Token` |
// | one item with the user's data | `/Items/{id}?userId=` (10.9+), `/Users/{userId}/Items/{id}` (10.8) | `/Users/{userId}/Items/{id}` |
// | who may subscribe to the sessions feed | 10.8: anyone; 10.9.0–10.10.5: administrators' logins only (not API keys); 10.10.6+: also API keys; 10.11+: every user (their own sessions) | API keys and administrators |
// | Quick Connect | yes (10.7+) | no |
// Sources: test/fixtures/media-servers/README.md.

export type MediaServerKind = "jellyfin" | "emby";

/** Who the daemon is to the server: sent with every request (Jellyfin/Emby list it as a device). */
export interface ClientIdentity {
  client: string;
  device: string;
  deviceId: string;
  version: string;
}

/** What a token is: a dashboard API key (sees every session) or a user's access token. */
export type TokenAccess = { kind: "api-key" } | { kind: "user"; id: string; name: string; admin: boolean };

/** A server version as numbers ("10.10.7" → [10, 10, 7], Emby's "4.8.10.0" → [4, 8, 10, 0]). */
export type ServerVersion = readonly number[];

export function parseVersion(text: string): ServerVersion {
  const parts = text.trim().split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  const numbers: number[] = [];
  for (const part of parts) {
    if (!Number.isFinite(part)) break;
    numbers.push(part);
  }
  return numbers;
}

/** Whether `version` ≥ `floor` (missing parts count as 0). */
export function atLeast(version: ServerVersion, floor: ServerVersion): boolean {
  for (let i = 0; i < Math.max(version.length, floor.length); i++) {
    const a = version[i] ?? 0;
    const b = floor[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export interface Dialect {
  readonly kind: MediaServerKind;
  /** As users know it ("Jellyfin"). */
  readonly product: string;
  /** Path prefix of every REST call ("" or "/emby"). */
  readonly restPrefix: string;
  readonly quickConnect: boolean;
  /** Headers of a REST call; without a token (logins, public system info) only the client is named. */
  restHeaders(identity: ClientIdentity, token: string | undefined): Record<string, string>;
  /** Path and query (after the base URL's path) and headers of the sessions WebSocket. */
  socket(identity: ClientIdentity, token: string): { path: string; headers: Record<string, string> };
  /** Path and query (after the REST prefix) of one item as a user sees it, with the user's UserData. */
  itemPath(itemId: string, userId: string, version: ServerVersion): string;
  /** Why this server will not send this token the sessions feed (it stays silent), with what to do instead. */
  sessionsFeedRefusal(version: ServerVersion, access: TokenAccess): string | undefined;
  /** Whose playback the sessions feed shows this token. */
  visibility(version: ServerVersion, access: TokenAccess): "everyone" | "own";
}

/** `Key="value"` pairs as AuthorizationContext.GetParts reads them: quoted and url-encoded. */
function authParameters(identity: ClientIdentity, token: string | undefined): string {
  const pairs: [string, string][] = [
    ["Client", identity.client],
    ["Device", identity.device],
    ["DeviceId", identity.deviceId],
    ["Version", identity.version],
  ];
  if (token !== undefined) pairs.push(["Token", token]);
  return pairs.map(([key, value]) => `${key}="${encodeURIComponent(value)}"`).join(", ");
}

const encode = encodeURIComponent;

export const JELLYFIN: Dialect = {
  kind: "jellyfin",
  product: "Jellyfin",
  restPrefix: "",
  quickConnect: true,
  restHeaders: (identity, token) => ({ Authorization: `MediaBrowser ${authParameters(identity, token)}` }),
  socket: (identity, token) => ({ path: "/socket", headers: { Authorization: `MediaBrowser ${authParameters(identity, token)}` } }),
  itemPath: (itemId, userId, version) =>
    atLeast(version, [10, 9]) ? `/Items/${encode(itemId)}?userId=${encode(userId)}` : `/Users/${encode(userId)}/Items/${encode(itemId)}`,
  sessionsFeedRefusal(version, access) {
    if (!atLeast(version, [10, 9]) || atLeast(version, [10, 11])) return undefined;
    if (access.kind === "api-key" && !atLeast(version, [10, 10, 6])) {
      return "Jellyfin 10.9.0–10.10.5 sends the live sessions feed to administrators' logins only, not to API keys: run `trakt-scrobblerd jellyfin login` with an administrator's account (and remove jellyfin.token), or update Jellyfin to 10.10.6 or later";
    }
    if (access.kind === "user" && !access.admin) {
      return `Jellyfin 10.9–10.10 sends the live sessions feed to administrators only, and ${access.name} is not one: run \`trakt-scrobblerd jellyfin login\` with an administrator's account, use an API key (jellyfin.token; Jellyfin 10.10.6+), or update Jellyfin to 10.11 or later (which shows each user their own playback)`;
    }
    return undefined;
  },
  visibility: (version, access) => (access.kind === "user" && !access.admin && atLeast(version, [10, 11]) ? "own" : "everyone"),
};

export const EMBY: Dialect = {
  kind: "emby",
  product: "Emby",
  restPrefix: "/emby",
  quickConnect: false,
  restHeaders: (identity, token) => ({
    Authorization: `Emby ${authParameters(identity, undefined)}`,
    ...(token === undefined ? {} : { "X-Emby-Token": token }),
  }),
  socket: (identity, token) => ({ path: `/embywebsocket?api_key=${encode(token)}&deviceId=${encode(identity.deviceId)}`, headers: {} }),
  itemPath: (itemId, userId) => `/Users/${encode(userId)}/Items/${encode(itemId)}`,
  sessionsFeedRefusal: () => undefined,
  visibility: (_version, access) => (access.kind === "user" && !access.admin ? "own" : "everyone"),
};

export function dialectOf(kind: MediaServerKind): Dialect {
  return kind === "jellyfin" ? JELLYFIN : EMBY;
}
