// The daemon: the parts the composition root builds (src/compose/app.ts) put to work — adapters under a supervisor,
// one HTTP server, the daily cache prune, queue requests, live reload and shutdown. At rest nothing runs on a timer:
// the outbox and the token manager wake themselves when they have work, players announce themselves.
import cron, { type ScheduledTask } from "node-cron";
import type { TokenManager } from "../accounts/tokens.js";
import { App, CLIENT_ID_MISSING, outboxDir } from "../compose/app.js";
import type { Activity } from "../core/activity.js";
import { liveConfig } from "../config/diff.js";
import { dashboardUrl } from "../config/server-address.js";
import { loadConfig, type LoadOptions } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { hasNotifyTargets } from "../config/sections/notify.js";
import type { IdentifierSetup } from "../identify/setup.js";
import type { HeldWatch, Notifier } from "../notify/index.js";
import type { Outbox } from "../outbox/index.js";
import { controlDir } from "../outbox/control.js";
import type { AdapterContext, AdapterSpec } from "../players/adapter.js";
import type { PlaybackEvent } from "../core/playback.js";
import type { ScrobbleEngine } from "../scrobble/engine.js";
import type { LocatingSecretStore } from "../secrets/select.js";
import type { TraktAppHealth } from "../trakt/app-health.js";
import type { Logger } from "../util/log.js";
import { VERSION } from "../version.js";
import { AdapterActivity } from "./adapter-activity.js";
import { ConfigWatcher, type ReloadOutcome } from "./reload.js";
import { HttpServer, type HttpRoutes, type Readiness } from "./http-server.js";
import { HttpAccess } from "./http-access.js";
import { serverToken } from "./server-token.js";
import { writableConfigCandidate } from "./config-target.js";
import type { DashboardHost } from "../dashboard/host.js";
import { daemonBaseUrl } from "../config/server-address.js";
import { systemPathContext } from "../config/paths.js";
import { Metrics } from "./metrics.js";
import { Players } from "./players.js";
import { QueueRequestWatcher } from "./queue-requests.js";
import { createSdNotifier, type SdNotifier } from "./sd-notify.js";
import { secureStateDir } from "./state-dir.js";
import { Supervisor } from "./supervisor.js";

export interface DaemonOptions extends LoadOptions {
  /** Replaces the logger built from config (tests). */
  logger?: Logger;
  /** Adapters beyond the configured players (the `demo` command's simulated player), kept across reloads. */
  extraAdapters?: AdapterSpec[];
  /** Watch the config file for changes (default true when there is a file). */
  watchConfig?: boolean;
  /** The activity stream to report to (default: a new one, `daemon.activity`); pass one to hear the start-up too. */
  activity?: Activity;
}

export class Daemon {
  readonly metrics = new Metrics();
  /** What happens, as it happens (sessions, deliveries, dead letters, queue, misses, accounts, adapters). */
  readonly activity: Activity;
  private readonly adapterActivity: AdapterActivity;
  private readonly supervisor: Supervisor;
  private readonly players: Players;
  private readonly http: HttpServer;
  private readonly jobs: ScheduledTask[] = [];
  private watcher: ConfigWatcher | undefined;
  /** Loaded only when the config names a notification target. */
  private notifications: Notifier | undefined;
  private queueRequests: QueueRequestWatcher | undefined;
  private stopWatchdog: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private accountsCheckedAt = 0;
  private lastReload: ReloadOutcome | undefined;
  private readonly countEvent: (labels?: Record<string, string>) => void;
  private config: Config;
  readonly stateDir: string;
  readonly log: Logger;
  private readonly configFile: string | undefined;
  private readonly traktHealth: TraktAppHealth;

  private constructor(
    private readonly app: App,
    private readonly store: LocatingSecretStore,
    private readonly tokens: TokenManager,
    private readonly identify: IdentifierSetup,
    private readonly outbox: Outbox,
    private readonly engine: ScrobbleEngine,
    private readonly notifier: SdNotifier,
    private readonly options: DaemonOptions,
    access: HttpAccess,
  ) {
    this.config = app.config;
    this.stateDir = app.stateDir;
    this.log = app.log;
    this.configFile = app.source?.file;
    this.traktHealth = app.traktHealth;
    this.activity = app.activity;
    this.adapterActivity = new AdapterActivity(this.activity);
    this.supervisor = new Supervisor(this.log.child({ component: "supervisor" }), { onConnectionChange: this.adapterActivity.report });
    this.players = new Players(this.supervisor, this.context(), this.log, this.stateDir, options.extraAdapters, store.serverTokens);
    this.http = new HttpServer(this.httpRoutes(), this.log.child({ component: "http" }), access);
    this.countEvent = this.metrics.counter("scrobblerd_player_events_total", "Playback events received from players, by player kind and state");
  }

  /** Starts everything; resolves once the HTTP server listens and the adapters have had their first try. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const { logger, activity } = options;
    const app = await App.load(options, { ...(logger ? { logger: () => logger } : {}), ...(activity ? { activity } : {}) });
    const { config, stateDir, log, source } = app;
    await secureStateDir(stateDir, log);
    log.info({ version: VERSION, config: source?.file ?? source?.fileFrom, stateDir, envVars: source?.envVars }, "starting trakt-scrobblerd");
    for (const warning of source?.warnings ?? []) log.warn(warning);
    if (!config.trakt.clientId) log.warn(`${CLIENT_ID_MISSING}. Watches are kept in the outbox until then.`);
    const store = await app.secretStore();
    const tokens = await app.tokens();
    const identify = await app.identify();
    const outbox = await app.outbox();
    const engine = await app.engine();
    const notifier = createSdNotifier({ logger: log.child({ component: "sd-notify" }) });
    const { token } = await serverToken(config.server, stateDir, log.child({ component: "http" }));
    const access = new HttpAccess({ bind: config.server.host, token, allowedHosts: config.server.allowedHosts });

    const daemon = new Daemon(app, store, tokens, identify, outbox, engine, notifier, options, access);
    try {
      await daemon.boot();
    } catch (error) {
      await daemon.stop().catch(() => undefined);
      throw error;
    }
    return daemon;
  }

  private async boot(): Promise<void> {
    // First, so that what the start-up reports (an account that needs a login, a player not there) is heard.
    await this.applyNotify(this.config);
    this.tokens.start([this.config.accounts.default]);
    // Adapters first: the Plex adapter must take webhooks before the server accepts one (Plex does not retry).
    await this.players.apply(this.config);
    const address = await this.http.listen(this.config.server.host, this.config.server.port);
    this.httpPort = address.port;
    this.scheduleJobs(this.config);
    this.registerGauges();
    await this.explainMissingSetup();
    if (this.configFile !== undefined && this.options.watchConfig !== false) {
      this.watcher = new ConfigWatcher(this.configFile, () => void this.reload(), this.log.child({ component: "reload" }));
      await this.watcher.start();
    }
    // Whatever waited in the outbox from the last run goes out now; `queue retry|drop` requests as they come.
    void this.outbox.drain();
    this.queueRequests = new QueueRequestWatcher(controlDir(outboxDir(this.stateDir)), () => this.outbox.drain(), this.log.child({ component: "outbox" }));
    await this.queueRequests.start();
    await this.notifier.ready(`scrobbling; HTTP on ${address.address}:${address.port}`);
    this.stopWatchdog = this.notifier.startWatchdog();
    this.log.info({ adapters: this.supervisor.names() }, "ready");
  }

  /** The port the HTTP server listens on (useful with port 0). */
  httpPort = 0;

  private httpRoutes(): HttpRoutes {
    return {
      readiness: () => this.readiness(),
      status: () => this.status(),
      metrics: () => this.renderMetrics(),
      webhook: (path) => this.players.webhookFor(path),
      // The dashboard's code is imported on its first request: a daemon nobody looks at never loads it.
      dashboard: this.config.server.dashboard ? async () => (await import("../dashboard/routes.js")).createDashboard(this.dashboardHost()) : undefined,
    };
  }

  /** What the dashboard shows and does: the running parts, and the same operations as the CLI's commands. */
  private dashboardHost(): DashboardHost {
    return {
      log: this.log.child({ component: "dashboard" }),
      version: VERSION,
      startedAt: this.startedAt,
      subscribe: (listener) => this.activity.subscribe(listener),
      config: () => this.config,
      configFile: () => this.configFile,
      configTarget: () => this.configFile ?? writableConfigCandidate(this.options.context ?? systemPathContext()),
      readiness: () => this.readiness(),
      adapters: () => this.supervisor.status(),
      sessions: () => this.engine.snapshot(),
      outbox: this.outbox,
      misses: () => this.identify.identifier.recentMisses(),
      identifier: this.identify.identifier,
      tokens: this.tokens,
      store: this.store,
      trakt: () => this.app.trakt(),
      reload: () => this.reload(),
      doctor: async () => {
        const { runDoctor } = await import("../doctor/run.js");
        const { host, port } = this.config.server;
        return runDoctor({
          configFile: this.options.configFile,
          stateDir: this.options.stateDir,
          ...(this.options.context ? { context: this.options.context } : {}),
          daemonUrl: daemonBaseUrl(host, this.httpPort || port),
          timeoutMs: 4_000,
        });
      },
    };
  }

  private context(): AdapterContext {
    return {
      emit: (event: PlaybackEvent) => {
        this.countEvent({ player: event.player.split(":")[0] ?? event.player, state: event.state });
        this.engine.handle(event);
      },
      now: () => Date.now(),
      onConnectionChange: this.adapterActivity.report,
    };
  }

  /** The daily identification cache prune. node-cron sets one timer for the next run (it does not tick between runs). */
  private scheduleJobs(config: Config): void {
    for (const job of this.jobs.splice(0)) void job.destroy();
    this.jobs.push(
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
    if (this.traktHealth.problem !== undefined) reasons.push(this.traktHealth.problem);
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
      ...(this.notifications ? { notify: this.notifications.status() } : {}),
    };
  }

  /** Starts, updates or stops the notifier to match the `notify` section (its code is loaded only when needed). */
  private async applyNotify(config: Config): Promise<void> {
    if (!hasNotifyTargets(config.notify)) {
      this.notifications?.stop();
      this.notifications = undefined;
      return;
    }
    if (this.notifications) {
      this.notifications.update(config.notify);
      return;
    }
    const { Notifier } = await import("../notify/index.js");
    this.notifications = new Notifier(config.notify, {
      activity: this.activity,
      log: this.log,
      dashboardUrl: () => this.dashboardUrl(),
      oldestWatch: () => this.oldestHeldWatch(),
      current: () => ({ pending: this.outbox.depth(), deadLetters: this.outbox.deadLetterCount(), adapters: this.supervisor.status() }),
    });
  }

  /** Where people open the dashboard: server.publicUrl, else this machine's address and the port listened on. */
  dashboardUrl(): string {
    return dashboardUrl(this.config.server, this.httpPort);
  }

  /** The watch waiting longest in the outbox (starts and pauses are not watches). */
  private oldestHeldWatch(): HeldWatch | undefined {
    let oldest: HeldWatch | undefined;
    for (const e of this.outbox.list().pending) {
      const queuedAt = Date.parse(e.queuedAt);
      if (e.watch && (oldest === undefined || queuedAt < oldest.queuedAt)) oldest = { id: e.id, queuedAt, label: e.label, account: e.account };
    }
    return oldest;
  }

  private renderMetrics(): string {
    return this.metrics.render();
  }

  /** Re-reads the config file and applies what can change live. An invalid file keeps the running config. */
  async reload(): Promise<ReloadOutcome> {
    if (this.stopping) return { applied: false, error: "shutting down" };
    let next: Config;
    try {
      const loaded = loadConfig(this.options);
      next = loaded.config;
      for (const warning of loaded.source.warnings) this.log.warn(warning);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, `config change refused; still running on the previous config: ${message}`);
      return (this.lastReload = { applied: false, error: message, at: new Date().toISOString() });
    }
    // One source of truth: the schema's restart flags. Everything else applies now; a key flagged `restart` keeps
    // its running value until the daemon restarts, and the outcome says so.
    const { config, diff } = liveConfig(this.config, next);
    const restartNeeded = diff.restartRequired;
    this.config = config;
    this.engine.updateSettings(config.scrobble);
    this.http.access.setAllowedHosts(config.server.allowedHosts);
    this.http.setRoutes(this.httpRoutes());
    this.identify.identifier.setOverrides(config.identify.overrides);
    this.scheduleJobs(config);
    await this.applyNotify(config);
    // Sessions in progress are kept: adapters that did not change keep running untouched.
    const { started, stopped } = await this.players.apply(config);
    if (restartNeeded.length > 0) {
      this.log.warn({ keys: restartNeeded }, `these changes need a restart to take effect: ${restartNeeded.join(", ")}`);
    }
    this.log.info({ changed: diff.changed, adapters: this.supervisor.names(), started, stopped }, "config reloaded");
    return (this.lastReload = { applied: true, restartNeeded, started, stopped, at: new Date().toISOString() });
  }

  /** The config the daemon runs on: the last one loaded, with the values of keys that wait for a restart kept. */
  get runningConfig(): Config {
    return this.config;
  }

  /**
   * Resolves once every event so far has been turned into intents, every intent has had its delivery attempt and
   * no notification is being sent.
   */
  async idleForTests(): Promise<void> {
    await this.engine.idle();
    await this.outbox.idle();
    await this.notifications?.idle();
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
      this.queueRequests?.stop();
      for (const job of this.jobs.splice(0)) void job.destroy();
      await this.engine.stop();
      await this.supervisor.stopAll();
      this.notifications?.stop();
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
