// The Plex player: webhooks on the daemon's HTTP server (webhook.ts: secret, size limit, multipart) feeding the
// adapter (adapter.ts: payloads → playback events). Every Plex setting applies live, without a restart.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlexSection } from "../../config/sections/players.js";
import type { Logger } from "../../util/log.js";
import type { AdapterContext, AdapterStatus, PlayerAdapter, PlayerFactory, WebhookReceiver } from "../adapter.js";
import { PlexAdapter, type PlexSettings } from "./adapter.js";
import { PLEX_WEBHOOK_PATH, createPlexWebhookHandler } from "./webhook.js";

function adapterSettings(section: PlexSection): PlexSettings {
  return {
    users: section.users,
    players: section.players,
    servers: section.servers,
    ...(section.defaultAccount === undefined ? {} : { defaultAccount: section.defaultAccount }),
  };
}

export class PlexWebhookAdapter implements PlayerAdapter, WebhookReceiver {
  readonly name = "plex";
  readonly webhookPath = PLEX_WEBHOOK_PATH;
  readonly #adapter: PlexAdapter;
  #handler: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(section: PlexSection, context: AdapterContext, log: Logger) {
    this.#adapter = new PlexAdapter(adapterSettings(section), context, log);
    this.#handler = this.#handlerFor(section);
  }

  start(signal: AbortSignal): Promise<void> {
    return this.#adapter.start(signal);
  }

  stop(): Promise<void> {
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

export const plexAdapters: PlayerFactory<PlexSection> = (section) => [
  {
    name: "plex",
    fingerprint: "plex",
    create: (context, log) => new PlexWebhookAdapter(section, context, log.child({ component: "plex" })),
    update: (adapter: PlexWebhookAdapter) => adapter.reconfigure(section),
  },
];
