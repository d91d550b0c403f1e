// `notify test`: a test message to each configured notification target (or one), now, and how each answered.
import { loadConfig } from "../../config/load.js";
import { hasNotifyTargets } from "../../config/sections/notify.js";
import { dashboardUrl } from "../../config/server-address.js";
import { registerConfigSecrets } from "../../config/mask.js";
import type { GlobalOptions } from "../options.js";

export async function notifyTest(globals: GlobalOptions, opts: { target?: string; json?: boolean; timeout: string }): Promise<void> {
  const timeoutMs = Number(opts.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    console.error(`notify test: --timeout must be a positive number of milliseconds, not ${JSON.stringify(opts.timeout)}`);
    process.exitCode = 2;
    return;
  }
  const { config } = loadConfig({ configFile: globals.config, stateDir: globals.stateDir });
  registerConfigSecrets(config);
  if (!hasNotifyTargets(config.notify)) {
    console.error("no notification target is configured: add one under notify.urls or notify.targets (see docs/notifications.md)");
    process.exitCode = 1;
    return;
  }
  const { selectTargets, sendTestMessages } = await import("../../notify/index.js");
  let targets;
  try {
    targets = selectTargets(config.notify, opts.target);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  const results = await sendTestMessages(targets, { dashboardUrl: dashboardUrl(config.server), timeoutMs });
  if (opts.json) console.log(JSON.stringify(results, null, 2));
  else for (const r of results) console.log(`${r.ok ? "sent  " : "FAILED"} ${r.name} (${r.url}): ${r.detail}`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
