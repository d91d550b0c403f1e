// Each service: how a message becomes its request, and how its answer is read.
import type { NotifyType } from "../../config/notify-url.js";
import type { SendOutcome, ServiceAnswer, ServiceRequest } from "../http.js";
import type { Message } from "../notice.js";
import type { Target } from "../target.js";
import { discordOutcome, discordRequest } from "./discord.js";
import { gotifyOutcome, gotifyRequest } from "./gotify.js";
import { ntfyOutcome, ntfyRequest } from "./ntfy.js";
import { telegramOutcome, telegramRequest } from "./telegram.js";
import { webhookOutcome, webhookRequest } from "./webhook.js";

export interface Service {
  request(target: Target, message: Message): ServiceRequest;
  outcome(answer: ServiceAnswer): SendOutcome;
}

export const SERVICES: Record<NotifyType, Service> = {
  ntfy: { request: ntfyRequest, outcome: ntfyOutcome },
  gotify: { request: gotifyRequest, outcome: gotifyOutcome },
  discord: { request: discordRequest, outcome: discordOutcome },
  telegram: { request: telegramRequest, outcome: telegramOutcome },
  webhook: { request: webhookRequest, outcome: webhookOutcome },
};
