// What `login`, `logout` and `accounts` do, apart from argument parsing (src/cli/actions/accounts.ts only wires these).
import { assertAccountName, tokenExpiresAt, type SecretStore, type StoredAccount } from "../secrets/store.js";
import type { TraktApi } from "../trakt/api.js";
import type { Logger } from "../util/log.js";
import { formatTable } from "../util/table.js";
import { runDeviceFlow, type DeviceFlowOptions } from "./device.js";
import type { AccountStatus, TokenManager } from "./tokens.js";

export interface LoginOptions extends DeviceFlowOptions {
  account: string;
  api: Pick<TraktApi, "deviceCode" | "pollDeviceToken" | "userSettings">;
  store: SecretStore;
  /** Told to drop what it cached for the account (the client reads the new token through it). */
  tokens?: Pick<TokenManager, "forget">;
}

export interface LoginResult {
  account: string;
  username: string | undefined;
  expiresAt: Date;
}

/** Device login, then the token set is stored (atomically) before anything uses it, then /users/settings says
 * who logged in. An abort before approval stores nothing. */
export async function loginAccount(options: LoginOptions): Promise<LoginResult> {
  const { account, api, store, out, signal } = options;
  assertAccountName(account);
  const log = options.logger?.child({ component: "login", account });
  const tokens = await runDeviceFlow(api, options);
  const entry: StoredAccount = { tokens, updatedAt: new Date((options.now ?? Date.now)()).toISOString() };
  await store.set(account, entry);
  options.tokens?.forget(account);
  log?.info({ expiresAt: new Date(tokenExpiresAt(tokens)).toISOString() }, "logged in; tokens stored");

  let username: string | undefined;
  try {
    const settings = await api.userSettings(account, { signal });
    username = settings.user.username;
    const current = (await store.get(account)) ?? entry;
    await store.set(account, { ...current, username });
    options.tokens?.forget(account);
    out.write(`Logged in to Trakt as ${username}${settings.user.name ? ` (${settings.user.name})` : ""} — account "${account}".\n`);
  } catch (error) {
    if (signal?.aborted) throw error;
    log?.warn({ err: error }, "logged in, but reading the Trakt user failed");
    out.write(`Logged in (account "${account}"), but Trakt did not say who you are: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return { account, username, expiresAt: new Date(tokenExpiresAt(tokens)) };
}

export interface LogoutOptions {
  account: string;
  api: Pick<TraktApi, "revokeToken">;
  store: SecretStore;
  tokens?: Pick<TokenManager, "forget">;
  out: { write(text: string): unknown };
  logger?: Logger;
  signal?: AbortSignal;
}

export interface LogoutResult {
  wasLoggedIn: boolean;
  revoked: boolean;
}

/** Revokes the token on Trakt, then deletes it locally — also when revoking fails (with a warning). */
export async function logoutAccount(options: LogoutOptions): Promise<LogoutResult> {
  const { account, api, store, out } = options;
  assertAccountName(account);
  const log = options.logger?.child({ component: "logout", account });
  const entry = await store.get(account);
  if (!entry) {
    out.write(`Account "${account}" is not logged in; nothing to do.\n`);
    return { wasLoggedIn: false, revoked: false };
  }
  let revoked = false;
  try {
    await api.revokeToken(entry.tokens.access_token, { signal: options.signal });
    revoked = true;
  } catch (error) {
    log?.warn({ err: error }, "revoking the token on Trakt failed; deleting it locally anyway");
    out.write(
      `Warning: Trakt did not confirm the revocation (${error instanceof Error ? error.message : String(error)}). ` +
        "The tokens are deleted here anyway; you can also revoke the app on Trakt under Settings → Connected apps.\n",
    );
  }
  await store.delete(account);
  options.tokens?.forget(account);
  log?.info({ revoked }, "logged out");
  out.write(`Logged out account "${account}"${entry.username ? ` (Trakt user ${entry.username})` : ""}${revoked ? "; the token was revoked on Trakt" : ""}.\n`);
  return { wasLoggedIn: true, revoked };
}

const STATE_LABEL: Record<AccountStatus["state"], string> = {
  ok: "ok",
  refresh_due: "refresh due",
  needs_login: "needs login",
  locked: "locked",
};

/** The `accounts` table. */
export function formatAccounts(statuses: AccountStatus[], now: number = Date.now()): string {
  if (statuses.length === 0) return "No accounts. Log in with `trakt-scrobblerd login [--account NAME]`.\n";
  const rows = statuses.map((s) => [
    s.account,
    s.username ?? "-",
    STATE_LABEL[s.state],
    s.expiresAt ? `${s.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z")} (${relative(s.expiresAt.getTime() - now)})` : "-",
    s.backend ?? "-",
  ]);
  const header = ["ACCOUNT", "TRAKT USER", "STATE", "TOKEN EXPIRES", "STORE"];
  const notes = statuses
    .filter((s) => s.state !== "ok" && s.reason)
    .map((s) => `  ${s.account}: ${s.reason}${s.state === "needs_login" ? ` — run \`trakt-scrobblerd login --account ${s.account}\`` : ""}`);
  return [...formatTable([header, ...rows]), ...(notes.length ? ["", ...notes] : [])].join("\n") + "\n";
}

function relative(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs >= 2 * 86_400_000 ? `${Math.round(abs / 86_400_000)}d` : abs >= 3_600_000 ? `${Math.round(abs / 3_600_000)}h` : `${Math.round(abs / 60_000)}m`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
