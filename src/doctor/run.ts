// `trakt-scrobblerd doctor`: every check in order, each a pass/warn/fail line with a hint.
import type { LoadOptions } from "../config/load.js";
import { clientServerToken } from "../config/server-address.js";
import { checkAccounts, checkSecretStore, configuredAccounts } from "./accounts.js";
import { checkConfig } from "./config.js";
import { checkDaemon } from "./daemon.js";
import { checkKodi } from "./kodi.js";
import { checkMpv } from "./mpv.js";
import { checkMediaServer } from "./mediabrowser.js";
import { checkNotify } from "./notify.js";
import { checkPlex, checkPlexServers } from "./plex.js";
import { checkStateDir } from "./state-dir.js";
import { checkClientId, checkTraktReachable } from "./trakt.js";
import type { CheckResult, CheckStatus } from "./types.js";

export interface DoctorOptions extends LoadOptions {
  /** Per network check (default 5 s). */
  timeoutMs?: number;
  /** The running daemon's base URL instead of the one from server.host/server.port. */
  daemonUrl?: string;
  /** Called with each result as soon as it is known. */
  onResult?: (result: CheckResult) => void;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (...found: CheckResult[]): void => {
    for (const r of found) {
      results.push(r);
      options.onResult?.(r);
    }
  };
  const timeoutMs = options.timeoutMs ?? 5_000;
  const { result: configResult, loaded } = checkConfig(options);
  add(configResult);
  if (!loaded) return results;
  const { config, stateDir } = loaded;
  const env = options.context?.env ?? process.env;

  add(await checkStateDir(stateDir));
  add(checkClientId(config.trakt));
  const reachable = await checkTraktReachable(config.trakt, timeoutMs);
  add(reachable);
  const { result: storeResult, store } = await checkSecretStore(config, stateDir);
  add(storeResult);
  add(...(await checkAccounts(store, configuredAccounts(config), config.trakt, { timeoutMs, verifyWithTrakt: reachable.status === "pass" })));
  if (config.kodi.enabled) {
    add(...(await Promise.all(config.kodi.instances.map((i) => checkKodi(i, timeoutMs)))));
  } else {
    add({ check: "kodi", status: "skip", message: "disabled (kodi.enabled: false)" });
  }
  add(...(await checkMpv(config.mpv, { env, stateDir, timeoutMs: Math.min(timeoutMs, 2_000) })));
  add(...checkPlex(config));
  add(...(await checkPlexServers(config.plex, store?.serverTokens, timeoutMs)));
  for (const kind of ["jellyfin", "emby"] as const) {
    add(...(await checkMediaServer(kind, config[kind], { stateDir, timeoutMs, ...(store ? { serverTokens: store.serverTokens } : {}) })));
  }
  add(...(await checkNotify(config, timeoutMs)));
  const token = clientServerToken(env, { configToken: config.server.token, stateDir });
  add(await checkDaemon(config.server, { timeoutMs: Math.min(timeoutMs, 3_000), token, ...(options.daemonUrl ? { baseUrl: options.daemonUrl } : {}) }));
  return results;
}

const MARK: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };

/** One line per check (continuation lines indented), the hint under it. */
export function renderResult(r: CheckResult): string {
  const lines = [`[${MARK[r.status]}] ${r.check}: ${r.message.split("\n").join("\n         ")}`];
  if (r.hint && (r.status === "warn" || r.status === "fail")) lines.push(`       → ${r.hint}`);
  return lines.join("\n");
}

export function summarize(results: CheckResult[]): { failed: number; warned: number; line: string } {
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  const line = failed > 0 ? `${failed} problem(s) to fix, ${warned} warning(s).` : warned > 0 ? `No problems; ${warned} warning(s).` : "All checks passed.";
  return { failed, warned, line };
}
