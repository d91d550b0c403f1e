import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerConfigCommand(program: Command): void {
  const config = program.command("config").description("check and print the effective configuration");

  config
    .command("check", { isDefault: true })
    .description("validate the config (file + environment) and print it with secrets masked; exit 2 if invalid")
    .action(async (_opts: unknown, command: Command) => {
      const { configCheck } = await import("../actions/config.js");
      configCheck(command.optsWithGlobals<GlobalOptions>());
    });

  config
    .command("example")
    .description("print an example config file with every key, its default and its description")
    .action(async () => {
      const { configExample } = await import("../actions/config.js");
      configExample();
    });
}
