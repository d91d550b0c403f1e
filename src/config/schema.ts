import { z } from "zod";
import { accountsSection, secretsSection } from "./sections/accounts.js";
import { identifySection } from "./sections/identify.js";
import { notifySection } from "./sections/notify.js";
import { embySection, jellyfinSection } from "./sections/mediabrowser.js";
import { kodiSection, mpvSection, plexSection } from "./sections/players.js";
import { logSection, schedulesSection, serverSection } from "./sections/runtime.js";
import { outboxSection, scrobbleSection } from "./sections/scrobble.js";
import { traktSection } from "./sections/trakt.js";

/** The whole config file. The single source of config types, defaults and documentation. */
export const configSchema = z
  .object({
    stateDir: z.string().optional().describe("Where tokens, the outbox and caches live.").meta({ env: "TRAKT_SCROBBLERD_STATE_DIR", restart: true }),
    trakt: traktSection,
    accounts: accountsSection,
    secrets: secretsSection,
    log: logSection,
    server: serverSection,
    scrobble: scrobbleSection,
    outbox: outboxSection,
    identify: identifySection,
    mpv: mpvSection,
    kodi: kodiSection,
    plex: plexSection,
    notify: notifySection,
    jellyfin: jellyfinSection,
    emby: embySection,
    schedules: schedulesSection,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export function defaultConfig(): Config {
  // zod returns `.default()` values by reference: clone so no caller can change the defaults of everyone else.
  return structuredClone(configSchema.parse({}));
}
