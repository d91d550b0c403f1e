// Is the daemon running here, and does it say it is ready?
import { SERVER_TOKEN_ENV, SERVER_TOKEN_FILE, daemonBaseUrl } from "../config/server-address.js";
import type { ServerSection } from "../config/sections/runtime.js";
import { rootMessage } from "../util/error-causes.js";
import { classifyNetworkError, result, type CheckResult } from "./types.js";

export async function checkDaemon(
  server: Pick<ServerSection, "host" | "port">,
  options: { baseUrl?: string; timeoutMs?: number; token?: string | undefined } = {},
): Promise<CheckResult> {
  const check = "daemon";
  const base = options.baseUrl ?? daemonBaseUrl(server.host, server.port);
  const timeoutMs = options.timeoutMs ?? 3_000;
  try {
    const health = await fetch(new URL("/healthz", base), { signal: AbortSignal.timeout(timeoutMs) });
    await health.body?.cancel();
    if (!health.ok) return result(check, "fail", `${base}/healthz answered HTTP ${health.status}`, "look at the daemon's log (journalctl -u trakt-scrobblerd, docker logs)");
    // Beyond loopback /readyz asks for the server token (the one in the state directory, or server.token).
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    const ready = await fetch(new URL("/readyz", base), { signal: AbortSignal.timeout(timeoutMs), headers });
    if (ready.status === 401) {
      await ready.body?.cancel();
      return result(check, "warn", `running at ${base}, but it asks for its password to say whether it is ready`, `run doctor as the daemon's user (it reads <stateDir>/${SERVER_TOKEN_FILE}) or set ${SERVER_TOKEN_ENV}`);
    }
    const body = (await ready.json().catch(() => ({}))) as { reasons?: unknown };
    if (ready.ok) return result(check, "pass", `running at ${base} and ready`);
    const reasons = Array.isArray(body.reasons) ? body.reasons.map(String).join("; ") : `HTTP ${ready.status}`;
    return result(check, "warn", `running at ${base} but not ready: ${reasons}`, "fix the reasons above; `trakt-scrobblerd status` shows more");
  } catch (error) {
    if (classifyNetworkError(error) === "refused") {
      return result(check, "warn", `not running (nothing answers at ${base})`, "start it: `trakt-scrobblerd run`, `systemctl start trakt-scrobblerd`, or your container; if it runs elsewhere, check server.host/server.port");
    }
    return result(check, "fail", `${base} does not answer: ${rootMessage(error)}`, "is something else using server.port? check the daemon's log");
  }
}
