// The Plex player: webhooks on the daemon's HTTP server (webhook.ts: secret, size limit, multipart; adapter.ts:
// payloads → playback events), and one adapter per server under `plex.servers` following its notification socket
// (socket-adapter.ts). Routing, filters and the webhook settings apply live; a server's address or token restarts
// its adapter.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlexSection } from "../../config/sections/players.js";
import type { Logger } from "../../util/log.js";
import type { AdapterContext, AdapterSpec, AdapterStatus, PlayerAdapter, PlayerFactory, ServerTokenSource, SharedPlayerSettings, WebhookReceiver } from "../adapter.js";
import { PlexAdapter, type PlexSettings } from "./adapter.js";
import { FollowedPlexServers } from "./followed.js";
import { PlexSocketAdapter, type PlexSocketSettings, type PlexToken } from "./socket-adapter.js";
import { PLEX_WEBHOOK_PATH, createPlexWebhookHandler } from "./webhook.js";

/**
 * The servers the socket adapters follow, shared with the webhook adapter of this process (so webhooks from a
 * followed server are ignored). Adapters register while they run, so a reload that restarts one keeps this right.
 */
const followed = new FollowedPlexServers();

function adapterSettings(section: PlexSection): PlexSettings {
  return {
    users: section.users,
    players: section.players,
    webhookServers: section.webhookServers,
    followedServers: followed,
    ...(section.defaultAccount === undefined ? {} : { defaultAccount: section.defaultAccount }),
  };
}

function socketSettings(section: PlexSection): PlexSocketSettings {
  return {
    users: section.users,
    players: section.players,
    checkMs: section.sessionCheckSeconds * 1000,
    ...(section.defaultAccount === undefined ? {} : { defaultAccount: section.defaultAccount }),
  };
}

export class PlexWebhookAdapter implements PlayerAdapter, WebhookReceiver {
  readonly name = "plex";
  readonly webhookPath = PLEX_WEBHOOK_PATH;
  readonly #adapter: PlexAdapter;
  #handler: (req: IncomingMessage, res: ServerResponse) => void;
  #unsubscribe: (() => void) | undefined;

  constructor(section: PlexSection, context: AdapterContext, log: Logger) {
    this.#adapter = new PlexAdapter(adapterSettings(section), context, log);
    this.#handler = this.#handlerFor(section);
  }

  start(signal: AbortSignal): Promise<void> {
    this.#unsubscribe ??= followed.onFollow((server) => this.#adapter.handOver(server));
    return this.#adapter.start(signal);
  }

  stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    return this.#adapter.stop();
  }

  status(): AdapterStatus[] {
    return this.#adapter.status();
  }

  handleWebhook(req: IncomingMessage, res: ServerResponse): void {
    this.#handler(req, res);
  }

  /** Routing, filters, the secret, allowed addresses and the size limit: all live. */
  reconfigure(section: PlexSection): void {
    this.#adapter.updateSettings(adapterSettings(section));
    this.#handler = this.#handlerFor(section);
  }

  #handlerFor(section: PlexSection): (req: IncomingMessage, res: ServerResponse) => void {
    return createPlexWebhookHandler({
      secret: section.webhookSecret,
      maxBodyBytes: section.maxBodyBytes,
      allowFrom: section.allowFrom,
      onPayload: (payload) => this.#adapter.accept(payload),
    });
  }
}

/**
 * A server's token: its own `token` in the config, else plex.token (PLEX_TOKEN), else the one `plex login` stored.
 * Read at every connection attempt, so a new login reaches a running daemon.
 */
function tokenSource(section: PlexSection, server: PlexSection["servers"][number], stored: ServerTokenSource | undefined): () => Promise<PlexToken | undefined> {
  return async () => {
    if (server.token !== undefined) return { token: server.token, from: `plex.servers[${server.name}].token` };
    if (section.token !== undefined) return { token: section.token, from: "plex.token (PLEX_TOKEN)" };
    const entry = await stored?.get({ kind: "plex", server: server.name });
    return entry === undefined ? undefined : { token: entry.token, from: `the token stored by \`plex login --server ${server.name}\`` };
  };
}

function digest(secret: string | undefined): string | null {
  return secret === undefined ? null : createHash("sha256").update(secret).digest("hex").slice(0, 16);
}

export const plexAdapters: PlayerFactory<PlexSection> = (section, shared: SharedPlayerSettings) => {
  const specs: AdapterSpec[] = [
    {
      name: "plex",
      fingerprint: "plex",
      create: (context, log) => new PlexWebhookAdapter(section, context, log.child({ component: "plex" })),
      update: (adapter: PlexWebhookAdapter) => adapter.reconfigure(section),
    },
  ];
  for (const server of section.servers) {
    const spec: AdapterSpec<PlexSocketAdapter> = {
      name: `plex:${server.name}`,
      // The token is part of it: an edited token restarts the connection (a stored one is read at each attempt).
      fingerprint: JSON.stringify(["plex-socket", server.url, digest(server.token), digest(section.token), section.sessionCheckSeconds]),
      create: (context, log) =>
        new PlexSocketAdapter(
          {
            server: server.name,
            url: server.url,
            token: tokenSource(section, server, shared.serverTokens),
            settings: socketSettings(section),
            followed,
            log: log.child({ component: "plex", server: server.name }),
          },
          context,
        ),
      update: (adapter) => adapter.updateSettings(socketSettings(section)),
    };
    specs.push(spec);
  }
  return specs;
};
