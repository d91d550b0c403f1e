// For Docker's HEALTHCHECK and monitoring scripts: exit 0 when the daemon answers /healthz with 2xx, else 1
// (Docker reserves 2). No output on success so the health log stays small. Loads as little as it can: Docker runs
// it every 30 s, forever (bench/startup.ts measures it).
import { runningDaemonUrl } from "../daemon-url.js";
import type { GlobalOptions } from "../options.js";

export async function healthcheck(globals: GlobalOptions, opts: { url?: string; timeout: string }): Promise<void> {
  let url = opts.url;
  try {
    url ??= `${await runningDaemonUrl(globals)}/healthz`;
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
}
