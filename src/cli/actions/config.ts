// `config check` and `config example`.
import { stringify } from "yaml";
import { generateExampleYaml } from "../../config/docs.js";
import { ConfigError } from "../../config/errors.js";
import { describeSource, loadConfig, type LoadedConfig } from "../../config/load.js";
import { maskSecrets } from "../../config/mask.js";
import { defaultConfig } from "../../config/schema.js";
import type { GlobalOptions } from "../options.js";

/** Exit status for an invalid configuration (usage errors are 1 from commander). */
export const EXIT_CONFIG_INVALID = 2;

export function configCheck(globals: GlobalOptions): void {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ configFile: globals.config, stateDir: globals.stateDir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`invalid configuration:\n${error.problems.length ? error.message.replace(/^/gm, "  ") : error.message}\n`);
    process.exitCode = EXIT_CONFIG_INVALID;
    return;
  }
  process.stdout.write(describeLoaded(loaded));
}

export function configExample(): void {
  process.stdout.write(generateExampleYaml(defaultConfig()));
}

/** The effective config as YAML, headed by comments saying where it came from. Secrets are masked. */
export function describeLoaded(loaded: LoadedConfig): string {
  const header = ["configuration OK", ...describeSource(loaded)].map((l) => `# ${l}`);
  return `${header.join("\n")}\n${stringify(maskSecrets(loaded.config), { lineWidth: 0 })}`;
}
