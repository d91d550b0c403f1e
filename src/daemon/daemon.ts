// The daemon: the parts the composition root builds (src/compose/app.ts) put to work — adapters under a supervisor,
// one HTTP server, the daily cache prune, queue requests, live reload and shutdown. At rest nothing runs on a timer:
// the outbox and the token manager wake themselves when they have work, players announce themselves.
import cron, { type ScheduledTask } from "node-cron";
import type { TokenManager } from "../accounts/tokens.js";
import { App, CLIENT_ID_MISSING, outboxDir } from "../compose/app.js";
import { liveConfig } from "../config/diff.js";
import { loadConfig, type LoadOptions } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { IdentifierSetup } from "../identify/setup.js";
import type { Outbox } from "../outbox/index.js";
import { controlDir } from "../outbox/control.js";
import type { AdapterContext, AdapterSpec } from "../players/adapter.js";
import type { PlaybackEvent } from "../core/playback.js";
import type { ScrobbleEngine } from "../scrobble/engine.js";
import type { LocatingSecretStore } from "../secrets/select.js";
import type { TraktAppHealth } from "../trakt/app-health.js";
import type { Logger } from "../util/log.js";
import { VERSION } from "../version.js";
import { ConfigWatcher, type ReloadOutcome } from "./reload.js";
import { HttpServer, type Readiness } from "./http-server.js";
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
}

export class Daemon {
  readonly metrics = new Metrics();
  private readonly supervisor: Supervisor;
  private readonly players: Players;
  private readonly http: HttpServer;
  private readonly jobs: ScheduledTask[] = [];
  private watcher: ConfigWatcher | undefined;
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
    app: App,
    private readonly store: LocatingSecretStore,
    private readonly tokens: TokenManager,
    private readonly identify: IdentifierSetup,
    private readonly outbox: Outbox,
    private readonly engine: ScrobbleEngine,
    private readonly notifier: SdNotifier,
    private readonly options: DaemonOptions,
  ) {
    this.config = app.config;
    this.stateDir = app.stateDir;
    this.log = app.log;
    this.configFile = app.source?.file;
    this.traktHealth = app.traktHealth;
    this.supervisor = new Supervisor(this.log.child({ component: "supervisor" }));
    this.players = new Players(this.supervisor, this.context(), this.log, this.stateDir, options.extraAdapters);
    this.http = new HttpServer(
      { readiness: () => this.readiness(), status: () => this.status(), metrics: () => this.renderMetrics(), webhook: (path) => this.players.webhookFor(path) },
      this.log.child({ component: "http" }),
    );
    this.countEvent = this.metrics.counter("scrobblerd_player_events_total", "Playback events received from players, by player kind and state");
  }

  /** Starts everything; resolves once the HTTP server listens and the adapters have had their first try. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const { logger } = options;
    const app = await App.load(options, logger ? { logger: () => logger } : {});
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

    const daemon = new Daemon(app, store, tokens, identify, outbox, engine, notifier, options);
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

  private context(): AdapterContext {
    return {
      emit: (event: PlaybackEvent) => {
        this.countEvent({ player: event.player.split(":")[0] ?? event.player, state: event.state });
        this.engine.handle(event);
      },
      now: () => Date.now(),
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
    this.scheduleJobs(config);
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
      this.queueRequests?.stop();
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
