import { z } from "zod";

export const traktSection = z
  .object({
    clientId: z.string().min(1).optional().describe("Your Trakt app's client id (https://app.trakt.tv/settings/apps/api).").meta({ env: "TRAKT_CLIENT_ID", restart: true }),
    clientSecret: z.string().min(1).optional().describe("Your Trakt app's client secret. Kept out of logs.").meta({ env: "TRAKT_CLIENT_SECRET", secret: true, restart: true }),
    apiUrl: z.url().default("https://api.trakt.tv").describe("Trakt API base URL: production, staging, or the bundled emulator.").meta({ env: "TRAKT_API_URL", restart: true }),
    authUrl: z.url().optional().describe("Trakt OAuth base URL; defaults to apiUrl.").meta({ env: "TRAKT_AUTH_URL", restart: true }),
    timeoutMs: z.number().int().positive().default(15_000).describe("Per-request timeout in milliseconds.").meta({ restart: true }),
    writeSpacingMs: z.number().int().min(0).default(1_000).describe("Minimum spacing of POST/PUT/DELETE requests per account (Trakt allows 1 per second).").meta({ restart: true }),
  })
  .default({ apiUrl: "https://api.trakt.tv", timeoutMs: 15_000, writeSpacingMs: 1_000 })
  .describe("The Trakt API and your app's credentials.");

export type TraktSection = z.infer<typeof traktSection>;
