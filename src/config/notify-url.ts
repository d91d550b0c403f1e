// Where a notification goes, read from the URL the service gives its user: which service it is, and which parts of
// the URL are secrets (the ntfy topic, the Gotify app token, the Discord webhook token, the Telegram bot token, a
// Home Assistant webhook id). The config checks each URL with this when it is read, `config check` shows it masked
// with it, the log scrubber learns its secrets from it, and the notifier (src/notify/, loaded only when a target is
// configured) sends with it. Pure and small: the config schema loads it.

export const NOTIFY_TYPES = ["ntfy", "gotify", "discord", "telegram", "webhook"] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

/** What replaces a secret in a URL shown to anyone. */
export const URL_SECRET_MASK = "********";

export interface TargetAddress {
  type: NotifyType;
  /** The URL to send to (a `type+` prefix removed). */
  url: URL;
  /** The URL with every secret replaced by ********: for logs, status, `config check`, `doctor`. */
  shown: string;
  /** The secret values in the URL, for the log scrubber (a short topic or webhook id is masked but not listed). */
  secrets: string[];
}

/** ntfy's topic names (server.go topicRegex). */
const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const DISCORD_PATH = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/]+)\/?$/;
const TELEGRAM_PATH = /^(.*\/bot)([^/]+)(\/sendMessage)?\/?$/;
const HA_WEBHOOK_PATH = /^(.*\/api\/webhook\/)([^/]+)\/?$/;
/** A path segment this long in a generic webhook URL is taken for a secret id (HA's are 64 hex characters). */
const LONG_SEGMENT = 16;
/**
 * A name the user chose (an ntfy topic, a Home Assistant webhook id) is always masked where the URL is shown, but
 * scrubbed from every log line only when it is this long: a short word ("trakt", "alerts") would mangle the logs.
 */
const SCRUB_NAMES_FROM = 12;

const EXAMPLES: Record<NotifyType, string> = {
  ntfy: "https://ntfy.sh/<topic> (self-hosted: ntfy+https://ntfy.example.com/<topic>)",
  gotify: "https://gotify.example.com/message?token=<app token>",
  discord: "https://discord.com/api/webhooks/<id>/<token>",
  telegram: "https://api.telegram.org/bot<bot token>/sendMessage?chat_id=<chat id>",
  webhook: "http://homeassistant.local:8123/api/webhook/<webhook id>",
};

/** The service a URL belongs to when nothing says so: by its host and shape; anything else is a JSON webhook. */
function inferType(url: URL): NotifyType {
  const host = url.hostname.toLowerCase();
  if (host === "ntfy.sh") return "ntfy";
  if (/(^|\.)discord(app)?\.com$/.test(host) && DISCORD_PATH.test(url.pathname)) return "discord";
  if (host === "api.telegram.org") return "telegram";
  if (/\/message\/?$/.test(url.pathname) && url.searchParams.has("token")) return "gotify";
  return "webhook";
}

/**
 * Reads a target URL. `type` (a section's `type:`) wins over a `type+` prefix, which wins over what the host says.
 * Returns an error that says what to write instead when the URL cannot be used.
 */
export function parseTargetUrl(text: string, type?: NotifyType): TargetAddress | { error: string } {
  let raw = text.trim();
  let declared = type;
  const prefix = /^([a-z]+)\+(https?:\/\/.*)$/i.exec(raw);
  if (prefix?.[1] && prefix[2]) {
    const named = prefix[1].toLowerCase();
    if (!(NOTIFY_TYPES as readonly string[]).includes(named)) return { error: `unknown notification type "${named}+" (one of: ${NOTIFY_TYPES.join(", ")})` };
    declared ??= named as NotifyType;
    raw = prefix[2];
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `not a URL; write it like ${declared ? EXAMPLES[declared] : EXAMPLES.ntfy}` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { error: `must start with http:// or https:// (got ${url.protocol})` };
  const kind = declared ?? inferType(url);
  const secrets: string[] = [];
  const shown = new URL(url.href);
  const hide = (value: string, chosenName = false): string => {
    if (value !== "" && (!chosenName || value.length >= SCRUB_NAMES_FROM)) secrets.push(safeDecode(value));
    return URL_SECRET_MASK;
  };
  // Credentials in the URL (basic auth for ntfy or a webhook) are secrets for every type.
  if (shown.password !== "") shown.password = hide(shown.password);
  else if (shown.username !== "") shown.username = hide(shown.username);
  // Query values are tokens more often than not (ntfy's ?auth=, Gotify's ?token=); a Telegram chat id is not.
  for (const [key, value] of [...shown.searchParams]) {
    if (kind === "telegram" && key === "chat_id") continue;
    shown.searchParams.set(key, hide(value));
  }
  const path = url.pathname;
  switch (kind) {
    case "ntfy": {
      const topic = path.split("/").filter((s) => s !== "").at(-1);
      if (topic === undefined || !NTFY_TOPIC.test(topic)) return { error: `an ntfy URL ends with its topic (letters, digits, - and _, up to 64): ${EXAMPLES.ntfy}` };
      // On a public server the topic is the password.
      shown.pathname = `${path.slice(0, path.lastIndexOf(topic))}${hide(topic, true)}`;
      break;
    }
    case "gotify":
      if (!/\/message\/?$/.test(path)) return { error: `a Gotify URL is the server's /message endpoint: ${EXAMPLES.gotify}` };
      break;
    case "discord": {
      const match = DISCORD_PATH.exec(path);
      if (!match?.[2]) return { error: `a Discord webhook URL looks like ${EXAMPLES.discord} (Server Settings → Integrations → Webhooks → Copy Webhook URL)` };
      shown.pathname = path.replace(match[2], hide(match[2]));
      break;
    }
    case "telegram": {
      const match = TELEGRAM_PATH.exec(path);
      if (!match?.[1] || !match[2]) return { error: `a Telegram URL names the bot token and the chat: ${EXAMPLES.telegram}` };
      if (!url.searchParams.get("chat_id")) return { error: `a Telegram URL needs ?chat_id=<chat id> (the chat the bot writes to): ${EXAMPLES.telegram}` };
      shown.pathname = `${match[1]}${hide(match[2])}${match[3] ?? ""}`;
      break;
    }
    case "webhook": {
      const ha = HA_WEBHOOK_PATH.exec(path);
      if (ha?.[1] && ha[2]) {
        shown.pathname = `${ha[1]}${hide(ha[2], true)}`;
        break;
      }
      // A webhook's id is usually its last segment; any long segment may be one too.
      const segments = path.split("/");
      const last = segments.findLastIndex((segment) => segment !== "");
      shown.pathname = segments.map((segment, i) => (i === last ? hide(segment, true) : segment.length >= LONG_SEGMENT ? hide(segment) : segment)).join("/");
      break;
    }
  }
  // A Gotify token may also come from the section's `token`; without either, Gotify refuses.
  if (kind === "gotify" && !url.searchParams.get("token") && type === undefined) return { error: `a Gotify URL needs ?token=<app token>: ${EXAMPLES.gotify}` };
  return { type: kind, url, shown: decodeMask(shown.href), secrets: secrets.filter((s) => s.length > 0) };
}

/** The URL with its secrets masked; a URL that cannot be read is masked whole. Never throws. */
export function maskTargetUrl(text: string): { shown: string; secrets: string[] } {
  const parsed = parseTargetUrl(text);
  return "error" in parsed ? { shown: URL_SECRET_MASK, secrets: text === "" ? [] : [text] } : { shown: parsed.shown, secrets: [text, ...parsed.secrets] };
}

/** URL serialisation percent-encodes nothing in ********, but keep the mask readable if that ever changes. */
function decodeMask(href: string): string {
  return href.split(encodeURIComponent(URL_SECRET_MASK)).join(URL_SECRET_MASK);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
