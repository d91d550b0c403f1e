// `notify test` and `doctor`: a test message to each target, and a look at each one that sends nothing.
import type { NotifySection } from "../config/sections/notify.js";
import { errorCodes, rootMessage } from "../util/error-causes.js";
import { readBoundedText } from "../util/http-response.js";
import { scrubString } from "../util/log.js";
import { USER_AGENT } from "../version.js";
import { httpSender } from "./dispatcher.js";
import { composeMessage, type Notice } from "./notice.js";
import { targetsOf, type Target } from "./target.js";

export interface CheckResult {
  name: string;
  type: Target["type"];
  /** Secrets masked. */
  url: string;
  /** The events this target gets. */
  events: string[];
  ok: boolean;
  detail: string;
}

/** The targets of the section, or only the one named `only` (throws a clear error when there is none by that name). */
export function selectTargets(section: NotifySection, only?: string): Target[] {
  const targets = targetsOf(section);
  if (only === undefined) return targets;
  const picked = targets.filter((t) => t.name === only);
  if (picked.length === 0) throw new Error(`no notification target named "${only}" (targets: ${targets.map((t) => `"${t.name}"`).join(", ") || "none"})`);
  return picked;
}

/** Sends one test message to each target, at once (no coalescing), and says how each answered. */
export async function sendTestMessages(targets: readonly Target[], options: { dashboardUrl: string; timeoutMs: number }): Promise<CheckResult[]> {
  const notice: Notice = {
    event: "watched",
    key: "test",
    at: Date.now(),
    title: "trakt-scrobblerd test notification",
    text: "This target works: trakt-scrobblerd will tell you here when an account needs a login, a watch goes to the dead letters, a file cannot be identified, the outbox holds a watch too long or a player stays unreachable.",
    link: options.dashboardUrl,
    severity: "low",
  };
  return Promise.all(
    targets.map(async (target): Promise<CheckResult> => {
      const outcome = await httpSender(target, composeMessage([notice], 0), options.timeoutMs, new AbortController().signal);
      return { name: target.name, type: target.type, url: target.address.shown, events: [...target.events], ok: outcome.ok, detail: outcome.ok ? `sent (HTTP ${outcome.status})` : outcome.error };
    }),
  );
}

/**
 * Looks at each target without sending a message: ntfy's /v1/health, Gotify's /health, the Discord webhook (GET
 * answers with its name), Telegram's getMe (the bot token is right); for a generic webhook only that its server
 * answers HTTP.
 */
export async function probeTargets(targets: readonly Target[], timeoutMs: number): Promise<CheckResult[]> {
  return Promise.all(
    targets.map(async (target): Promise<CheckResult> => {
      const base = { name: target.name, type: target.type, url: target.address.shown, events: [...target.events] };
      const { url, expect } = probeOf(target);
      try {
        const response = await fetch(url, { headers: { "user-agent": USER_AGENT, ...authHeaders(target) }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
        const { text } = await readBoundedText(response, 16 * 1024, AbortSignal.timeout(timeoutMs));
        const problem = expect(response.status, text);
        const reached = target.type === "webhook" ? `the server answers (HTTP ${response.status}); the webhook itself is only checked by sending: \`notify test\`` : `reachable (HTTP ${response.status})`;
        return { ...base, ok: problem === undefined, detail: problem ?? reached };
      } catch (error) {
        const code = errorCodes(error).find((c) => /^E[A-Z]+$/.test(c));
        return { ...base, ok: false, detail: scrubString(`cannot reach it: ${rootMessage(error)}${code && !rootMessage(error).includes(code) ? ` (${code})` : ""}`) };
      }
    }),
  );
}

function authHeaders(target: Target): Record<string, string> {
  if (target.token === undefined) return {};
  return target.type === "gotify" ? { "x-gotify-key": target.token } : { authorization: `Bearer ${target.token}` };
}

function probeOf(target: Target): { url: URL; expect: (status: number, text: string) => string | undefined } {
  const url = new URL(target.address.url.href);
  url.username = "";
  url.password = "";
  const answered = (status: number): string | undefined => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`);
  switch (target.type) {
    case "ntfy": {
      const topic = url.pathname.split("/").filter((s) => s !== "").at(-1) ?? "";
      url.pathname = `${url.pathname.slice(0, url.pathname.lastIndexOf(topic))}v1/health`;
      url.search = "";
      return { url, expect: (status, text) => answered(status) ?? (text.includes('"healthy":true') ? undefined : "ntfy says it is not healthy") };
    }
    case "gotify":
      url.pathname = url.pathname.replace(/\/message\/?$/, "/health");
      url.search = "";
      return { url, expect: answered };
    case "discord":
      return { url, expect: (status) => (status === 401 || status === 404 ? `HTTP ${status}: the webhook is gone or its token is wrong` : answered(status)) };
    case "telegram":
      url.pathname = url.pathname.replace(/\/sendMessage\/?$/, "").replace(/\/+$/, "") + "/getMe";
      url.search = "";
      return { url, expect: (status, text) => (status === 401 || status === 404 ? `HTTP ${status}: the bot token is wrong` : answered(status) ?? (text.includes('"ok":true') ? undefined : "Telegram did not answer \"ok\":true")) };
    case "webhook":
      url.pathname = "/";
      url.search = "";
      return { url, expect: () => undefined };
  }
}
