// Discord webhooks (discord-api-docs resources/webhook.md, topics/rate-limits.md): POST the webhook URL with
// ?wait=true (so a message Discord did not save is an error, not a silent 204) and an embed; mentions are switched
// off. A 429 says when to come back in its JSON body (`retry_after`, seconds, may have decimals) and in Retry-After.
// "If a webhook returns a 404 status you should not attempt to use it again": 401 and 404 disable the target.
import { outcomeOf, stringField, type SendOutcome, type ServiceAnswer, type ServiceRequest } from "../http.js";
import { clip, type Message, type Severity } from "../notice.js";
import type { Target } from "../target.js";

const COLOR: Record<Severity, number> = { high: 0xe5484d, normal: 0xf5a524, low: 0x30a46c };

export function discordRequest(target: Target, message: Message): ServiceRequest {
  const url = new URL(target.address.url.href);
  url.searchParams.set("wait", "true");
  return {
    url,
    headers: {},
    body: {
      username: "trakt-scrobblerd",
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: clip(message.title, 256),
          description: clip(message.text, 4_096),
          ...(message.link ? { url: message.link } : {}),
          color: COLOR[message.severity],
          timestamp: new Date(message.notices[0]?.at ?? Date.now()).toISOString(),
        },
      ],
    },
  };
}

export function discordOutcome(answer: ServiceAnswer): SendOutcome {
  const outcome = outcomeOf(answer, (a) => stringField(a.json, "message"));
  if (outcome.ok) return outcome;
  if (answer.status === 429) {
    const seconds = (answer.json as { retry_after?: unknown } | undefined)?.retry_after;
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return { ...outcome, retryAfterMs: Math.ceil(seconds * 1000) };
  }
  if (answer.status === 401 || answer.status === 404) return { ...outcome, disable: true, error: `${outcome.error} (the webhook is gone or its token is wrong: make a new one and update the URL)` };
  return outcome;
}
