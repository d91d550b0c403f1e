import type { Command } from "commander";
import { stringify } from "yaml";
import { generateExampleYaml } from "../../config/docs.js";
import { ConfigError } from "../../config/errors.js";
import { describeSource, loadConfig, type LoadedConfig } from "../../config/load.js";
import { maskSecrets } from "../../config/mask.js";
import { defaultConfig } from "../../config/schema.js";
import type { GlobalOptions } from "../options.js";

/** Exit status for an invalid configuration (usage errors are 1 from commander). */
export const EXIT_CONFIG_INVALID = 2;

export function registerConfigCommand(program: Command): void {
  const config = program.command("config").description("check and print the effective configuration");

  config
    .command("check", { isDefault: true })
    .description("validate the config (file + environment) and print it with secrets masked; exit 2 if invalid")
    .action((_opts: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
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
    });

  config
    .command("example")
    .description("print an example config file with every key, its default and its description")
    .action(() => {
      process.stdout.write(generateExampleYaml(defaultConfig()));
    });
}

/** The effective config as YAML, headed by comments saying where it came from. Secrets are masked. */
export function describeLoaded(loaded: LoadedConfig): string {
  const header = ["configuration OK", ...describeSource(loaded)].map((l) => `# ${l}`);
  return `${header.join("\n")}\n${stringify(maskSecrets(loaded.config), { lineWidth: 0 })}`;
}
