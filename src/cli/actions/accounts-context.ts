// What the login/logout/accounts commands need, built from the global options. Two seams (AccountsDeps) that
// tests replace and the daemon can reuse:
//   - `loadConfig`: src/config/load.ts (file + env + defaults, state dir resolved);
//   - `createApi`:  the Trakt client (src/trakt/client.ts) around our TokenManager.
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { openSecretStore, type LocatingSecretStore } from "../secrets/select.js";
import type { AccessTokenProvider, TraktApi } from "../trakt/api.js";
import { TraktClient } from "../trakt/client.js";
import { createLogger, registerSecret, type Logger } from "../util/log.js";
import { TokenManager } from "./tokens.js";

/** The part of the Trakt client accounts use. */
export type AccountsApi = Pick<TraktApi, "deviceCode" | "pollDeviceToken" | "refreshToken" | "revokeToken" | "userSettings">;

export interface GlobalOptionsLike {
  config?: string;
  stateDir?: string;
}

export interface AccountsDeps {
  loadConfig(globals: GlobalOptionsLike): Promise<Config>;
  createApi(config: Config, tokens: AccessTokenProvider, logger: Logger): AccountsApi;
  /** Where log lines go (stderr for the CLI; tests capture it). */
  logDestination: NodeJS.WritableStream;
  /** Terminal output (stdout). */
  out: { write(text: string): unknown };
  /** For tests: how the keychain is reached. */
  openStore?: typeof openSecretStore;
}

export interface AccountsContext {
  config: Config;
  stateDir: string;
  logger: Logger;
  store: LocatingSecretStore;
  tokens: TokenManager;
  api: AccountsApi;
}

/** The real config loader (file + environment + defaults; resolves the state directory). */
export function loadAccountsConfig(globals: GlobalOptionsLike): Promise<Config> {
  return Promise.resolve(loadConfig({ configFile: globals.config, stateDir: globals.stateDir }).config);
}

export async function createAccountsContext(globals: GlobalOptionsLike, deps: AccountsDeps): Promise<AccountsContext> {
  const config = await deps.loadConfig(globals);
  const stateDir = globals.stateDir ?? config.stateDir;
  if (!stateDir) throw new Error("no state directory: pass --state-dir or set stateDir in the config file");
  // Interactive commands keep stderr quiet unless debug logging was asked for.
  const level = config.log.level === "debug" || config.log.level === "trace" ? config.log.level : "warn";
  const logger = createLogger({ level, destination: deps.logDestination });
  const { store, tokens, api } = await openAccounts({ config, stateDir, logger, createApi: (c, t, l) => deps.createApi(c, t, l), ...(deps.openStore ? { openStore: deps.openStore } : {}) });
  return { config, stateDir, logger, store, tokens, api };
}

export interface OpenAccountsOptions<A extends Pick<TraktApi, "refreshToken">> {
  config: Config;
  stateDir: string;
  logger: Logger;
  /** Builds the Trakt client around the token manager (the daemon passes one returning its full TraktClient). */
  createApi: (config: Config, tokens: AccessTokenProvider, logger: Logger) => A;
  openStore?: typeof openSecretStore;
}

/**
 * Secret store + token manager + Trakt client, wired together. For the daemon:
 *   const { tokens, api } = await openAccounts({ config, stateDir, logger, createApi: (c, t, l) => new TraktClient(...) });
 *   tokens.start([config.accounts.default]);   // cron refresh (schedules.tokenRefresh) + one check now
 *   readiness: tokens.problems();  status: tokens.snapshot();  shutdown: await tokens.stop();
 */
export async function openAccounts<A extends Pick<TraktApi, "refreshToken">>(
  options: OpenAccountsOptions<A>,
): Promise<{ store: LocatingSecretStore; tokens: TokenManager; api: A }> {
  const { config, stateDir, logger } = options;
  registerSecret(config.trakt.clientSecret);
  const store = await (options.openStore ?? openSecretStore)({ mode: config.secrets.store, stateDir, logger });
  // The manager refreshes through the client, and the client asks the manager for tokens: the closure breaks
  // the cycle (refreshToken is only called after both exist).
  const late: { api?: A } = {};
  const tokens = new TokenManager({
    store,
    api: { refreshToken: (refreshToken, signal) => late.api!.refreshToken(refreshToken, signal) },
    logger,
    refreshMarginMs: config.accounts.refreshMarginMinutes * 60_000,
    schedule: config.schedules.tokenRefresh,
  });
  const api = options.createApi(config, tokens, logger);
  late.api = api;
  return { store, tokens, api };
}

/** The real Trakt client, with this process's TokenManager as its token provider. */
export function createTraktApi(config: Config, tokens: AccessTokenProvider, logger: Logger): AccountsApi {
  if (!config.trakt.clientId) {
    // `accounts` works without one; anything that talks to Trakt says what to set.
    const fail = (): Promise<never> => Promise.reject(new Error(CLIENT_ID_MISSING));
    return { deviceCode: fail, pollDeviceToken: fail, refreshToken: fail, revokeToken: fail, userSettings: fail };
  }
  return new TraktClient({
    apiUrl: config.trakt.apiUrl,
    authUrl: config.trakt.authUrl,
    clientId: config.trakt.clientId,
    clientSecret: config.trakt.clientSecret,
    tokens,
    logger,
    timeoutMs: config.trakt.timeoutMs,
    writeSpacingMs: config.trakt.writeSpacingMs,
  });
}

export function defaultAccountsDeps(overrides: Partial<AccountsDeps> = {}): AccountsDeps {
  return {
    loadConfig: loadAccountsConfig,
    createApi: createTraktApi,
    logDestination: process.stderr,
    out: process.stdout,
    ...overrides,
  };
}

const CLIENT_ID_MISSING =
  "trakt.clientId is not set: create an API app at https://app.trakt.tv/settings/apps/api (redirect uri urn:ietf:wg:oauth:2.0:oob) and put its client id in the config file (trakt.clientId) or TRAKT_CLIENT_ID";

/** login/logout talk to Trakt: without a client id nothing works, so say what to set. */
export function requireClientId(config: Config): void {
  if (!config.trakt.clientId) throw new Error(CLIENT_ID_MISSING);
}

/** Runs a command body; an error becomes one clear line on stderr and exit code 1. */
export async function runAccountsCommand(deps: AccountsDeps, body: (track: (ctx: AccountsContext) => void) => Promise<void>): Promise<void> {
  let ctx: AccountsContext | undefined;
  try {
    await body((c) => (ctx = c));
  } catch (error) {
    deps.logDestination.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  if (ctx?.store.keychainHung()) {
    // A keychain call that never returned pins the event loop (and even process.exit) until it returns.
    deps.logDestination.write("note: the OS keychain stopped answering (hung D-Bus?); if this command does not exit, press Ctrl-C — your data is saved\n");
  }
}
