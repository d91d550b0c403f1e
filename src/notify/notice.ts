// What a notification says: a notice per thing that happened, and the message a target gets (one or several
// notices gathered together).
import type { NotifyEvent } from "../config/sections/notify.js";

export type Severity = "high" | "normal" | "low";

export interface Notice {
  event: NotifyEvent;
  /** Identifies what the notice is about: a notice with the key of one still waiting replaces it. */
  key: string;
  /** A notice that takes back one not yet sent (an adapter back before its "down" went out): both are dropped. */
  cancels?: string;
  at: number;
  /** One line, e.g. `Trakt account "default" needs a new login`. */
  title: string;
  /** What happened and what to do about it. */
  text: string;
  /** Where to fix it (the dashboard). */
  link?: string;
  severity: Severity;
}

/** What one target is sent at once. */
export interface Message {
  title: string;
  /** Plain text, lines separated by \n. */
  text: string;
  link?: string;
  severity: Severity;
  notices: Notice[];
  /** Notices dropped (the oldest) while this target could not take them. */
  dropped: number;
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 0, normal: 1, high: 2 };

/** Notices listed one per line in a gathered message; the rest are counted. */
const LISTED = 25;

const PLURAL: Record<NotifyEvent, (n: number) => string> = {
  needs_login: (n) => `${n} Trakt accounts need a new login`,
  dead_letter: (n) => `${n} watches went to the dead letters`,
  not_identified: (n) => `${n} items could not be identified`,
  outbox_stuck: (n) => `${n} outbox warnings`,
  adapter_down: (n) => `${n} player connection changes`,
  watched: (n) => `${n} watches recorded`,
};

/** Gathers notices into one message: one notice is sent as it is; several get a summary title and a list. */
export function composeMessage(notices: readonly Notice[], dropped: number): Message {
  const first = notices[0];
  const lost = dropped > 0 ? `(${dropped} older notification${dropped === 1 ? " was" : "s were"} dropped to keep this target's queue bounded: notify.maxQueued.)` : "";
  if (notices.length === 1 && first) {
    return { title: first.title, text: [first.text, lost].filter(Boolean).join("\n\n"), ...(first.link ? { link: first.link } : {}), severity: first.severity, notices: [...notices], dropped };
  }
  const counts = new Map<NotifyEvent, number>();
  for (const n of notices) counts.set(n.event, (counts.get(n.event) ?? 0) + 1);
  const title = [...counts].map(([event, n]) => (n === 1 ? notices.find((x) => x.event === event)?.title ?? event : PLURAL[event](n))).join("; ");
  const lines = notices.slice(0, LISTED).map((n) => `• ${n.title}`);
  if (notices.length > LISTED) lines.push(`… and ${notices.length - LISTED} more`);
  const link = notices.find((n) => n.link !== undefined)?.link;
  const severity = notices.reduce<Severity>((top, n) => (SEVERITY_RANK[n.severity] > SEVERITY_RANK[top] ? n.severity : top), "low");
  return { title: notices.length === 0 ? "trakt-scrobblerd" : title, text: [...lines, ...(lost ? ["", lost] : [])].join("\n"), ...(link ? { link } : {}), severity, notices: [...notices], dropped };
}

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
