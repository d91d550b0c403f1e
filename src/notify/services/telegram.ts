// Telegram Bot API (core.telegram.org/bots/api#sendmessage): POST bot<token>/sendMessage with {chat_id, text,
// parse_mode: "HTML", link_preview_options}. Text is at most 4,096 characters; in HTML mode <, > and & must be
// escaped. Every answer is {"ok":true,"result":…} or {"ok":false,"error_code":…,"description":…,"parameters":
// {"retry_after":…}} — an "ok":false is a failure whatever the HTTP status says.
import { outcomeOf, stringField, type SendOutcome, type ServiceAnswer, type ServiceRequest } from "../http.js";
import { clip, type Message } from "../notice.js";
import type { Target } from "../target.js";

const MAX_TEXT = 4_096;

export function telegramRequest(target: Target, message: Message): ServiceRequest {
  const url = new URL(target.address.url.href);
  const chatId = url.searchParams.get("chat_id") ?? "";
  url.search = "";
  if (!url.pathname.endsWith("/sendMessage")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/sendMessage`;
  const link = message.link ? `\n\n<a href="${escapeHtml(message.link)}">Open the dashboard</a>` : "";
  const head = `<b>${escapeHtml(message.title)}</b>\n`;
  const room = MAX_TEXT - head.length - link.length;
  return {
    url,
    headers: {},
    body: {
      chat_id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId,
      text: `${head}${escapedWithin(message.text, room)}${link}`,
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
  };
}

export function telegramOutcome(answer: ServiceAnswer): SendOutcome {
  const body = answer.json as { ok?: unknown; error_code?: unknown; parameters?: { retry_after?: unknown } } | undefined;
  if (answer.status >= 200 && answer.status < 300 && body?.ok === true) return { ok: true, status: answer.status };
  const description = stringField(answer.json, "description");
  // A 200 that is not {"ok":true} is not a sent message: read it as the error code it carries.
  const status = answer.status >= 200 && answer.status < 300 ? (typeof body?.error_code === "number" ? body.error_code : 502) : answer.status;
  const outcome = outcomeOf({ ...answer, status }, () => description ?? (body === undefined ? "not a Telegram answer" : undefined));
  if (outcome.ok) return { ok: false, retry: true, status, error: `HTTP ${answer.status} without "ok":true` };
  const retryAfter = body?.parameters?.retry_after;
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0) return { ...outcome, retry: true, retryAfterMs: Math.ceil(retryAfter * 1000) };
  return outcome;
}

/** The text escaped for HTML mode and cut (before escaping, so no entity is cut in half) to fit `room` characters. */
function escapedWithin(text: string, room: number): string {
  let cut = text.length;
  let escaped = escapeHtml(text);
  while (escaped.length > room && cut > 0) {
    cut = Math.max(0, cut - (escaped.length - room) - 1);
    escaped = escapeHtml(clip(text, cut));
  }
  return escaped;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
