// The secret store contract: one TokenSet (plus non-secret metadata) per account name, behind one interface with
// two backends (file, OS keychain). Callers never learn where the bytes live beyond `kind`.
import { z } from "zod";
import type { TokenSet } from "../core/tokens.js";

export type SecretStoreKind = "file" | "keychain";

export interface NeedsLoginMark {
  /** ISO time Trakt refused the refresh token. */
  since: string;
  reason: string;
}

export interface StoredAccount {
  tokens: TokenSet;
  /** Trakt username, from /users/settings after login. */
  username?: string;
  /** Set when Trakt refused the refresh token: only a new login helps. Persisted so a restart does not retry. */
  needsLogin?: NeedsLoginMark;
  /** ISO time of the last write. */
  updatedAt: string;
}

export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** The stored entry, or null when the account is not logged in. Throws SecretStoreError "locked" when the
   * tokens exist but cannot be read right now (locked keychain) — that is never reported as "logged out". */
  get(account: string): Promise<StoredAccount | null>;
  /** Replaces the account's entry atomically: afterwards the old or the new entry is stored, never a mix. */
  set(account: string, entry: StoredAccount): Promise<void>;
  /** Returns whether something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Names of the stored accounts, sorted. */
  list(): Promise<string[]>;
}

export type SecretStoreErrorKind = "locked" | "unavailable" | "permissions" | "corrupt" | "invalid_name";

export class SecretStoreError extends Error {
  override readonly name = "SecretStoreError";
  constructor(
    readonly kind: SecretStoreErrorKind,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isSecretStoreError(error: unknown, kind?: SecretStoreErrorKind): error is SecretStoreError {
  return error instanceof SecretStoreError && (kind === undefined || error.kind === kind);
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Account names become file names and keychain keys, so they are kept to a safe alphabet. */
export function assertAccountName(account: string): void {
  if (!ACCOUNT_NAME.test(account)) {
    throw new SecretStoreError(
      "invalid_name",
      `invalid account name ${JSON.stringify(account)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

export const tokenSetSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string(),
  scope: z.string(),
  created_at: z.number().int().nonnegative(),
  expires_in: z.number().int().positive(),
});

export const storedAccountSchema = z.object({
  tokens: tokenSetSchema,
  username: z.string().optional(),
  needsLogin: z.object({ since: z.string(), reason: z.string() }).optional(),
  updatedAt: z.string(),
});

/** Parses stored JSON; the error never echoes the content (it holds tokens). */
export function parseStoredAccount(text: string, where: string): StoredAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SecretStoreError("corrupt", `${where} is not valid JSON; delete it and run \`trakt-scrobblerd login\` again`);
  }
  const parsed = storedAccountSchema.safeParse(raw);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
    throw new SecretStoreError("corrupt", `${where} does not hold a token set (bad fields: ${paths}); delete it and run \`trakt-scrobblerd login\` again`);
  }
  return stripUndefined(parsed.data);
}

function stripUndefined(data: z.infer<typeof storedAccountSchema>): StoredAccount {
  const out: StoredAccount = { tokens: data.tokens, updatedAt: data.updatedAt };
  if (data.username !== undefined) out.username = data.username;
  if (data.needsLogin !== undefined) out.needsLogin = data.needsLogin;
  return out;
}

/** Unix ms at which the access token expires: created_at + expires_in, as Trakt documents. */
export function tokenExpiresAt(tokens: TokenSet): number {
  return (tokens.created_at + tokens.expires_in) * 1000;
}
