import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("ask the running daemon what it is doing (its /api/status)")
    .option("--json", "print the raw JSON")
    .option("--url <url>", "the daemon's base URL instead of the one derived from server.host/server.port")
    .action(async (opts: { json?: boolean; url?: string }, command: Command) => {
      const { status } = await import("../actions/status.js");
      await status(command.optsWithGlobals<GlobalOptions>(), opts);
    });
}
