import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check config, state dir, Trakt, tokens, players and the daemon; each line with a hint (exit 1 if any check failed)")
    .option("--timeout <ms>", "timeout of each network check", "5000")
    .option("--url <url>", "the running daemon's base URL instead of the one from server.host/server.port")
    .option("--json", "print the results as JSON ([{check, status, message, hint}])")
    .action(async (opts: { timeout: string; url?: string; json?: boolean }, command: Command) => {
      const { doctor } = await import("../actions/doctor.js");
      await doctor(command.optsWithGlobals<GlobalOptions>(), opts);
    });
}
