// For Docker's HEALTHCHECK and monitoring scripts: exit 0 when the daemon answers /healthz with 2xx, else 1
// (Docker reserves 2). No output on success so the health log stays small. Loads as little as it can: Docker runs
// it every 30 s, forever (bench/startup.ts measures it).
import { runningDaemonUrl } from "../daemon-url.js";
import { httpGet } from "../http-get.js";
import type { GlobalOptions } from "../options.js";

export async function healthcheck(globals: GlobalOptions, opts: { url?: string; timeout: string }): Promise<void> {
  let url = opts.url;
  try {
    url ??= `${await runningDaemonUrl(globals)}/healthz`;
    const timeout = Number(opts.timeout);
    const { status } = await httpGet(new URL(url), Number.isFinite(timeout) && timeout > 0 ? timeout : 5000);
    if (status >= 200 && status < 300) return;
    console.error(`unhealthy: ${url} answered ${status}`);
  } catch (error) {
    console.error(`unhealthy: ${url ?? "(no URL)"}: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
