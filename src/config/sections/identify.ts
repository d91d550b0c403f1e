import { z } from "zod";

const traktRef = z
  .object({
    type: z.enum(["movie", "show"]).describe("What the rule maps to: a movie, or a show (season/episode still come from the player or the file name)."),
    trakt: z.number().int().positive().optional().describe("Trakt id."),
    slug: z.string().regex(/^[a-z0-9-]+$/).optional().describe("Trakt slug, e.g. \"the-office-us\"."),
    imdb: z.string().regex(/^tt\d+$/).optional().describe("IMDb id (tt…)."),
    tmdb: z.number().int().positive().optional().describe("TMDB id."),
    tvdb: z.number().int().positive().optional().describe("TVDB id (shows only)."),
  })
  .strict()
  .refine((r) => r.trakt !== undefined || r.slug !== undefined || r.imdb !== undefined || r.tmdb !== undefined || r.tvdb !== undefined, {
    message: "an override target needs at least one id: trakt, slug, imdb, tmdb or tvdb",
  })
  .refine((r) => r.type === "show" || r.tvdb === undefined, { message: "tvdb ids are for shows; use imdb or tmdb for a movie" });

const overrideRule = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .describe("Matched against the file path: a glob (`*` within a folder, `**` across folders, `?` one character) or, without wildcards, a substring. Case-insensitive."),
    title: z
      .string()
      .min(1)
      .optional()
      .describe("Matched against the title the player reports or the title parsed from the file name (case and punctuation ignored)."),
    to: traktRef,
    season: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("For a show whose files carry only absolute episode numbers (\"[Group] Show - 123\"): the Trakt season they count in, when Trakt lists the show as one season."),
  })
  .strict()
  .refine((r) => r.path !== undefined || r.title !== undefined, { message: "an override needs `path` or `title` (or both)" });

export const identifySection = z
  .object({
    overrides: z
      .array(overrideRule)
      .default([])
      .describe("Rules that force a path or title to a Trakt movie or show, checked first, in order. The dashboard's \"fix the match\" adds one here."),
    minSearchScore: z.number().min(0).default(0).describe("Reject text-search matches whose Trakt score is below this (0 = no floor).").meta({ restart: true }),
    minTitleSimilarity: z
      .number()
      .min(0.5)
      .max(1)
      .default(0.9)
      .describe("0.5–1: how close a Trakt search result's title must be to the parsed title (normalised edit-distance ratio).")
      .meta({ restart: true }),
    cacheMaxEntries: z.number().int().positive().default(5000).describe("Bound on cached identifications (least recently used are dropped).").meta({ restart: true }),
    cacheTtlDays: z.number().positive().default(30).describe("How long a found identification is reused without asking Trakt.").meta({ restart: true }),
    missTtlHours: z.number().positive().default(6).describe("How long a \"not found\" is remembered before trying Trakt again.").meta({ restart: true }),
  })
  .strict()
  .default({ overrides: [], minSearchScore: 0, minTitleSimilarity: 0.9, cacheMaxEntries: 5000, cacheTtlDays: 30, missTtlHours: 6 })
  .describe("How played media is matched to Trakt items.");

export type IdentifySection = z.infer<typeof identifySection>;
export type OverrideRule = IdentifySection["overrides"][number];
