// The frames of Plex Media Server's notification socket (ws://SERVER:32400/:/websockets/notifications):
// `{"NotificationContainer":{"type":T,"size":N,<array named by T>:[…]}}`. Only what a scrobbler needs is read —
// `playing` (PlaySessionStateNotification: sessionKey, ratingKey, viewOffset, state) and `activity`
// (ActivityNotification: a library item refreshed, e.g. after it was marked played). Everything else (timeline,
// transcodeSession.*, preference, …) is recognised and ignored. Field types vary between server versions
// (ids as strings or numbers), so they are read leniently; an entry that does not fit is skipped alone.
import { z } from "zod";
import { parseUntrustedJson } from "../../util/json.js";

/** Real frames are well under 2 KB (a `playing` frame ~400 bytes); anything near this is not a notification. */
export const PLEX_MAX_FRAME_BYTES = 256 * 1024;

export type PlaySessionStateName = "playing" | "paused" | "stopped" | "buffering" | "error";

export interface PlaySessionState {
  sessionKey: string;
  ratingKey: string;
  /** `/library/metadata/N` for library items, `/livetv/sessions/<uuid>` for Live TV. */
  key: string;
  /** Milliseconds; absent when the server did not say. */
  viewOffset: number | undefined;
  state: PlaySessionStateName;
  /** The player (= Player.machineIdentifier in /status/sessions); older servers omit it. */
  clientIdentifier: string | undefined;
}

export interface ActivityState {
  /** started | updated | ended */
  event: string;
  /** e.g. library.refresh.items */
  type: string;
  /** Context.key: the library item concerned, e.g. /library/metadata/513 (or …/children for a show's seasons). */
  key: string | undefined;
  progress: number | undefined;
}

export type PlexNotification =
  | { type: "playing"; sessions: PlaySessionState[] }
  | { type: "activity"; activities: ActivityState[] }
  | { type: "other"; name: string };

export type FrameResult = { ok: true; notification: PlexNotification } | { ok: false; reason: string };

const id = z.union([z.string(), z.number()]).transform(String);
const milliseconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().nonnegative().finite());
const STATES: readonly string[] = ["playing", "paused", "stopped", "buffering", "error"];

const playSessionSchema = z.looseObject({
  sessionKey: id,
  ratingKey: id,
  key: z.string().optional(),
  viewOffset: milliseconds.optional(),
  state: z.string().refine((s) => STATES.includes(s)),
  clientIdentifier: z.string().optional(),
});

const activitySchema = z.looseObject({
  event: z.string(),
  Activity: z.looseObject({
    type: z.string(),
    progress: z.number().optional(),
    Context: z.looseObject({ key: z.string().optional() }).optional(),
  }),
});

const containerSchema = z.looseObject({ type: z.string() });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The entries of an array field that parse; the others are dropped one by one. */
function entries<T>(list: unknown, schema: z.ZodType<T>): T[] {
  if (!Array.isArray(list)) return [];
  const out: T[] = [];
  for (const item of list) {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** Reads one frame. Never throws: what is not a notification gets a reason (for a debug log line). */
export function parsePlexFrame(text: string): FrameResult {
  if (text.length > PLEX_MAX_FRAME_BYTES) return { ok: false, reason: `frame of ${text.length} characters is larger than any notification` };
  let json: unknown;
  try {
    json = parseUntrustedJson(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  // The wire format wraps the container; python-plexapi's callbacks (and some captures) show it unwrapped.
  const container = isRecord(json) && isRecord(json.NotificationContainer) ? json.NotificationContainer : json;
  const parsed = containerSchema.safeParse(container);
  if (!parsed.success) return { ok: false, reason: "not a NotificationContainer" };
  const body = parsed.data;
  switch (body.type) {
    case "playing": {
      const sessions = entries(body.PlaySessionStateNotification, playSessionSchema).map(
        (s): PlaySessionState => ({
          sessionKey: s.sessionKey,
          ratingKey: s.ratingKey,
          key: s.key ?? `/library/metadata/${s.ratingKey}`,
          viewOffset: s.viewOffset,
          state: s.state as PlaySessionStateName,
          clientIdentifier: s.clientIdentifier || undefined,
        }),
      );
      return { ok: true, notification: { type: "playing", sessions } };
    }
    case "activity": {
      const activities = entries(body.ActivityNotification, activitySchema).map(
        (a): ActivityState => ({ event: a.event, type: a.Activity.type, key: a.Activity.Context?.key, progress: a.Activity.progress }),
      );
      return { ok: true, notification: { type: "activity", activities } };
    }
    default:
      return { ok: true, notification: { type: "other", name: body.type.slice(0, 64) } };
  }
}

/** Live TV sessions (`/livetv/sessions/<uuid>`) are never scrobbled. */
export function isLiveTvKey(key: string): boolean {
  return key.startsWith("/livetv/");
}

/** The ratingKey of `/library/metadata/N` (an activity's Context.key), or undefined for anything else. */
export function ratingKeyOfItemKey(key: string | undefined): string | undefined {
  const m = key === undefined ? null : /^\/library\/metadata\/([^/?#]+)$/.exec(key);
  return m?.[1];
}
