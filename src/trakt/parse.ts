// Response schemas: validate what Trakt sends and normalise it into the shapes of types.ts / api.ts.
// Trakt sends `null` and sometimes "" for a missing external id; those are dropped. Ids above 2^31 (history,
// checkin) stay plain numbers: JSON.parse gives exact doubles up to 2^53.
import { z } from "zod";
import type { DevicePollStatus, Page, PlaybackProgressItem, UserSettings } from "./api.js";
import { TraktError } from "./errors.js";
import type { DeviceCode, HistoryAddResult, HistoryEntry, ScrobbleResponse, SearchResult, ShowSeason } from "./types.js";
import type { TraktEpisode, TraktIds, TraktMovie, TraktShow } from "../core/media.js";
import type { TokenSet } from "../core/tokens.js";

const optionalId = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null || v === "" ? undefined : v), schema.optional());

/** Numbers sometimes arrive as numeric strings; accept both, keep numbers. */
const numericId = z.preprocess((v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v), z.number().int().nonnegative());

export const idsSchema = z
  .object({
    trakt: optionalId(numericId),
    slug: optionalId(z.string()),
    imdb: optionalId(z.string()),
    tmdb: optionalId(numericId),
    tvdb: optionalId(numericId),
  })
  .transform((ids) => {
    const out: TraktIds = {};
    if (ids.trakt !== undefined) out.trakt = ids.trakt;
    if (ids.slug !== undefined) out.slug = ids.slug;
    if (ids.imdb !== undefined) out.imdb = ids.imdb;
    if (ids.tmdb !== undefined) out.tmdb = ids.tmdb;
    if (ids.tvdb !== undefined) out.tvdb = ids.tvdb;
    return out;
  });

const optionalString = z.preprocess((v) => (v === null ? undefined : v), z.string().optional());
const optionalInt = z.preprocess((v) => (v === null ? undefined : v), z.number().int().optional());

/** Drops undefined-valued keys, so parsed objects satisfy exactOptionalPropertyTypes. */
function compact<T>(obj: { [K in keyof T]?: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

export const movieSchema = z
  .object({ title: optionalString, year: optionalInt, ids: idsSchema })
  .transform((m) => compact<TraktMovie>(m));
export const showSchema = z
  .object({ title: optionalString, year: optionalInt, ids: idsSchema })
  .transform((s) => compact<TraktShow>(s));
export const episodeSchema = z
  .object({ season: optionalInt, number: optionalInt, number_abs: optionalInt, title: optionalString, ids: idsSchema.optional() })
  .transform((e) => compact<TraktEpisode>(e));

const mediaFields = {
  movie: movieSchema.optional(),
  episode: episodeSchema.optional(),
  show: showSchema.optional(),
};

export const scrobbleResponseSchema = z
  .object({ id: z.number().int().nonnegative(), action: z.string(), progress: z.number().optional(), ...mediaFields })
  .transform((r) => compact<ScrobbleResponse>({ ...r, progress: r.progress ?? 0 }));

/** Checkin answers have no action/progress; normalise them into the scrobble response shape. */
export const checkinResponseSchema = z
  .object({ id: z.number().int().nonnegative(), watched_at: z.string().optional(), ...mediaFields })
  .transform((r) => compact<ScrobbleResponse>({ id: r.id, action: "checkin", progress: 0, movie: r.movie, episode: r.episode, show: r.show }));

export const tokenSetSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().default("bearer"),
  scope: z.string().default("public"),
  created_at: z.number().int(),
  expires_in: z.number().int().positive(),
}) satisfies z.ZodType<TokenSet>;

export const deviceCodeSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_url: z.string().min(1),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
}) satisfies z.ZodType<DeviceCode>;

const searchTypeSchema = z.enum(["movie", "show", "episode", "person", "list"]);
export const searchResultsSchema = z.array(
  z
    .looseObject({ type: searchTypeSchema, score: z.number().nullable().optional(), ...mediaFields })
    .transform((r): SearchResult => {
      const out: SearchResult = { type: r.type, score: r.score ?? null };
      if (r.movie) out.movie = r.movie;
      if (r.show) out.show = r.show;
      if (r.episode) out.episode = r.episode;
      return out;
    }),
);

/** GET /shows/{id}/seasons?extended=…episodes: seasons with their episodes (standard or full episode objects). */
export const showSeasonsSchema = z.array(
  z
    .looseObject({ number: z.number().int().nonnegative(), episodes: z.array(z.looseObject({}).pipe(episodeSchema)).default([]) })
    .transform((season): ShowSeason => ({ number: season.number, episodes: season.episodes })),
);

const historyItemSchema = z.looseObject({ ids: idsSchema, title: optionalString, year: optionalInt, watched_at: optionalString });
const notFoundList = z.array(z.looseObject({ ids: idsSchema.optional() })).default([]);

export const historyAddResultSchema = z
  .object({
    added: z.object({ movies: z.number().int().default(0), episodes: z.number().int().default(0) }),
    not_found: z
      .object({ movies: notFoundList, shows: notFoundList, seasons: z.array(z.unknown()).default([]), episodes: notFoundList })
      .default({ movies: [], shows: [], seasons: [], episodes: [] }),
  })
  .transform((r): HistoryAddResult => ({
    added: r.added,
    not_found: {
      movies: r.not_found.movies.map((m) => historyItemSchema.parse(m)) as HistoryAddResult["not_found"]["movies"],
      shows: r.not_found.shows.map((s) => historyItemSchema.parse(s)) as HistoryAddResult["not_found"]["shows"],
      seasons: r.not_found.seasons,
      episodes: r.not_found.episodes.map((e) => historyItemSchema.parse(e)) as HistoryAddResult["not_found"]["episodes"],
    },
  }));

export const historyRemoveResultSchema = z.looseObject({
  deleted: z.object({ movies: z.number().int().default(0), episodes: z.number().int().default(0) }),
  not_found: z.looseObject({ ids: z.array(z.number()).default([]) }).optional(),
});
export type HistoryRemoveResult = z.infer<typeof historyRemoveResultSchema>;

export const historyEntriesSchema = z.array(
  z
    .object({ id: z.number().int().nonnegative(), watched_at: z.string(), action: z.string(), type: z.enum(["movie", "episode"]), ...mediaFields })
    .transform((e) => compact<HistoryEntry>(e)),
);

export const playbackSchema = z.array(
  z
    .object({ id: z.number().int().nonnegative(), progress: z.number(), paused_at: z.string(), type: z.enum(["movie", "episode"]), ...mediaFields })
    .transform((p) => compact<PlaybackProgressItem>(p)),
);

export const lastActivitiesSchema = z.record(z.string(), z.unknown());

export const userSettingsSchema = z
  .looseObject({
    user: z.looseObject({
      username: z.string(),
      name: z.string().nullable().optional(),
      vip: z.boolean().optional(),
      ids: z.looseObject({ slug: z.string().optional() }).optional(),
    }),
    account: z.looseObject({ timezone: z.string().optional() }).optional(),
    limits: z.unknown().optional(),
  })
  .transform((s) => s as UserSettings);

/** Validates a 2xx body; a mismatch is a `bad_response` error naming the call (never quoting the body). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(body);
  } catch (error) {
    // A transform that parses nested items (historyAddResultSchema) throws instead of reporting an issue.
    throw new TraktError("bad_response", `Trakt ${what} answered with an unexpected body (nested item: invalid)`, { cause: error });
  }
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
    throw new TraktError("bad_response", `Trakt ${what} answered with an unexpected body (${where})`, { cause: result.error });
  }
  return result.data;
}

/** Reads X-Pagination-* headers (strings); falls back to "one page holding everything" when absent. */
export function parsePage<T>(items: T[], headers: Headers): Page<T> {
  const int = (name: string): number | undefined => {
    const v = headers.get(name);
    if (v === null || !/^\d+$/.test(v.trim())) return undefined;
    return Number(v);
  };
  return {
    items,
    page: int("x-pagination-page") ?? 1,
    pageCount: int("x-pagination-page-count") ?? 1,
    itemCount: int("x-pagination-item-count") ?? items.length,
  };
}

/** Device-token poll statuses that are answers, not errors. */
export function devicePollStatus(status: number): DevicePollStatus | undefined {
  switch (status) {
    case 400:
      return "pending";
    case 404:
      return "invalid";
    case 409:
      return "already_used";
    case 410:
      return "expired";
    case 418:
      return "denied";
    case 429:
      return "slow_down";
    default:
      return undefined;
  }
}

/** Escapes Solr's special characters (+ - && || ! ( ) { } [ ] ^ " ~ * ? : / and the backslash itself). */
export function escapeSolr(query: string): string {
  return query.replace(/[+\-&|!(){}[\]^"~*?:/\\]/g, (c) => `\\${c}`);
}
