// The parts of Kodi's JSON-RPC answers and notifications the adapter reads, as lenient zod schemas: Kodi versions
// differ in which keys they send, so everything is optional and unknown keys are kept out of the way.
import { z } from "zod";

/** Global.Time. Components can be negative right after open and in seek offsets. */
export const kodiTime = z.object({
  hours: z.number().default(0),
  minutes: z.number().default(0),
  seconds: z.number().default(0),
  milliseconds: z.number().default(0),
});
export type KodiTime = z.infer<typeof kodiTime>;

export function timeToMs(time: KodiTime | undefined): number | undefined {
  if (!time) return undefined;
  return ((time.hours * 60 + time.minutes) * 60 + time.seconds) * 1000 + time.milliseconds;
}

export const activePlayers = z.array(
  z.object({ playerid: z.number().int(), type: z.string().optional(), playertype: z.string().optional() }),
);

export const itemFields = ["title", "showtitle", "season", "episode", "year", "uniqueid", "imdbnumber", "tvshowid", "file", "runtime", "playcount"] as const;

export const playerItem = z.object({
  item: z.object({
    id: z.number().optional(),
    type: z.string().optional(),
    label: z.string().optional(),
    title: z.string().optional(),
    showtitle: z.string().optional(),
    season: z.number().optional(),
    episode: z.number().optional(),
    year: z.number().optional(),
    uniqueid: z.record(z.string(), z.unknown()).optional(),
    imdbnumber: z.string().optional(),
    tvshowid: z.number().optional(),
    file: z.string().optional(),
    runtime: z.number().optional(),
    /** Library items only: how often Kodi has counted it as watched. */
    playcount: z.number().optional(),
  }),
});
export type KodiItem = z.infer<typeof playerItem>["item"];

export const playerPropertyNames = ["time", "totaltime", "percentage", "speed"] as const;

export const playerProperties = z.object({
  time: kodiTime.optional(),
  totaltime: kodiTime.optional(),
  percentage: z.number().optional(),
  speed: z.number().optional(),
});
export type KodiPlayerProperties = z.infer<typeof playerProperties>;

export const tvShowDetails = z.object({
  tvshowdetails: z.object({
    uniqueid: z.record(z.string(), z.unknown()).optional(),
    imdbnumber: z.string().optional(),
    title: z.string().optional(),
    year: z.number().optional(),
  }),
});

/** Player.Notifications.Item (the `item` of a notification). Old XBMC put title etc. beside it in `data`. */
export const notificationItem = z.object({
  id: z.number().optional(),
  type: z.string().optional(),
  title: z.string().optional(),
  file: z.string().optional(),
  channeltype: z.string().optional(),
});

/** `params.data` of Player.On* notifications. OnStop has no `player`; OnSeek adds `time` and `seekoffset`. */
export const playerNotificationData = z.object({
  item: notificationItem.optional(),
  player: z
    .object({
      playerid: z.number().int().optional(),
      speed: z.number().optional(),
      time: kodiTime.optional(),
      seekoffset: kodiTime.optional(),
    })
    .optional(),
  end: z.boolean().optional(),
});
export type PlayerNotificationData = z.infer<typeof playerNotificationData>;

/**
 * `params.data` of VideoLibrary.OnUpdate. Kodi 20 sends `{item: {id, type}, playcount?}` (and a second one with
 * `{id, type}` beside it); the current schema lists `id`/`type` directly in `data`. Accept both. `playcount` is there
 * when the play count changed — raised when Kodi counted the item as watched.
 */
export const libraryUpdateData = z.object({
  item: z.object({ id: z.number().optional(), type: z.string().optional() }).optional(),
  id: z.number().optional(),
  type: z.string().optional(),
  playcount: z.number().optional(),
});
