// Jellyfin and Emby: one adapter per server, the same code for both (dialect.ts holds their differences). Users and
// the default account apply live; a new URL, token, timeout or size cap restarts the adapter (it reads the sessions
// again on connect, so nothing playing is lost).
//
// Both sections are enabled by default and do nothing until a URL is set, so this module is loaded on every start:
// it stays small, and the adapter's code (REST client, WebSocket, schemas) is loaded when an adapter starts.
import { createHash } from "node:crypto";
import type { EmbySection, JellyfinSection, MediaServerSection } from "../../config/sections/mediabrowser.js";
import type { AdapterContext, AdapterSpec, AdapterStatus, PlayerAdapter, PlayerFactory, SharedPlayerSettings } from "../adapter.js";
import type { MediaServerAdapter, MediaServerAdapterOptions, MediaServerSettings } from "./adapter.js";
import { EMBY, JELLYFIN, type Dialect } from "./dialect.js";

type Routing = Pick<MediaServerSettings, "users" | "defaultAccount">;

/** The adapter, its code loaded at its first start. */
export class MediaServerPlayer implements PlayerAdapter {
  readonly name: string;
  #adapter: MediaServerAdapter | undefined;
  #options: MediaServerAdapterOptions;

  constructor(
    options: MediaServerAdapterOptions,
    private readonly context: AdapterContext,
  ) {
    this.name = options.dialect.kind;
    this.#options = options;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (!this.#adapter) {
      const { MediaServerAdapter } = await import("./adapter.js");
      this.#adapter = new MediaServerAdapter(this.#options, this.context);
    }
    await this.#adapter.start(signal);
  }

  stop(): Promise<void> {
    return this.#adapter?.stop() ?? Promise.resolve();
  }

  status(): AdapterStatus[] {
    return this.#adapter?.status() ?? [{ name: this.name, kind: this.#options.dialect.kind, state: "starting" }];
  }

  updateRouting(routing: Routing): void {
    this.#options = { ...this.#options, settings: { ...this.#options.settings, users: routing.users, defaultAccount: routing.defaultAccount } };
    this.#adapter?.updateRouting(routing);
  }
}

function specs(dialect: Dialect, section: MediaServerSection, shared: SharedPlayerSettings): AdapterSpec[] {
  const { url } = section;
  if (url === undefined) return [];
  const settings: MediaServerSettings = {
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
        new MediaServerPlayer({ dialect, settings, serverTokens: shared.serverTokens, stateDir: shared.stateDir, log: log.child({ component: dialect.kind }) }, context),
      update: (adapter: MediaServerPlayer) => adapter.updateRouting(section),
    },
  ];
}

export const jellyfinAdapters: PlayerFactory<JellyfinSection> = (section, shared) => specs(JELLYFIN, section, shared);
export const embyAdapters: PlayerFactory<EmbySection> = (section, shared) => specs(EMBY, section, shared);
