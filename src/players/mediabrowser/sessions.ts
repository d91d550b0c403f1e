// From the server's sessions to what the tracker follows: one playback per server session and user (a SyncPlay or
// shared session has AdditionalUsers), routed to a Trakt account, items that are not scrobbled left out; and a
// view of every session for status. Pure.
import { describeItem, type MediaHints } from "../../core/playback.js";
import type { AdapterSession } from "../adapter.js";
import { hintsFromItem, notScrobbled } from "./hints.js";
import { TICKS_PER_MS, type MediaItem, type MediaSession } from "./messages.js";
import type { ObservedPlayback } from "./tracker.js";

export interface UserRouting {
  /** Server user name or id → Trakt account. */
  users: Readonly<Record<string, string>>;
  /** For users not listed; unset = they are ignored. */
  defaultAccount?: string | undefined;
}

export type Route = { account: string } | { ignored: string };

/** Name first (exact, then ignoring case), then id (Jellyfin writes GUIDs with and without dashes). */
export function routeUser(routing: UserRouting, user: { id: string; name: string | undefined }): Route {
  const { users } = routing;
  const name = user.name;
  if (name !== undefined) {
    const exact = users[name];
    if (exact !== undefined) return { account: exact };
    const lower = name.toLowerCase();
    for (const [key, account] of Object.entries(users)) if (key.toLowerCase() === lower) return { account };
  }
  const plainId = user.id.replace(/-/g, "").toLowerCase();
  for (const [key, account] of Object.entries(users)) if (key.replace(/-/g, "").toLowerCase() === plainId) return { account };
  if (routing.defaultAccount !== undefined) return { account: routing.defaultAccount };
  return { ignored: "user not mapped to a Trakt account" };
}

/** What the adapter learned about an item beyond the session (the show's ids). */
export type Enrich = (userId: string, item: MediaItem) => Partial<MediaHints> | undefined;

export interface SessionPicture {
  observed: ObservedPlayback[];
  views: AdapterSession[];
  /** Users seen that no account takes, by name (for one log line each). */
  unmapped: string[];
}

export function picture(sessions: readonly MediaSession[], routing: UserRouting, enrich: Enrich): SessionPicture {
  const out: SessionPicture = { observed: [], views: [], unmapped: [] };
  for (const session of sessions) {
    const item = session.NowPlayingItem;
    if (!item) continue;
    const device = [session.DeviceName, session.Client].filter((v): v is string => typeof v === "string" && v !== "").join(" / ") || "unknown device";
    const durationMs = item.RunTimeTicks == null ? undefined : item.RunTimeTicks / TICKS_PER_MS;
    const positionTicks = session.PlayState?.PositionTicks;
    const positionMs = positionTicks == null ? undefined : positionTicks / TICKS_PER_MS;
    const paused = session.PlayState?.IsPaused === true;
    const progress = durationMs !== undefined && positionMs !== undefined ? Math.min(100, (positionMs / durationMs) * 100) : undefined;
    const users: { id: string; name: string | undefined }[] = [];
    if (session.UserId != null) users.push({ id: session.UserId, name: session.UserName ?? undefined });
    for (const extra of session.AdditionalUsers ?? []) if (extra) users.push({ id: extra.UserId, name: extra.UserName ?? undefined });
    const skipped = notScrobbled(item);
    const base = hintsFromItem(item);
    for (const user of users) {
      const view: AdapterSession = { id: session.Id, user: user.name ?? user.id, player: device, state: paused ? "paused" : "playing", item: describeItem(base) };
      if (progress !== undefined) view.progress = Math.round(progress * 10) / 10;
      out.views.push(view);
      if (skipped !== undefined) {
        view.ignored = skipped;
        continue;
      }
      const route = routeUser(routing, user);
      if ("ignored" in route) {
        view.ignored = route.ignored;
        out.unmapped.push(user.name ?? user.id);
        continue;
      }
      view.account = route.account;
      out.observed.push({
        key: `${session.Id}/${user.id}`,
        userId: user.id,
        account: route.account,
        itemId: item.Id,
        hints: { ...base, ...enrich(user.id, item) },
        durationMs,
        positionMs,
        paused,
      });
    }
    if (users.length === 0) out.views.push({ id: session.Id, player: device, state: paused ? "paused" : "playing", item: describeItem(base), ignored: "no user in the session" });
  }
  return out;
}
