import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerHealthcheckCommand(program: Command): void {
  program
    .command("healthcheck")
    .description("exit 0 if the running daemon answers GET /healthz, else 1 (for Docker HEALTHCHECK)")
    .option("--url <url>", "check this URL instead of the one derived from server.host/server.port")
    .option("--timeout <ms>", "give up after this many milliseconds", "5000")
    .action(async (opts: { url?: string; timeout: string }, command: Command) => {
      const { healthcheck } = await import("../actions/healthcheck.js");
      await healthcheck(command.optsWithGlobals<GlobalOptions>(), opts);
    });
}
