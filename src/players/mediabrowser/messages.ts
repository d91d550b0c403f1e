// What Jellyfin and Emby send, as far as a scrobbler reads it: the WebSocket envelope, SessionInfoDto (the sessions
// feed and GET /Sessions), BaseItemDto (NowPlayingItem, GET of an item with the user's UserData), the public system
// info, the current user and a login's answer. Everything else passes through untouched and unused.
//
// Parsed leniently and one session at a time: Jellyfin omits null fields, Emby sends some of them as null, ids are
// 32-hex GUIDs on Jellyfin and numeric strings on Emby, and one session a client filled in oddly must not hide the
// others. Untrusted text goes through parseUntrustedJson (depth-bounded) before it gets here.
import { z } from "zod";
import { JsonTooDeepError, parseUntrustedJson } from "../../util/json.js";

/** 100-ns ticks per millisecond: Jellyfin/Emby give times as .NET ticks. */
export const TICKS_PER_MS = 10_000;
/** Longer than any real media (about 116 days): a larger time is a broken value, not media. */
const MAX_TICKS = 10_000_000 * 1000 * TICKS_PER_MS;

const id = z.union([z.string().min(1), z.number()]).transform(String);
const ticks = z.number().nonnegative().max(MAX_TICKS);
/** A field that is useful when present and harmless when broken: anything unexpected reads as absent. */
const lenient = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

export const userDataSchema = z.looseObject({
  PlayCount: lenient(z.number().int().nonnegative()),
  Played: lenient(z.boolean()),
  PlaybackPositionTicks: lenient(ticks),
});

export const itemSchema = z.looseObject({
  Id: id,
  Name: lenient(z.string()),
  /** Movie, Episode, Series, Audio, Trailer, TvChannel, … */
  Type: lenient(z.string()),
  MediaType: lenient(z.string()),
  SeriesName: lenient(z.string()),
  SeriesId: lenient(id),
  ParentIndexNumber: lenient(z.number().int().nonnegative()),
  IndexNumber: lenient(z.number().int().nonnegative()),
  ProductionYear: lenient(z.number().int().min(1800).max(3000)),
  RunTimeTicks: lenient(ticks.positive()),
  ProviderIds: lenient(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
  Path: lenient(z.string()),
  /** Emby marks theme songs and videos (played in the background of a library page). */
  IsThemeMedia: lenient(z.boolean()),
  /** Jellyfin marks extras: ThemeSong, ThemeVideo, Trailer, Clip, … */
  ExtraType: lenient(z.string()),
  UserData: lenient(userDataSchema),
});

const playStateSchema = z.looseObject({
  PositionTicks: lenient(ticks),
  IsPaused: lenient(z.boolean()),
});

const sessionUserSchema = z.looseObject({ UserId: id, UserName: lenient(z.string()) });

export const sessionSchema = z.looseObject({
  Id: id,
  UserId: lenient(id),
  UserName: lenient(z.string()),
  AdditionalUsers: lenient(z.array(sessionUserSchema.nullable().catch(null))),
  Client: lenient(z.string()),
  DeviceName: lenient(z.string()),
  DeviceId: lenient(z.string()),
  NowPlayingItem: itemSchema.nullish().catch(undefined),
  PlayState: lenient(playStateSchema),
});

export type MediaItem = z.infer<typeof itemSchema>;
export type MediaSession = z.infer<typeof sessionSchema>;
export type UserData = z.infer<typeof userDataSchema>;

export const publicSystemInfoSchema = z.looseObject({
  Version: z.string(),
  ServerName: lenient(z.string()),
  ProductName: lenient(z.string()),
  Id: lenient(z.string()),
});
export type PublicSystemInfo = z.infer<typeof publicSystemInfoSchema>;

export const userSchema = z.looseObject({
  Id: id,
  Name: z.string(),
  Policy: lenient(z.looseObject({ IsAdministrator: lenient(z.boolean()) })),
});
export type MediaUser = z.infer<typeof userSchema>;

export const authenticationResultSchema = z.looseObject({
  AccessToken: z.string().min(1),
  User: userSchema,
  ServerId: lenient(z.string()),
});
export type AuthenticationResult = z.infer<typeof authenticationResultSchema>;

export const quickConnectSchema = z.looseObject({ Secret: z.string().min(1), Code: lenient(z.string()), Authenticated: lenient(z.boolean()) });
export type QuickConnectState = z.infer<typeof quickConnectSchema>;

/** The sessions of a Sessions message or of GET /Sessions; elements that are not a session are counted, not kept. */
export function parseSessions(data: unknown): { sessions: MediaSession[]; skipped: number } {
  if (!Array.isArray(data)) return { sessions: [], skipped: 1 };
  const sessions: MediaSession[] = [];
  let skipped = 0;
  for (const element of data) {
    const parsed = sessionSchema.safeParse(element);
    if (parsed.success) sessions.push(parsed.data);
    else skipped += 1;
  }
  return { sessions, skipped };
}

/** A WebSocket message: `{"MessageType": …, "Data": …, "MessageId": …}`. */
export type SocketMessage = { ok: true; type: string; data: unknown } | { ok: false; reason: string };

export function parseSocketMessage(text: string): SocketMessage {
  let json: unknown;
  try {
    json = parseUntrustedJson(text);
  } catch (error) {
    if (error instanceof JsonTooDeepError) return { ok: false, reason: error.message };
    return { ok: false, reason: "not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, reason: "not a JSON object" };
  const { MessageType: type, Data: data } = json as { MessageType?: unknown; Data?: unknown };
  if (typeof type !== "string") return { ok: false, reason: "no MessageType" };
  return { ok: true, type, data };
}

/** The ProviderIds value of a key, whatever its case ("Tmdb", "tmdb", "TMDB"), as a non-empty string. */
export function providerId(ids: MediaItem["ProviderIds"], key: string): string | undefined {
  if (!ids) return undefined;
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(ids)) {
    if (name.toLowerCase() !== wanted || value === null) continue;
    const text = String(value).trim();
    if (text !== "") return text;
  }
  return undefined;
}
