import type { Command } from "commander";
import { loadConfig } from "../../config/load.js";
import { healthUrl } from "../../config/server-address.js";
import type { GlobalOptions } from "../options.js";

// For Docker's HEALTHCHECK and monitoring scripts: exit 0 when the daemon answers /healthz with 2xx, else 1
// (Docker reserves 2). No output on success so the health log stays small.
export function registerHealthcheckCommand(program: Command): void {
  program
    .command("healthcheck")
    .description("exit 0 if the running daemon answers GET /healthz, else 1 (for Docker HEALTHCHECK)")
    .option("--url <url>", "check this URL instead of the one derived from server.host/server.port")
    .option("--timeout <ms>", "give up after this many milliseconds", "5000")
    .action(async (opts: { url?: string; timeout: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      let url = opts.url;
      try {
        if (!url) {
          const { config } = loadConfig({ configFile: globals.config, stateDir: globals.stateDir });
          url = healthUrl(config.server.host, config.server.port);
        }
        const timeout = Number(opts.timeout);
        const response = await fetch(url, { signal: AbortSignal.timeout(Number.isFinite(timeout) && timeout > 0 ? timeout : 5000) });
        await response.body?.cancel();
        if (response.ok) return;
        console.error(`unhealthy: ${url} answered ${response.status}`);
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
        console.error(`unhealthy: ${url ?? "(no URL)"}: ${error instanceof Error ? error.message : String(error)}${cause}`);
      }
      process.exitCode = 1;
    });
}
