// What the login/logout/accounts commands need, from the composition root (src/compose/app.ts): the config, a quiet
// logger on stderr, the secret store, the token manager and the Trakt client. Tests replace `loadConfig` and the
// output streams (AccountsDeps).
import { App, CLIENT_ID_MISSING } from "../../compose/app.js";
import { loadConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import type { TokenManager } from "../../accounts/tokens.js";
import type { LocatingSecretStore } from "../../secrets/select.js";
import type { TraktApi } from "../../trakt/api.js";
import { createLogger, type Logger } from "../../util/log.js";
import type { GlobalOptions } from "../options.js";

/** The part of the Trakt client accounts use. */
export type AccountsApi = Pick<TraktApi, "deviceCode" | "pollDeviceToken" | "refreshToken" | "revokeToken" | "userSettings">;

export interface AccountsDeps {
  loadConfig(globals: GlobalOptions): Promise<Config>;
  /** Where log lines go (stderr for the CLI; tests capture it). */
  logDestination: NodeJS.WritableStream;
  /** Terminal output (stdout). */
  out: { write(text: string): unknown };
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
export function loadAccountsConfig(globals: GlobalOptions): Promise<Config> {
  return Promise.resolve(loadConfig({ configFile: globals.config, stateDir: globals.stateDir }).config);
}

export async function createAccountsContext(globals: GlobalOptions, deps: AccountsDeps): Promise<AccountsContext> {
  const config = await deps.loadConfig(globals);
  const stateDir = globals.stateDir ?? config.stateDir;
  if (!stateDir) throw new Error("no state directory: pass --state-dir or set stateDir in the config file");
  // Interactive commands keep stderr quiet unless debug logging was asked for.
  const level = config.log.level === "debug" || config.log.level === "trace" ? config.log.level : "warn";
  const logger = createLogger({ level, destination: deps.logDestination });
  const app = new App({ config, stateDir, log: logger });
  return { config, stateDir, logger, store: await app.secretStore(), tokens: await app.tokens(), api: await app.trakt() };
}

export function defaultAccountsDeps(overrides: Partial<AccountsDeps> = {}): AccountsDeps {
  return {
    loadConfig: loadAccountsConfig,
    logDestination: process.stderr,
    out: process.stdout,
    ...overrides,
  };
}

/** login/logout talk to Trakt: without a client id nothing works, so say what to set. */
export function requireClientId(config: Config): void {
  if (!config.trakt.clientId) throw new Error(CLIENT_ID_MISSING);
}

/** Runs a command body; an error becomes one clear line on stderr and exit code 1. */
export async function runAccountsCommand(deps: AccountsDeps, body: (track: (ctx: Pick<AccountsContext, "store">) => void) => Promise<void>): Promise<void> {
  let ctx: Pick<AccountsContext, "store"> | undefined;
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
