// Gotify (gotify/server api/message.go): POST /message with an application token (?token= in the URL, or the
// X-Gotify-Key header) and {title, message, priority, extras}; the click URL goes in
// extras["client::notification"].click.url. Errors: {"error":"Unauthorized","errorCode":401,"errorDescription":…}.
import { outcomeOf, stringField, type SendOutcome, type ServiceAnswer, type ServiceRequest } from "../http.js";
import type { Message, Severity } from "../notice.js";
import type { Target } from "../target.js";

/** Gotify's 0–10: 8 and above may alert loudly, 4–7 is a normal notification, 1–3 a quiet one. */
const PRIORITY: Record<Severity, number> = { high: 8, normal: 5, low: 2 };

export function gotifyRequest(target: Target, message: Message): ServiceRequest {
  const headers: Record<string, string> = {};
  if (target.token !== undefined) headers["x-gotify-key"] = target.token;
  return {
    url: target.address.url,
    headers,
    body: {
      title: message.title,
      message: message.text,
      priority: PRIORITY[message.severity],
      ...(message.link ? { extras: { "client::notification": { click: { url: message.link } } } } : {}),
    },
  };
}

export function gotifyOutcome(answer: ServiceAnswer): SendOutcome {
  return outcomeOf(answer, (a) => stringField(a.json, "errorDescription") ?? stringField(a.json, "error"));
}
