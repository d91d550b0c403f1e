import type { Command } from "commander";
import { renderResult, runDoctor, summarize } from "../../doctor/run.js";
import type { CheckResult } from "../../doctor/types.js";
import type { GlobalOptions } from "../options.js";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check config, state dir, Trakt, tokens, players and the daemon; each line with a hint (exit 1 if any check failed)")
    .option("--timeout <ms>", "timeout of each network check", "5000")
    .option("--url <url>", "the running daemon's base URL instead of the one from server.host/server.port")
    .option("--json", "print the results as JSON ([{check, status, message, hint}])")
    .action(async (opts: { timeout: string; url?: string; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) {
        console.error(`doctor: --timeout must be a positive number of milliseconds, not ${JSON.stringify(opts.timeout)}`);
        process.exitCode = 2;
        return;
      }
      const results = await runDoctor({
        configFile: globals.config,
        stateDir: globals.stateDir,
        timeoutMs: timeout,
        ...(opts.url ? { daemonUrl: opts.url } : {}),
        ...(opts.json ? {} : { onResult: (r: CheckResult) => console.log(renderResult(r)) }),
      });
      const summary = summarize(results);
      console.log(opts.json ? JSON.stringify(results, null, 2) : `\n${summary.line}`);
      if (summary.failed > 0) process.exitCode = 1;
    });
}
