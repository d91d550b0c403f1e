import { z } from "zod";

export const secretsSection = z
  .object({
    store: z.enum(["auto", "file", "keychain"]).default("auto").describe("Where tokens live: 'file' (0600 file in the state dir), 'keychain' (OS keyring via keytar), or 'auto' (keychain only where one answers).").meta({ env: "TRAKT_SCROBBLERD_SECRETS_STORE", restart: true }),
  })
  .default({ store: "auto" })
  .describe("Token storage.");

export const accountsSection = z
  .object({
    default: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
      .default("default")
      .describe("The account used when a player or command does not name one.")
      .meta({ restart: true }),
    refreshMarginMinutes: z
      .number()
      .int()
      .min(1)
      .default(360)
      .describe("Refresh an access token this many minutes before it expires (capped at half the token's lifetime). The daemon wakes up at that moment to refresh it.")
      .meta({ restart: true }),
  })
  .default({ default: "default", refreshMarginMinutes: 360 })
  .describe("Trakt accounts. Log in to each with `trakt-scrobblerd login --account NAME`.");

export type SecretsSection = z.infer<typeof secretsSection>;
export type AccountsSection = z.infer<typeof accountsSection>;
