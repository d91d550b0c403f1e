import { ConfigError } from "../config/errors.js";
import { loadConfig, type LoadedConfig, type LoadOptions } from "../config/load.js";
import { result, type CheckResult } from "./types.js";

/** Loads the config as `run` would; on failure the other checks cannot run. */
export function checkConfig(options: LoadOptions): { result: CheckResult; loaded?: LoadedConfig } {
  try {
    const loaded = loadConfig(options);
    const { source } = loaded;
    const file = source.file ? `${source.file} (${source.fileFrom})` : `no file (${source.fileFrom}${source.searched.length ? `; looked in ${source.searched.join(", ")}` : ""})`;
    const env = source.envVars.length ? `; environment: ${source.envVars.join(", ")}` : "; no environment overrides";
    if (source.warnings.length > 0) {
      return { result: result("config", "warn", `loaded ${file}${env}; keys no longer used:\n${source.warnings.join("\n")}`, "remove the keys named above from the file"), loaded };
    }
    return { result: result("config", "pass", `loaded ${file}${env}`), loaded };
  } catch (error) {
    if (error instanceof ConfigError) {
      return {
        result: result("config", "fail", `invalid:\n${error.message}`, "fix each line above (file:line: key: problem); `trakt-scrobblerd config check` shows the effective config"),
      };
    }
    return { result: result("config", "fail", `cannot load: ${error instanceof Error ? error.message : String(error)}`) };
  }
}
