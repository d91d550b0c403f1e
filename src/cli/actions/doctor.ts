// `doctor`: every check in order, printed as it is known (src/doctor/).
import { renderResult, runDoctor, summarize } from "../../doctor/run.js";
import type { CheckResult } from "../../doctor/types.js";
import type { GlobalOptions } from "../options.js";

export async function doctor(globals: GlobalOptions, opts: { timeout: string; url?: string; json?: boolean }): Promise<void> {
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
}
