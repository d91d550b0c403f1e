import { z } from "zod";

export const secretsSection = z
  .object({
    store: z.enum(["auto", "file", "keychain"]).default("auto").describe("Where tokens live: 'file' (0600 file in the state dir), 'keychain' (OS keyring via keytar), or 'auto' (keychain only where one answers).").meta({ env: "TRAKT_SCROBBLERD_SECRETS_STORE", restart: true }),
  })
  .default({ store: "auto" })
  .describe("Token storage.");

export const accountsSection = z
  .object({
    default: z.string().default("default").describe("The account used when a player does not name one."),
  })
  .default({ default: "default" })
  .describe("Trakt accounts. Log in to each with `trakt-scrobblerd login --account NAME`.");

export type SecretsSection = z.infer<typeof secretsSection>;
export type AccountsSection = z.infer<typeof accountsSection>;
