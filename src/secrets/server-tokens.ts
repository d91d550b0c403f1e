// Tokens of the media servers the daemon follows (a Plex owner token from `plex login`, a Jellyfin/Emby access token
// from `jellyfin login`/`emby login`), kept with the Trakt tokens: same backend (file or keychain), same care. One
// token per configured server, keyed by "<kind>:<server name>" (e.g. "plex:home", "jellyfin:nas"). A token given in
// the config or the environment wins over a stored one.

/** Which server a token belongs to: the player kind and the server's configured name. */
export interface ServerTokenKey {
  kind: "plex" | "jellyfin" | "emby";
  server: string;
}

export interface StoredServerToken {
  token: string;
  /** Who the token belongs to, as the server said at login (for `accounts`/`status`; not a secret). */
  user?: string;
  /** The device id the login used (Jellyfin/Emby: a new login with the same id replaces the old token). */
  deviceId?: string;
  /** ISO time of the login. */
  updatedAt: string;
}

export interface ServerTokenStore {
  get(key: ServerTokenKey): Promise<StoredServerToken | undefined>;
  set(key: ServerTokenKey, entry: StoredServerToken): Promise<void>;
  /** Returns whether something was deleted. */
  delete(key: ServerTokenKey): Promise<boolean>;
}
