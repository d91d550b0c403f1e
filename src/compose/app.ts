// The composition root: how each part of trakt-scrobblerd is built from the config, in one place. The daemon, the
// CLI commands and the demo ask an App for the parts they need:
//
//   config → secret store → token manager → Trakt client → identifier → outbox → scrobble engine
//   players: src/players/registry.ts (one factory per config section), run by the daemon (src/daemon/players.ts)
//   activity: one stream (src/core/activity.ts) that the token manager, identifier, outbox, engine and adapters
//   report to, and the dashboard and notifications read
//
// Each part is built the first time it is asked for, and once; its code is loaded then too (the imports below are
// types only), so `accounts` opens the secret store without ever loading the outbox, and `queue` reads the outbox
// without the Trakt client. There is one Trakt client per process: its 429 blocks and per-account write spacing
// cover every caller (the outbox asks it for no retries, per call).
import { join } from "node:path";
import { Activity } from "../core/activity.js";
import type { TokenManager } from "../accounts/tokens.js";
import type { LoadOptions, ConfigSourceInfo } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { IdentifierSetup } from "../identify/setup.js";
import type { Outbox } from "../outbox/index.js";
import type { ScrobbleEngine } from "../scrobble/engine.js";
import type { LocatingSecretStore } from "../secrets/select.js";
import type { ServerTokenStore } from "../secrets/server-tokens.js";
import type { AccessTokenProvider, TraktApi } from "../trakt/api.js";
import { TraktAppHealth } from "../trakt/app-health.js";
import type { Logger } from "../util/log.js";

export const CLIENT_ID_MISSING =
  "trakt.clientId is not set: create an API app at https://app.trakt.tv/settings/apps/api (this needs Trakt VIP since 31 July 2026; redirect uri urn:ietf:wg:oauth:2.0:oob) and put its client id in the config file (trakt.clientId) or TRAKT_CLIENT_ID";

export interface AppOptions {
  config: Config;
  /** The resolved state directory (tokens, outbox, caches). */
  stateDir: string;
  log: Logger;
  /** Where the config came from, when it was loaded from file and environment. */
  source?: ConfigSourceInfo;
  /** Retries of a Trakt call that does not set its own (default: the client's). */
  traktRetries?: number;
  /** The activity stream the parts report to (default: a new one). */
  activity?: Activity;
}

export class App {
  readonly config: Config;
  readonly stateDir: string;
  readonly log: Logger;
  readonly source: ConfigSourceInfo | undefined;
  /** Whether Trakt refuses the app itself (deleted app, VIP required): the client records it, /readyz shows it. */
  readonly traktHealth = new TraktAppHealth();
  /** What happens, as it happens: every part built here reports to it. */
  readonly activity: Activity;
  readonly #traktRetries: number | undefined;
  #secretStore: Promise<LocatingSecretStore> | undefined;
  #tokens: Promise<TokenManager> | undefined;
  #trakt: Promise<TraktApi> | undefined;
  #identify: Promise<IdentifierSetup> | undefined;
  #outbox: Promise<Outbox> | undefined;
  #engine: Promise<ScrobbleEngine> | undefined;

  constructor(options: AppOptions) {
    this.config = options.config;
    this.stateDir = options.stateDir;
    this.log = options.log;
    this.source = options.source;
    this.#traktRetries = options.traktRetries;
    this.activity =
      options.activity ?? new Activity((error, event) => this.log.error({ err: error, event: event.type }, "an activity listener failed; the others still got the event"));
  }

  /**
   * Loads the config (file + environment + defaults; throws ConfigError with every problem) and builds the logger
   * it asks for, unless `parts.logger` decides otherwise.
   */
  static async load(options: LoadOptions, parts: { logger?: (config: Config) => Logger; traktRetries?: number; activity?: Activity } = {}): Promise<App> {
    const { loadConfig } = await import("../config/load.js");
    const loaded = loadConfig(options);
    const log = parts.logger ? parts.logger(loaded.config) : await configuredLogger(loaded.config);
    return new App({
      config: loaded.config,
      stateDir: loaded.stateDir,
      log,
      source: loaded.source,
      ...(parts.traktRetries === undefined ? {} : { traktRetries: parts.traktRetries }),
      ...(parts.activity === undefined ? {} : { activity: parts.activity }),
    });
  }

  /** Where tokens live: the OS keychain or the 0600 file (secrets.store). */
  secretStore(): Promise<LocatingSecretStore> {
    this.#secretStore ??= (async () => {
      const { openSecretStore } = await import("../secrets/select.js");
      return openSecretStore({ mode: this.config.secrets.store, stateDir: this.stateDir, logger: this.log });
    })();
    return this.#secretStore;
  }

  /** Tokens of the media servers (`plex login`, `jellyfin login`): the secret store's, on the same backend. */
  async serverTokens(): Promise<ServerTokenStore> {
    return (await this.secretStore()).serverTokens;
  }

  /** Tokens of every account: refresh ahead of expiry, single-flight, "needs login". Not started: the daemon starts it. */
  tokens(): Promise<TokenManager> {
    this.#tokens ??= (async () => {
      const { TokenManager } = await import("../accounts/tokens.js");
      return new TokenManager({
        store: await this.secretStore(),
        // The manager refreshes through the client, which asks the manager for tokens: both are built on demand.
        api: { refreshToken: async (refreshToken, call) => (await this.trakt()).refreshToken(refreshToken, call) },
        logger: this.log,
        refreshMarginMs: this.config.accounts.refreshMarginMinutes * 60_000,
        activity: this.activity,
      });
    })();
    return this.#tokens;
  }

  /** The Trakt client of this process. Without a client id, a stand-in whose every call fails saying what to set. */
  trakt(): Promise<TraktApi> {
    this.#trakt ??= (async () => {
      const { clientId, clientSecret, apiUrl, authUrl, timeoutMs, writeSpacingMs } = this.config.trakt;
      if (!clientId) return unconfiguredTrakt();
      const { TraktClient } = await import("../trakt/client.js");
      // Asks for the token manager only when an account call needs a token (a search or `match` never opens the store).
      const tokens: AccessTokenProvider = {
        getAccessToken: async (account, signal) => (await this.tokens()).getAccessToken(account, signal),
        refreshAfterUnauthorized: async (account, rejected, signal) => (await this.tokens()).refreshAfterUnauthorized(account, rejected, signal),
      };
      return new TraktClient({ apiUrl, authUrl, clientId, clientSecret, tokens, logger: this.log, timeoutMs, writeSpacingMs, retries: this.#traktRetries, appHealth: this.traktHealth });
    })();
    return this.#trakt;
  }

  /** Player hints → Trakt items, with the identification cache in the state directory (read before use). */
  identify(): Promise<IdentifierSetup> {
    this.#identify ??= (async () => {
      const { createIdentifier } = await import("../identify/setup.js");
      const setup = createIdentifier({
        config: this.config.identify,
        stateDir: this.stateDir,
        api: await this.trakt(),
        log: this.log.child({ component: "identify" }),
        activity: this.activity,
      });
      await setup.cache?.load();
      return setup;
    })();
    return this.#identify;
  }

  /** The durable outbox, locked for this process (throws OutboxLockedError when another process holds it). */
  outbox(): Promise<Outbox> {
    this.#outbox ??= (async () => {
      const [{ Outbox, outboxSettings }, { VERSION }] = await Promise.all([import("../outbox/index.js"), import("../version.js")]);
      const [api, { identifier }] = await Promise.all([this.trakt(), this.identify()]);
      return Outbox.open({
        dir: outboxDir(this.stateDir),
        api,
        identifier,
        defaultAccount: this.config.accounts.default,
        settings: outboxSettings(this.config),
        logger: this.log, // the outbox names its own component
        appVersion: VERSION,
        activity: this.activity,
      });
    })();
    return this.#outbox;
  }

  /** The scrobble state machine's driver: playback events in, intents into the outbox. */
  engine(): Promise<ScrobbleEngine> {
    this.#engine ??= (async () => {
      const { ScrobbleEngine } = await import("../scrobble/engine.js");
      return new ScrobbleEngine({ sink: await this.outbox(), settings: this.config.scrobble, logger: this.log, activity: this.activity });
    })();
    return this.#engine;
  }
}

/** The logger the config asks for (log.level, log.pretty), to stdout. */
export async function configuredLogger(config: Config): Promise<Logger> {
  const { createLogger } = await import("../util/log.js");
  return createLogger({ level: config.log.level, ...(config.log.pretty === undefined ? {} : { pretty: config.log.pretty }) });
}

export function outboxDir(stateDir: string): string {
  return join(stateDir, "outbox");
}

/**
 * The outbox for looking at and managing the queue (`queue list|retry|drop`): it never talks to Trakt. `readOnly`
 * reads a snapshot without the lock (while the daemon holds it).
 */
export async function openQueueOutbox(stateDir: string, options: { defaultAccount: string; readOnly?: boolean; now?: () => number }): Promise<Outbox> {
  const { Outbox } = await import("../outbox/index.js");
  const offline = (): Promise<never> => Promise.reject(new Error("the queue command does not talk to Trakt"));
  return Outbox.open({
    dir: outboxDir(stateDir),
    api: { scrobble: offline, addHistory: offline, getHistory: offline },
    identifier: { identify: offline },
    defaultAccount: options.defaultAccount,
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Stands in for the client while no client id is configured: intents wait in the outbox, logins say what to set. */
function unconfiguredTrakt(): TraktApi {
  const fail = (): Promise<never> => Promise.reject(new Error(CLIENT_ID_MISSING));
  return {
    deviceCode: fail,
    pollDeviceToken: fail,
    refreshToken: fail,
    revokeToken: fail,
    scrobble: fail,
    checkin: fail,
    deleteCheckin: fail,
    searchById: fail,
    searchText: fail,
    showSeasons: fail,
    addHistory: fail,
    removeHistory: fail,
    getHistory: fail,
    getPlayback: fail,
    removePlayback: fail,
    lastActivities: fail,
    userSettings: fail,
  };
}
