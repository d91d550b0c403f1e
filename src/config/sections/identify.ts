import { z } from "zod";

const traktRef = z.object({
  type: z.enum(["movie", "show"]).describe("What the rule maps to."),
  trakt: z.number().int().positive().optional().describe("Trakt id."),
  imdb: z.string().regex(/^tt\d+$/).optional().describe("IMDb id (tt…)."),
  tmdb: z.number().int().positive().optional().describe("TMDB id."),
  tvdb: z.number().int().positive().optional().describe("TVDB id."),
});

export const identifySection = z
  .object({
    overrides: z
      .array(
        z.object({
          path: z.string().optional().describe("Glob or substring matched against the file path."),
          title: z.string().optional().describe("Title (case-insensitive) as the player reports it or as parsed from the file name."),
          to: traktRef,
        }),
      )
      .default([])
      .describe("Rules that force a path or title to a Trakt movie or show."),
    minSearchScore: z.number().min(0).default(0).describe("Reject text-search matches whose Trakt score is below this."),
    cacheMaxEntries: z.number().int().positive().default(5000).describe("Bound on cached identifications."),
  })
  .default({ overrides: [], minSearchScore: 0, cacheMaxEntries: 5000 })
  .describe("How played media is matched to Trakt items.");

export type IdentifySection = z.infer<typeof identifySection>;
