// Jellyfin and Emby: one adapter per server, the same code for both (dialect.ts holds their differences). Users and
// the default account apply live; a new URL, token, timeout or size cap restarts the adapter (it reads the sessions
// again on connect, so nothing playing is lost).
import { createHash } from "node:crypto";
import type { EmbySection, JellyfinSection, MediaServerSection } from "../../config/sections/mediabrowser.js";
import type { AdapterSpec, PlayerFactory, SharedPlayerSettings } from "../adapter.js";
import { MediaServerAdapter } from "./adapter.js";
import { EMBY, JELLYFIN, type Dialect } from "./dialect.js";

function specs(dialect: Dialect, section: MediaServerSection, shared: SharedPlayerSettings): AdapterSpec[] {
  const { url } = section;
  if (url === undefined) return [];
  const settings = {
    url,
    token: section.token,
    users: section.users,
    defaultAccount: section.defaultAccount,
    requestTimeoutSeconds: section.requestTimeoutSeconds,
    maxMessageBytes: section.maxMessageBytes,
  };
  // The token enters the fingerprint as a digest: a fingerprint is compared, never shown, but a secret stays out of it.
  const token = section.token === undefined ? undefined : createHash("sha256").update(section.token).digest("hex");
  const restartOn = { url, token, requestTimeoutSeconds: section.requestTimeoutSeconds, maxMessageBytes: section.maxMessageBytes };
  return [
    {
      name: dialect.kind,
      fingerprint: JSON.stringify(restartOn),
      create: (context, log) =>
        new MediaServerAdapter(
          { dialect, settings, serverTokens: shared.serverTokens, stateDir: shared.stateDir, log: log.child({ component: dialect.kind }) },
          context,
        ),
      update: (adapter: MediaServerAdapter) => adapter.updateRouting(section),
    },
  ];
}

export const jellyfinAdapters: PlayerFactory<JellyfinSection> = (section, shared) => specs(JELLYFIN, section, shared);
export const embyAdapters: PlayerFactory<EmbySection> = (section, shared) => specs(EMBY, section, shared);
