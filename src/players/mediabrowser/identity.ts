// Who the daemon is to a Jellyfin/Emby server, and under which key its login is stored.
//
// The server lists every client as a device (Dashboard → Devices) and a login replaces the earlier token of the
// same user on the same DeviceId. So the DeviceId is the daemon's own (never another app's), chosen once per login
// and stored with the token: logging in again replaces the daemon's previous token only, and the daemon connects
// with the DeviceId its token was issued to. A token given in the config (an API key) gets a DeviceId derived from
// the state directory: stable across restarts without storing anything.
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { VERSION } from "../../version.js";
import type { ClientIdentity, MediaServerKind } from "./dialect.js";

/** The Client name the server shows in its dashboard. */
export const CLIENT_NAME = "trakt-scrobblerd";

/** One server per section: its login is stored under this name ("jellyfin:default", "emby:default"). */
export const SERVER_NAME = "default";

export function serverTokenKey(kind: MediaServerKind): { kind: MediaServerKind; server: string } {
  return { kind, server: SERVER_NAME };
}

export function clientIdentity(deviceId: string): ClientIdentity {
  return { client: CLIENT_NAME, device: hostname() || CLIENT_NAME, deviceId, version: VERSION };
}

/** A DeviceId for a new login. */
export function newDeviceId(): string {
  return `${CLIENT_NAME}-${randomUUID()}`;
}

/** The DeviceId of a configured token: the same for every run with this state directory. */
export function stateDirDeviceId(stateDir: string): string {
  return `${CLIENT_NAME}-${createHash("sha256").update(stateDir).digest("hex").slice(0, 32)}`;
}
