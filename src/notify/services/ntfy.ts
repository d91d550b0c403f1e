// ntfy (https://docs.ntfy.sh/publish/): the message published as JSON to the server's root URL — {topic, title,
// message, priority 1–5, tags, click} — so titles in any language need no header encoding. Auth: a token as
// `Authorization: Bearer`, user:password from the URL as Basic, or the URL's own ?auth= parameter. Errors come back
// as {"code":40301,"http":403,"error":"forbidden",…}; 429 means the visitor's request bucket is empty.
import type { NotifyEvent } from "../../config/sections/notify.js";
import { credentialsToHeader, outcomeOf, stringField, type SendOutcome, type ServiceAnswer, type ServiceRequest } from "../http.js";
import { clip, type Message, type Severity } from "../notice.js";
import type { Target } from "../target.js";

/** ntfy keeps messages up to 4,096 bytes (longer ones become attachments); stay well inside it. */
const MAX_MESSAGE = 3_500;
const PRIORITY: Record<Severity, number> = { high: 4, normal: 3, low: 2 };
/** Tags that ntfy shows as emojis. */
const TAGS: Record<NotifyEvent, string> = {
  needs_login: "key",
  dead_letter: "warning",
  not_identified: "mag",
  outbox_stuck: "hourglass",
  adapter_down: "electric_plug",
  watched: "white_check_mark",
};

export function ntfyRequest(target: Target, message: Message): ServiceRequest {
  const { url: topicUrl, headers } = credentialsToHeader(target.address.url);
  const segments = topicUrl.pathname.split("/");
  const topic = segments.filter((s) => s !== "").at(-1) ?? "";
  const root = new URL(topicUrl.href);
  root.pathname = `${topicUrl.pathname.slice(0, topicUrl.pathname.lastIndexOf(topic))}`;
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  const tags = [...new Set(message.notices.map((n) => TAGS[n.event]))];
  return {
    url: root,
    headers,
    body: {
      topic,
      title: clip(message.title, 250),
      message: clip(message.text, MAX_MESSAGE),
      priority: PRIORITY[message.severity],
      tags,
      ...(message.link ? { click: message.link } : {}),
    },
  };
}

export function ntfyOutcome(answer: ServiceAnswer): SendOutcome {
  return outcomeOf(answer, (a) => stringField(a.json, "error"));
}
