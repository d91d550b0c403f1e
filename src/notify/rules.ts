// Which activity deserves a notification, and what it says. Events that need a timer (a watch held too long, an
// adapter down too long) are in watchdogs.ts; everything here answers at once.
import type { ActivityEvent } from "../core/activity.js";
import type { Notice } from "./notice.js";

/** Items said once (not identified): remembered up to this many, then forgotten oldest first. */
const REMEMBERED_ITEMS = 2_000;

export interface RulesOptions {
  /** The dashboard's address, for links (e.g. http://pi.local:7788). */
  dashboardUrl: () => string;
}

export class NoticeRules {
  readonly #told = new Set<string>();
  readonly #accounts = new Map<string, string>();

  constructor(private readonly options: RulesOptions) {}

  /** The notices an event gives (often none). */
  notices(event: ActivityEvent): Notice[] {
    switch (event.type) {
      case "account":
        return this.#account(event);
      case "dead_letter":
        // Unknown media is said once per item by not_identified, with the link to fix it.
        if (event.reason === "unknown_media") return [];
        return [
          {
            event: "dead_letter",
            key: `dead:${event.id}`,
            at: event.at,
            title: `Trakt refused ${event.label}`,
            text: `Trakt refused this ${event.account === "default" ? "" : `(account "${event.account}") `}for good (${event.reason}): ${event.message}. It is kept as a dead letter: retry or drop it in the dashboard or with \`trakt-scrobblerd queue\`.`,
            link: this.#link("queue"),
            severity: "normal",
          },
        ];
      case "not_identified": {
        if (this.#told.has(event.key)) return [];
        this.#remember(event.key);
        return [
          {
            event: "not_identified",
            key: `miss:${event.key}`,
            at: event.at,
            title: `Could not identify ${event.what}`,
            text: `${event.reason} Fix the match in the dashboard; the watch is kept and goes out once it is fixed.`,
            link: this.#link("not-identified"),
            severity: "normal",
          },
        ];
      }
      case "delivered":
        if (!event.watched) return [];
        return [
          {
            event: "watched",
            key: `watched:${event.id}`,
            at: event.at,
            title: `Recorded on Trakt: ${event.label}`,
            text: `${event.label} was recorded${event.account === "default" ? "" : ` for account "${event.account}"`}${event.via === "history" ? " (through the history, with its real time)" : ""}.`,
            severity: "low",
          },
        ];
      case "sessions":
      case "queue":
      case "adapter":
        return [];
    }
  }

  #account(event: Extract<ActivityEvent, { type: "account" }>): Notice[] {
    const previous = this.#accounts.get(event.account);
    this.#accounts.set(event.account, event.state);
    // "not logged in" is a set-up step (or a logout), not something that went wrong.
    if (event.state !== "needs_login" || previous === "needs_login" || event.reason === "not logged in") return [];
    return [
      {
        event: "needs_login",
        key: `login:${event.account}`,
        at: event.at,
        title: `Trakt account "${event.account}" needs a new login`,
        text: `${event.reason ?? "Trakt refused the account's token"}. Watches wait in the outbox until you log in again: in the dashboard, or \`trakt-scrobblerd login${event.account === "default" ? "" : ` --account ${event.account}`}\`.`,
        link: this.#link("accounts"),
        severity: "high",
      },
    ];
  }

  #link(view: string): string {
    return `${this.options.dashboardUrl().replace(/\/+$/, "")}/#${view}`;
  }

  #remember(key: string): void {
    if (this.#told.size >= REMEMBERED_ITEMS) {
      const oldest = this.#told.values().next();
      if (!oldest.done) this.#told.delete(oldest.value);
    }
    this.#told.add(key);
  }
}
