// What the dashboard is given by the daemon (the composition root builds it; see Daemon.dashboardHost): the running
// parts it shows and the operations it offers, each the same one a CLI command uses.
import type { AccountStatus, TokenManager } from "../accounts/tokens.js";
import type { ActivityListener } from "../core/activity.js";
import type { Config } from "../config/schema.js";
import type { Identifier } from "../identify/types.js";
import type { Outbox } from "../outbox/index.js";
import type { AdapterStatus } from "../players/adapter.js";
import type { SessionSnapshot } from "../scrobble/engine.js";
import type { SecretStore } from "../secrets/store.js";
import type { TraktApi } from "../trakt/api.js";
import type { Logger } from "../util/log.js";
import type { CheckResult } from "../doctor/types.js";
import type { ReloadOutcome } from "../daemon/reload.js";
import type { Grant, HttpAccess } from "../daemon/http-access.js";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface DashboardHost {
  log: Logger;
  version: string;
  startedAt: number;
  /** The activity stream (sessions, deliveries, dead letters, …): the page is updated as it reports. */
  subscribe(listener: ActivityListener): () => void;
  /** The config the daemon runs on. */
  config(): Config;
  /** The config file the daemon reads; undefined when it runs on environment and defaults alone. */
  configFile(): string | undefined;
  /**
   * Where a fixed match is saved: the config file the daemon reads, else the first place a config file is looked
   * for that can take one (e.g. /config/config.yaml in Docker); undefined when there is none.
   */
  configTarget(): string | undefined;
  readiness(): { ready: boolean; reasons: string[] };
  adapters(): AdapterStatus[];
  sessions(): SessionSnapshot[];
  outbox: Pick<Outbox, "list" | "retry" | "drop" | "status" | "retryNow">;
  /** Recent media that could not be identified (newest last). */
  misses(): readonly { at: number; what: string; reason: string }[];
  identifier: Identifier;
  tokens: Pick<TokenManager, "snapshot" | "statuses" | "forget">;
  store: SecretStore;
  trakt(): Promise<Pick<TraktApi, "searchText" | "deviceCode" | "pollDeviceToken" | "userSettings" | "revokeToken">>;
  /** Re-reads the config file and applies it (what a change of the file does anyway, without waiting for the watcher). */
  reload(): Promise<ReloadOutcome>;
  /** The `doctor` checks, run in the daemon. */
  doctor(): Promise<CheckResult[]>;
}

export type { AccountStatus };

/** What the HTTP server knows of a request when it hands it to the dashboard. */
export interface DashboardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** How the request proved who it is; undefined when it did not and the server asks for a token (the login page). */
  grant: Grant | undefined;
  access: HttpAccess;
}

/** The dashboard as the HTTP server sees it. */
export interface DashboardRoutes {
  /** Answers the request, or returns false when the path is not the dashboard's. */
  handle(request: DashboardRequest): boolean;
  /** Ends the live connections (shutdown). */
  close(): void;
}
