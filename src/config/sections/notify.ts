import { z } from "zod";
import { maskTargetUrl, NOTIFY_TYPES, parseTargetUrl } from "../notify-url.js";

/** What a notification can be about. */
export const NOTIFY_EVENTS = ["needs_login", "dead_letter", "not_identified", "outbox_stuck", "adapter_down", "watched"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Every event but one message per recorded watch. */
export const DEFAULT_NOTIFY_EVENTS: NotifyEvent[] = ["needs_login", "dead_letter", "not_identified", "outbox_stuck", "adapter_down"];

const targetUrl = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseTargetUrl(text);
    if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
  })
  .meta({ secret: true, maskWith: maskTargetUrl });

const events = z.array(z.enum(NOTIFY_EVENTS));

const target = z
  .object({
    url: z
      .string()
      .describe("The service URL (as in `urls`).")
      .meta({ secret: true, maskWith: maskTargetUrl }),
    type: z.enum(NOTIFY_TYPES).optional().describe("The service, when the URL does not say (a self-hosted ntfy or Gotify); default: from the URL."),
    name: z.string().min(1).optional().describe("A name for logs, status and `notify test --target` (default: the service and host)."),
    events: events.optional().describe(`Events this target gets (default: notify.events). One or more of: ${NOTIFY_EVENTS.join(", ")}.`),
    token: z.string().min(1).optional().describe("An access token sent as a header instead of in the URL: ntfy's tk_… (Authorization: Bearer) or a Gotify app token (X-Gotify-Key).").meta({ secret: true }),
  })
  .superRefine((t, ctx) => {
    const parsed = parseTargetUrl(t.url, t.type);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", path: ["url"], message: parsed.error });
      return;
    }
    if (parsed.type === "gotify" && t.token === undefined && !parsed.url.searchParams.get("token")) {
      ctx.addIssue({ code: "custom", path: ["token"], message: "Gotify needs an app token: put ?token=<app token> in the URL or set token" });
    }
    if (t.token !== undefined && parsed.type !== "ntfy" && parsed.type !== "gotify") {
      ctx.addIssue({ code: "custom", path: ["token"], message: `token: is for ntfy and Gotify; a ${parsed.type} URL carries its own` });
    }
  });

export const notifySection = z
  .object({
    urls: z
      .array(targetUrl)
      .default([])
      .describe(
        "Notification targets by their service URL, each getting the events in notify.events: https://ntfy.sh/<topic>, ntfy+https://<your ntfy>/<topic>, https://<gotify>/message?token=<app token>, https://discord.com/api/webhooks/<id>/<token>, https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>, or any other http(s) URL for a JSON webhook (Home Assistant: http://<ha>:8123/api/webhook/<id>). Shown with their tokens masked. From the environment as TRAKT_SCROBBLERD_NOTIFY_URLS=\"url1,url2\".",
      )
      .meta({ env: "TRAKT_SCROBBLERD_NOTIFY_URLS" }),
    targets: z.array(target).default([]).describe("Notification targets as sections, for a name, a choice of events, or a token kept out of the URL."),
    events: events.default(DEFAULT_NOTIFY_EVENTS).describe(`Events sent to targets that do not choose their own. One or more of: ${NOTIFY_EVENTS.join(", ")} (watched: every recorded watch).`),
    outboxStuckMinutes: z.number().positive().default(60).describe("outbox_stuck: say so when a watch has waited in the outbox this long (once, until the outbox is empty again)."),
    adapterDownMinutes: z.number().positive().default(30).describe("adapter_down: say so when a player connection has been down this long (and again when it is back)."),
    coalesceSeconds: z.number().min(0).max(3600).default(20).describe("Events within this time of the first go out as one message."),
    minIntervalSeconds: z.number().min(0).max(86_400).default(60).describe("At most one message per target this often; what happens in between is gathered into the next one."),
    maxQueued: z.number().int().min(1).max(10_000).default(100).describe("Events kept per target while they wait to be sent; beyond that the oldest are dropped, least severe first (and counted in the next message)."),
    timeoutSeconds: z.number().positive().max(300).default(10).describe("A target that has not answered within this time counts as failed (and is retried with backoff)."),
  })
  .default({
    urls: [],
    targets: [],
    events: DEFAULT_NOTIFY_EVENTS,
    outboxStuckMinutes: 60,
    adapterDownMinutes: 30,
    coalesceSeconds: 20,
    minIntervalSeconds: 60,
    maxQueued: 100,
    timeoutSeconds: 10,
  })
  .describe("Notifications (ntfy, Gotify, Discord, Telegram, a JSON webhook such as Home Assistant's) when something needs you. All of it applies live.");

export type NotifySection = z.infer<typeof notifySection>;
export type NotifyTargetSection = z.infer<typeof target>;

/** Whether the config names any notification target (the notifier is loaded only then). */
export function hasNotifyTargets(section: Pick<NotifySection, "urls" | "targets">): boolean {
  return section.urls.length > 0 || section.targets.length > 0;
}
