// doctor: the notification targets, shown with their secrets masked, each looked at without sending anything (the
// notifier is loaded only when a target is configured). `trakt-scrobblerd notify test` sends a real test message.
import type { Config } from "../config/schema.js";
import { hasNotifyTargets } from "../config/sections/notify.js";
import { result, type CheckResult } from "./types.js";

export async function checkNotify(config: Config, timeoutMs: number): Promise<CheckResult[]> {
  if (!hasNotifyTargets(config.notify)) return [result("notifications", "skip", "no target configured (notify.urls, notify.targets)")];
  const { probeTargets, selectTargets } = await import("../notify/index.js");
  const checks = await probeTargets(selectTargets(config.notify), timeoutMs);
  return checks.map((c) =>
    c.ok
      ? result(`notify ${c.name}`, "pass", `${c.url}: ${c.detail}; events: ${c.events.join(", ")}`)
      : result(`notify ${c.name}`, "warn", `${c.url}: ${c.detail}`, "check the URL (and token) of this target; `trakt-scrobblerd notify test` sends a test message. Scrobbling does not depend on it."),
  );
}
