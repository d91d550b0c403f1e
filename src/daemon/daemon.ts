// The composition root: the only module that knows every part. Config → accounts → Trakt client → identification →
// outbox → engine → adapters under a supervisor, one HTTP server, periodic jobs, live reload and shutdown.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import cron, { type ScheduledTask } from "node-cron";
import { TokenManager } from "../accounts/tokens.js";
import { loadConfig, type LoadOptions } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createIdentifier, type IdentifierSetup } from "../identify/setup.js";
import { outboxSettings } from "../outbox/index.js";
import { Outbox, type OutboxApi } from "../outbox/outbox.js";
import type { AdapterContext, PlayerAdapter } from "../players/adapter.js";
import type { PlaybackEvent } from "../core/playback.js";
import { KodiAdapter } from "../players/kodi/adapter.js";
import { MpvAdapter } from "../players/mpv/adapter.js";
import { PlexAdapter, type PlexSettings } from "../players/plex/adapter.js";
import { createPlexWebhookHandler } from "../players/plex/webhook.js";
import { ScrobbleEngine } from "../scrobble/engine.js";
import { openSecretStore, type LocatingSecretStore } from "../secrets/select.js";
import { TraktClient } from "../trakt/client.js";
import { createLogger, registerSecret, type Logger } from "../util/log.js";
import { VERSION } from "../version.js";
import { ConfigWatcher, type ReloadOutcome } from "./reload.js";
import { HttpServer, type Readiness } from "./http-server.js";
import { Metrics } from "./metrics.js";
import { createSdNotifier, type SdNotifier } from "./sd-notify.js";
import { Supervisor } from "./supervisor.js";

export interface DaemonOptions extends LoadOptions {
  /** Replaces the logger built from config (tests). */
  logger?: Logger;
  /** Extra adapters (the `demo` command's simulated player). */
  extraAdapters?: (context: AdapterContext) => PlayerAdapter[];
  /** Watch the config file for changes (default true when there is a file). */
  watchConfig?: boolean;
}

interface AdapterSpec {
  name: string;
  fingerprint: string;
  create: () => PlayerAdapter;
}

const CLIENT_ID_MISSING = "no Trakt client id: set trakt.clientId or TRAKT_CLIENT_ID (create an app at https://app.trakt.tv/settings/apps/api)";

/** A Trakt API stand-in used while no client id is configured: every call fails, so intents wait in the outbox. */
function unconfiguredApi(): OutboxApi & { searchById: TraktClient["searchById"]; searchText: TraktClient["searchText"] } {
  const fail = (): Promise<never> => Promise.reject(new Error(CLIENT_ID_MISSING));
  return { scrobble: fail, addHistory: fail, getHistory: fail, searchById: fail, searchText: fail };
}

export class Daemon {
  readonly metrics = new Metrics();
  private readonly supervisor: Supervisor;
  private readonly http: HttpServer;
  private readonly jobs: ScheduledTask[] = [];
  private plex: PlexAdapter | undefined;
  private readonly fingerprints = new Map<string, string>();
  private watcher: ConfigWatcher | undefined;
  private stopWatchdog: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private accountsCheckedAt = 0;
  private lastReload: ReloadOutcome | undefined;
  private readonly countEvent: (labels?: Record<string, string>) => void;

  private constructor(
    private config: Config,
    readonly stateDir: string,
    private readonly configFile: string | undefined,
    readonly log: Logger,
    private readonly store: LocatingSecretStore,
    private readonly tokens: TokenManager,
    private readonly identify: IdentifierSetup,
    private readonly outbox: Outbox,
    private readonly engine: ScrobbleEngine,
    private readonly notifier: SdNotifier,
    private readonly options: DaemonOptions,
  ) {
    this.supervisor = new Supervisor(log.child({ component: "supervisor" }));
    this.http = new HttpServer(
      { readiness: () => this.readiness(), status: () => this.status(), metrics: () => this.renderMetrics() },
      log.child({ component: "http" }),
    );
    this.countEvent = this.metrics.counter("scrobblerd_player_events_total", "Playback events received from players, by player kind and state");
  }

  /** Starts everything; resolves once the HTTP server listens and the adapters have had their first try. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const loaded = loadConfig(options);
    const { config, stateDir } = loaded;
    const log =
      options.logger ??
      createLogger({ level: config.log.level, ...(config.log.pretty === undefined ? {} : { pretty: config.log.pretty }) });
    registerSecret(config.trakt.clientSecret);
    registerSecret(config.plex.webhookSecret);
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    log.info({ version: VERSION, config: loaded.source.file ?? loaded.source.fileFrom, stateDir, envVars: loaded.source.envVars }, "starting trakt-scrobblerd");

    const store = await openSecretStore({ mode: config.secrets.store, stateDir, logger: log });
    const late: { client?: TraktClient } = {};
    const tokens = new TokenManager({
      store,
      api: { refreshToken: (token, signal) => (late.client ? late.client.refreshToken(token, signal) : Promise.reject(new Error(CLIENT_ID_MISSING))) },
      logger: log.child({ component: "accounts" }),
      refreshMarginMs: config.accounts.refreshMarginMinutes * 60_000,
      schedule: config.schedules.tokenRefresh,
    });
    let outboxApi: OutboxApi = unconfiguredApi();
    if (config.trakt.clientId) {
      const clientOptions = {
        apiUrl: config.trakt.apiUrl,
        authUrl: config.trakt.authUrl,
        clientId: config.trakt.clientId,
        clientSecret: config.trakt.clientSecret,
        tokens,
        logger: log, // the client names its own component
        timeoutMs: config.trakt.timeoutMs,
        writeSpacingMs: config.trakt.writeSpacingMs,
      };
      late.client = new TraktClient(clientOptions);
      // The outbox does its own backoff and, before re-sending a watch, looks it up in the history: a client-level
      // retry of a POST whose first try Trakt did process would add a play the outbox cannot see. So: no retries.
      outboxApi = new TraktClient({ ...clientOptions, retries: 0 });
    } else {
      log.warn(`${CLIENT_ID_MISSING}. Watches are kept in the outbox until then.`);
    }
    const api = late.client ?? unconfiguredApi();

    const identify = createIdentifier({ config: config.identify, stateDir, api, log: log.child({ component: "identify" }) });
    await identify.cache?.load();
    const outbox = await Outbox.open({
      dir: join(stateDir, "outbox"),
      api: outboxApi,
      identifier: identify.identifier,
      defaultAccount: config.accounts.default,
      settings: outboxSettings(config),
      logger: log, // the outbox names its own component
      appVersion: VERSION,
    });
    const engine = new ScrobbleEngine({ sink: outbox, settings: config.scrobble, logger: log });
    const notifier = createSdNotifier({ logger: log.child({ component: "sd-notify" }) });

    const daemon = new Daemon(config, stateDir, loaded.source.file, log, store, tokens, identify, outbox, engine, notifier, options);
    try {
      await daemon.boot();
    } catch (error) {
      await daemon.stop().catch(() => undefined);
      throw error;
    }
    return daemon;
  }

  private async boot(): Promise<void> {
    this.tokens.start([this.config.accounts.default]);
    // Adapters first: the Plex route must be mounted before the server accepts a webhook (Plex does not retry).
    await this.applyAdapters(this.config, true);
    const address = await this.http.listen(this.config.server.host, this.config.server.port);
    this.httpPort = address.port;
    this.scheduleJobs(this.config);
    this.registerGauges();
    await this.explainMissingSetup();
    if (this.configFile !== undefined && this.options.watchConfig !== false) {
      this.watcher = new ConfigWatcher(this.configFile, () => void this.reload(), this.log.child({ component: "reload" }));
      await this.watcher.start();
    }
    // Whatever waited in the outbox from the last run goes out now.
    void this.outbox.drain();
    await this.notifier.ready(`scrobbling; HTTP on ${address.address}:${address.port}`);
    this.stopWatchdog = this.notifier.startWatchdog();
    this.log.info({ adapters: this.supervisor.names() }, "ready");
  }

  /** The port the HTTP server listens on (useful with port 0). */
  httpPort = 0;

  private context(): AdapterContext {
    return {
      emit: (event: PlaybackEvent) => {
        this.countEvent({ player: event.player.split(":")[0] ?? event.player, state: event.state });
        this.engine.handle(event);
      },
      now: () => Date.now(),
    };
  }

  private plexSettings(config: Config): PlexSettings {
    return {
      users: config.plex.users,
      players: config.plex.players,
      servers: config.plex.servers,
      ...(config.plex.defaultAccount === undefined ? {} : { defaultAccount: config.plex.defaultAccount }),
    };
  }

  /** Each adapter the config asks for, with a fingerprint of its settings: same fingerprint = keep it running. */
  private adapterSpecs(config: Config): AdapterSpec[] {
    const context = this.context();
    const specs: AdapterSpec[] = [];
    if (config.mpv.enabled) {
      specs.push({
        name: "mpv",
        fingerprint: JSON.stringify(config.mpv),
        create: () => new MpvAdapter({ config: config.mpv, context, log: this.log.child({ component: "mpv" }) }),
      });
    }
    if (config.kodi.enabled) {
      for (const instance of config.kodi.instances) {
        const settings = {
          name: instance.name,
          url: instance.url,
          account: instance.account,
          ignoreLiveTv: config.kodi.ignoreLiveTv,
          excludePaths: config.kodi.excludePaths,
          pollMaxMs: config.kodi.pollMaxSeconds * 1000,
          watchedThreshold: config.scrobble.watchedThreshold,
        };
        specs.push({
          name: instance.name,
          fingerprint: JSON.stringify(settings),
          create: () => new KodiAdapter({ ...settings, log: this.log }, context),
        });
      }
    }
    if (config.plex.enabled) {
      // Plex settings (routing, filters, secret) apply live without a restart; see applyPlexSettings.
      specs.push({
        name: "plex",
        fingerprint: "plex",
        create: () => new PlexAdapter(this.plexSettings(config), context, this.log.child({ component: "plex" })),
      });
    }
    for (const adapter of this.options.extraAdapters?.(context) ?? []) {
      specs.push({ name: adapter.name, fingerprint: "extra", create: () => adapter });
    }
    return specs;
  }

  /** Brings the running adapters in line with the config: removed ones stop, new ones start, changed ones restart,
   * unchanged ones keep running (so their sessions in progress are not disturbed). */
  private async applyAdapters(config: Config, firstRun = false): Promise<{ started: string[]; stopped: string[] }> {
    const wanted = firstRun ? this.adapterSpecs(config) : this.adapterSpecs(config).filter((s) => s.fingerprint !== "extra");
    const wantedNames = new Set(wanted.map((s) => s.name));
    const started: string[] = [];
    const stopped: string[] = [];
    for (const name of this.supervisor.names()) {
      const spec = wanted.find((s) => s.name === name);
      const extra = this.fingerprints.get(name) === "extra";
      if ((!wantedNames.has(name) && !extra) || (spec !== undefined && spec.fingerprint !== this.fingerprints.get(name))) {
        await this.supervisor.remove(name);
        this.fingerprints.delete(name);
        stopped.push(name);
      }
    }
    for (const spec of wanted) {
      if (this.supervisor.has(spec.name)) continue;
      const adapter = spec.create();
      if (adapter instanceof PlexAdapter) this.plex = adapter;
      await this.supervisor.add(adapter);
      this.fingerprints.set(spec.name, spec.fingerprint);
      started.push(spec.name);
    }
    if (!wantedNames.has("plex")) this.plex = undefined;
    this.plex?.updateSettings(this.plexSettings(config));
    this.mountPlex(config);
    return { started, stopped };
  }

  private mountPlex(config: Config): void {
    const plex = this.plex;
    this.http.setRoutes({
      readiness: () => this.readiness(),
      status: () => this.status(),
      metrics: () => this.renderMetrics(),
      plexWebhook:
        plex === undefined
          ? undefined
          : createPlexWebhookHandler({
              secret: config.plex.webhookSecret,
              maxBodyBytes: config.plex.maxBodyBytes,
              allowFrom: config.plex.allowFrom,
              onPayload: (payload) => plex.accept(payload),
            }),
    });
  }

  private scheduleJobs(config: Config): void {
    for (const job of this.jobs.splice(0)) void job.destroy();
    this.jobs.push(
      cron.schedule(config.schedules.outboxDrain, () => this.outbox.drain(), { name: "outbox-drain", noOverlap: true }),
      cron.schedule(
        config.schedules.cachePrune,
        async () => {
          const pruned = (await this.identify.cache?.prune()) ?? 0;
          if (pruned > 0) this.log.info({ pruned }, "identification cache pruned");
        },
        { name: "cache-prune", noOverlap: true },
      ),
    );
  }

  private registerGauges(): void {
    this.metrics.gauge("scrobblerd_outbox_depth", "Intents waiting in the outbox", () => this.outbox.depth());
    this.metrics.gauge("scrobblerd_outbox_dead_letters", "Intents kept as dead letters", () => this.outbox.deadLetterCount());
    this.metrics.gauge("scrobblerd_sessions_active", "Playback sessions being followed", () => this.engine.snapshot().length);
    this.metrics.counterFrom("scrobblerd_intents_total", "Intents decided by the state machine, by kind", () =>
      Object.entries(this.engine.metrics().intents).map(([kind, value]) => ({ labels: { kind }, value })),
    );
    // The outbox counts requests as "<call> <answer>", e.g. "scrobble 201", "history 201", "scrobble retryable".
    this.metrics.counterFrom("scrobblerd_trakt_requests_total", "Requests to Trakt by call and status", () =>
      Object.entries(this.outbox.status().counters.requests).map(([key, value]) => {
        const [call = key, status = "unknown"] = key.split(" ");
        return { labels: { call, status }, value };
      }),
    );
    this.metrics.counterFrom("scrobblerd_trakt_retries_total", "Retries of Trakt requests", () => this.outbox.status().counters.retries);
    this.metrics.counterFrom("scrobblerd_delivered_total", "Intents delivered to Trakt", () => this.outbox.status().counters.delivered);
    this.metrics.counterFrom("scrobblerd_identify_empty_id_lookups_total", "Trakt id lookups that found nothing, by id kind (identification fell through to the next)", () =>
      Object.entries(this.identify.identifier.emptyIdLookups()).map(([idType, value]) => ({ labels: { id_type: idType }, value })),
    );
    this.metrics.gauge("scrobblerd_adapter_up", "1 when the adapter is connected", () =>
      this.supervisor.status().map((s) => ({ labels: { adapter: s.name }, value: s.state === "connected" ? 1 : 0 })),
    );
  }

  private async explainMissingSetup(): Promise<void> {
    const accounts = await this.tokens.statuses([this.config.accounts.default]).catch(() => []);
    const usable = accounts.filter((a) => a.state === "ok" || a.state === "refresh_due");
    if (usable.length === 0) {
      this.log.warn(
        `no Trakt account: run \`trakt-scrobblerd login\`${this.config.accounts.default === "default" ? "" : ` --account ${this.config.accounts.default}`}. Watches seen until then are kept in the outbox.`,
      );
    }
    if (this.config.plex.enabled && this.config.plex.webhookSecret === undefined) {
      this.log.info("Plex webhooks are refused until plex.webhookSecret (PLEX_WEBHOOK_SECRET) is set");
    }
  }

  readiness(): Readiness {
    const reasons = [...this.tokens.problems()];
    // A login done by another process (`trakt-scrobblerd login`) shows up here within seconds, not at the next
    // scheduled token check: while something is wrong, each readiness probe re-reads the accounts (throttled).
    if (reasons.length > 0 && Date.now() - this.accountsCheckedAt > 2_000) {
      this.accountsCheckedAt = Date.now();
      void this.tokens.statuses([this.config.accounts.default]).catch(() => undefined);
    }
    if (!this.config.trakt.clientId) reasons.push(CLIENT_ID_MISSING);
    if (this.stopping) reasons.push("shutting down");
    return { ready: reasons.length === 0, reasons };
  }

  status(): Record<string, unknown> {
    const outbox = this.outbox.status();
    return {
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      ready: this.readiness(),
      adapters: this.supervisor.status(),
      playing: this.engine.snapshot().map((s) => ({
        player: s.player,
        session: s.sessionKey,
        account: s.account,
        state: s.state,
        item: s.item,
        progress: s.progress,
        updatedAt: new Date(s.updatedAt).toISOString(),
      })),
      outbox: {
        pending: outbox.pending,
        deadLetters: outbox.deadLetters,
        deadByReason: outbox.deadByReason,
        accounts: outbox.accounts,
      },
      lastScrobbles: outbox.lastDeliveries,
      notIdentified: this.identify.identifier.recentMisses().map((m) => ({ at: new Date(m.at).toISOString(), what: m.what, reason: m.reason })),
      accounts: this.tokens.snapshot().map((a) => ({
        account: a.account,
        user: a.username,
        state: a.state,
        backend: a.backend,
        expiresAt: a.expiresAt?.toISOString(),
        reason: a.reason,
      })),
      secrets: this.store.description,
      config: { file: this.configFile, lastReload: this.lastReload },
    };
  }

  private renderMetrics(): string {
    return this.metrics.render();
  }

  /** Re-reads the config file and applies what can change live. An invalid file keeps the running config. */
  async reload(): Promise<ReloadOutcome> {
    if (this.stopping) return { applied: false, error: "shutting down" };
    let next: Config;
    try {
      next = loadConfig(this.options).config;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, `config change refused; still running on the previous config: ${message}`);
      return (this.lastReload = { applied: false, error: message, at: new Date().toISOString() });
    }
    const before = this.config;
    const restartNeeded = restartOnlyChanges(before, next);
    // Sessions in progress are kept: adapters that did not change keep running untouched.
    this.config = { ...next, ...Object.fromEntries(restartNeeded.map((key) => [key, before[key]])) };
    this.engine.updateSettings(this.config.scrobble);
    const { started, stopped } = await this.applyAdapters(this.config);
    this.scheduleJobs(this.config);
    if (restartNeeded.length > 0) {
      this.log.warn({ keys: restartNeeded }, `these changes need a restart to take effect: ${restartNeeded.join(", ")}`);
    }
    this.log.info({ adapters: this.supervisor.names(), started, stopped }, "config reloaded");
    return (this.lastReload = { applied: true, restartNeeded, started, stopped, at: new Date().toISOString() });
  }

  /** Resolves once every event so far has been turned into intents and every intent has had its delivery attempt. */
  async idleForTests(): Promise<void> {
    await this.engine.idle();
    await this.outbox.idle();
  }

  /**
   * Graceful stop: the engine pauses what Trakt thinks is playing (players may well still be playing; a stop would
   * count a watch nobody finished), the adapters close, the outbox gets a few seconds to deliver, then everything
   * is closed. Safe to call twice.
   */
  stop(flushMs = 3_000): Promise<void> {
    this.stopping ??= (async () => {
      await this.notifier.stopping("shutting down").catch(() => undefined);
      this.stopWatchdog?.();
      await this.watcher?.stop();
      for (const job of this.jobs.splice(0)) void job.destroy();
      await this.engine.stop();
      await this.supervisor.stopAll();
      await Promise.race([this.outbox.idle(), new Promise((resolve) => setTimeout(resolve, flushMs).unref())]);
      await this.outbox.close();
      await this.identify.cache?.flush();
      await this.tokens.stop();
      await this.http.close();
      this.log.info("stopped");
    })();
    return this.stopping;
  }
}

type SectionKey = keyof Config;
/** Sections a reload applies at once; any other section's change is reported as needing a restart. */
const LIVE_SECTIONS = new Set<SectionKey>(["scrobble", "mpv", "kodi", "plex", "schedules"]);

/** Top-level sections that changed but can only take effect after a restart. */
function restartOnlyChanges(before: Config, after: Config): SectionKey[] {
  return (Object.keys(after) as SectionKey[]).filter(
    (key) => !LIVE_SECTIONS.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

