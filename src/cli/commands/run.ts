import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the daemon: follow the configured players and scrobble to Trakt (SIGTERM/SIGINT stop it, SIGHUP reloads the config)")
    .action(async (_opts: unknown, command: Command) => {
      const { run } = await import("../actions/run.js");
      await run(command.optsWithGlobals<GlobalOptions>());
    });
}
