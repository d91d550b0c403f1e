// A generic JSON webhook, which is also how Home Assistant takes it (POST /api/webhook/<id>: the body is
// `trigger.json` in an automation; HA answers 200 whatever happens, to not tell whether the id exists). The body is
// stable and documented in docs/notifications.md.
import type { NotifyEvent } from "../../config/sections/notify.js";
import { credentialsToHeader, outcomeOf, stringField, type SendOutcome, type ServiceAnswer, type ServiceRequest } from "../http.js";
import type { Message } from "../notice.js";
import type { Target } from "../target.js";

export interface WebhookBody {
  source: "trakt-scrobblerd";
  title: string;
  message: string;
  link: string | null;
  severity: Message["severity"];
  /** The events in this message, each once. */
  events: NotifyEvent[];
  notices: { event: NotifyEvent; title: string; text: string; link: string | null; at: string }[];
  dropped: number;
}

export function webhookRequest(target: Target, message: Message): ServiceRequest {
  const { url, headers } = credentialsToHeader(target.address.url);
  const body: WebhookBody = {
    source: "trakt-scrobblerd",
    title: message.title,
    message: message.text,
    link: message.link ?? null,
    severity: message.severity,
    events: [...new Set(message.notices.map((n) => n.event))],
    notices: message.notices.map((n) => ({ event: n.event, title: n.title, text: n.text, link: n.link ?? null, at: new Date(n.at).toISOString() })),
    dropped: message.dropped,
  };
  return { url, headers, body };
}

export function webhookOutcome(answer: ServiceAnswer): SendOutcome {
  return outcomeOf(answer, (a) => stringField(a.json, "message") ?? stringField(a.json, "error") ?? (a.text.trim().slice(0, 200) || undefined));
}
