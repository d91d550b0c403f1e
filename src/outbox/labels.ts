// How an intent is named in logs, `queue list` and the status page, before (or without) identification.
import path from "node:path";
import type { ScrobbleIntent } from "../scrobble/intent.js";

export function hintsLabel(intent: ScrobbleIntent): string {
  const h = intent.hints;
  if (h.showTitle || h.season !== undefined) {
    const se = h.season !== undefined && h.episode !== undefined ? ` S${String(h.season).padStart(2, "0")}E${String(h.episode).padStart(2, "0")}` : "";
    return `${h.showTitle ?? h.title ?? "?"}${se}`;
  }
  if (h.title) return `${h.title}${h.year ? ` (${h.year})` : ""}`;
  if (h.mediaTitle) return h.mediaTitle;
  if (h.path) return path.basename(h.path);
  const ids = Object.entries(h.ids ?? {}).map(([k, v]) => `${k}:${v}`);
  return ids.length ? ids.join(" ") : "(no title)";
}
