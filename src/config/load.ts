// Loads the effective configuration: file (found in the documented order) + environment overrides + defaults,
// and decides the state directory.
import { readFileSync } from "node:fs";
import type { Config } from "./schema.js";
import { withCredentials } from "./credentials.js";
import { ConfigError } from "./errors.js";
import { registerConfigSecrets } from "./mask.js";
import { locateConfigFile, resolveStateDir, systemPathContext, unreadableConfig, type PathContext, type StateDirInputs } from "./paths.js";
import { configKeys, validateConfigText, validateData } from "./validate.js";

export interface LoadOptions {
  /** `--config`: an explicit file, which must exist. */
  configFile?: string | undefined;
  /** `--state-dir`. */
  stateDir?: string | undefined;
  /** Defaults to process.env (and the real file system) via systemPathContext(). */
  context?: PathContext;
}

export interface ConfigSourceInfo {
  /** The file read, if any. */
  file?: string;
  /** How the file was found, e.g. "--config" or "user config"; or why there is none. */
  fileFrom: string;
  /** Files looked at when none was given explicitly. */
  searched: string[];
  /** Environment variables that overrode a setting (a secret read from $CREDENTIALS_DIRECTORY is marked so). */
  envVars: string[];
  /** Where the state directory choice came from. */
  stateDirFrom: string;
  /** Keys the file sets that no longer do anything ("file:line: key: No longer used: …"); the daemon logs them. */
  warnings: string[];
}

export interface LoadedConfig {
  /** Validated config with defaults; `config.stateDir` is the resolved absolute state directory. */
  config: Config;
  source: ConfigSourceInfo;
  stateDir: string;
}

/**
 * Throws ConfigError (with file, line, key path and message for each problem) when anything is invalid.
 * Registers the config's secret values with the log scrubber (src/util/log.ts).
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const ctx = options.context ?? systemPathContext();
  const location = locateConfigFile(options.configFile, ctx);
  let file: string | undefined;
  let fileFrom: string;
  let searched: string[] = [];
  switch (location.kind) {
    case "explicit":
      if (!location.exists) {
        throw new ConfigError([{ file: location.file, path: "", message: `config file given by ${location.via} does not exist (or is not a file)` }]);
      }
      file = location.file;
      fileFrom = location.via;
      break;
    case "found":
      file = location.file;
      fileFrom = location.why;
      searched = location.searched;
      break;
    case "none":
      fileFrom = "none found; using defaults";
      searched = location.searched;
      break;
  }

  const credentials = withCredentials(ctx.env, configKeys());
  if (credentials.problems.length > 0) throw new ConfigError(credentials.problems);
  const env = credentials.env;
  let result;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (cause) {
      throw unreadableConfig(file, cause);
    }
    result = validateConfigText(text, file, { env });
  } else {
    result = validateData({}, {}, env);
  }
  if (!result.ok) throw result.error;
  registerConfigSecrets(result.config);

  const stateKey = configKeys().children.find((c) => c.name === "stateDir");
  const stateEnvName = stateKey?.env;
  const inputs: StateDirInputs = { flag: options.stateDir };
  const envValue = stateEnvName ? ctx.env[stateEnvName] : undefined;
  if (stateEnvName && envValue) inputs.fromEnv = { name: stateEnvName, value: envValue };
  else if (file !== undefined && result.config.stateDir) inputs.fromFile = { file, value: result.config.stateDir };
  const choice = resolveStateDir(inputs, ctx);

  const envVars = result.envVars.map((name) => (credentials.fromCredentials.includes(name) ? `${name} (credential in $CREDENTIALS_DIRECTORY)` : name));
  const source: ConfigSourceInfo = { fileFrom, searched, envVars, stateDirFrom: choice.from, warnings: result.warnings };
  if (file !== undefined) source.file = file;
  const { stateDir: _fromFile, ...rest } = result.config;
  return { config: { stateDir: choice.dir, ...rest }, source, stateDir: choice.dir };
}

export type TryLoadResult = { ok: true; loaded: LoadedConfig } | { ok: false; error: ConfigError };

/**
 * loadConfig that returns the error instead of throwing it; for live reload: call it with the same options as at
 * start, keep running on the old config when it fails, and compare with diffConfigs(old.config, new.config).
 * Other errors (bugs) still throw.
 */
export function tryLoadConfig(options: LoadOptions = {}): TryLoadResult {
  try {
    return { ok: true, loaded: loadConfig(options) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error };
    throw error;
  }
}

/** Human-readable lines: which file (or none, and where we looked), which env vars, which state dir and why. */
export function describeSource(loaded: LoadedConfig): string[] {
  const { source } = loaded;
  const file = source.file
    ? `${source.file} (${source.fileFrom})`
    : `${source.fileFrom}${source.searched.length ? ` (looked in: ${source.searched.join(", ")})` : ""}`;
  return [
    `config file: ${file}`,
    `environment overrides: ${source.envVars.length ? source.envVars.join(", ") : "none"}`,
    `state dir: ${loaded.stateDir} (${source.stateDirFrom})`,
    ...source.warnings.map((w) => `warning: ${w}`),
  ];
}
