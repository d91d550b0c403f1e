// Where tokens live, and each account's token: present, fresh, refused, locked — and accepted by Trakt.
import { existsSync } from "node:fs";
import { TokenManager, type AccountStatus } from "../accounts/tokens.js";
import type { Config } from "../config/schema.js";
import type { TraktSection } from "../config/sections/trakt.js";
import { openSecretStore, type LocatingSecretStore } from "../secrets/select.js";
import { silentLogger } from "../util/log.js";
import { networkFailure, traktHeaders } from "./trakt.js";
import { result, type CheckResult } from "./types.js";
import { APP_REFUSED, VIP_REQUIRED } from "../trakt/explain.js";

export async function checkSecretStore(config: Config, stateDir: string): Promise<{ result: CheckResult; store?: LocatingSecretStore }> {
  const check = "secret store";
  if (!existsSync(stateDir)) return { result: result(check, "skip", `no state dir yet (${stateDir}), so no stored tokens`) };
  try {
    const store = await openSecretStore({ mode: config.secrets.store, stateDir, logger: silentLogger() });
    return { result: result(check, "pass", store.description), store };
  } catch (error) {
    return {
      result: result(check, "fail", error instanceof Error ? error.message : String(error), "set secrets.store: file to keep tokens in a 0600 file in the state dir, or make the OS keychain available"),
    };
  }
}

/** Every account the config routes to, plus those with stored tokens. */
export function configuredAccounts(config: Config): string[] {
  const names = new Set<string>([config.accounts.default]);
  if (config.mpv.enabled && config.mpv.account) names.add(config.mpv.account);
  if (config.kodi.enabled) for (const i of config.kodi.instances) if (i.account) names.add(i.account);
  if (config.plex.enabled) {
    for (const a of Object.values(config.plex.users)) names.add(a);
    if (config.plex.defaultAccount) names.add(config.plex.defaultAccount);
  }
  return [...names].sort();
}

function loginHint(account: string): string {
  return `run \`trakt-scrobblerd login${account === "default" ? "" : ` --account ${account}`}\``;
}

/** The stored state of each account; a usable token is also shown to Trakt (GET /users/settings) when possible. */
export async function checkAccounts(
  store: LocatingSecretStore | undefined,
  accounts: string[],
  trakt: TraktSection,
  options: { timeoutMs?: number; verifyWithTrakt?: boolean } = {},
): Promise<CheckResult[]> {
  if (!store) return accounts.map((a) => result(`account ${a}`, "fail", "not logged in (no stored tokens)", loginHint(a)));
  const tokens = new TokenManager({
    store,
    // Doctor never refreshes: a refresh token is single-use, and the running daemon owns the rotation.
    api: { refreshToken: () => Promise.reject(new Error("doctor does not refresh tokens")) },
  });
  let statuses: AccountStatus[];
  try {
    statuses = await tokens.statuses(accounts);
  } catch (error) {
    return [result("accounts", "fail", `cannot read the stored tokens: ${error instanceof Error ? error.message : String(error)}`, "fix the state dir's permissions, or log in again")];
  }
  const out: CheckResult[] = [];
  for (const s of statuses) {
    out.push(await accountResult(s, store, trakt, options));
  }
  return out;
}

async function accountResult(
  s: AccountStatus,
  store: LocatingSecretStore,
  trakt: TraktSection,
  options: { timeoutMs?: number; verifyWithTrakt?: boolean },
): Promise<CheckResult> {
  const check = `account ${s.account}`;
  const who = `${s.username ? `user ${s.username}, ` : ""}${s.backend ?? store.kind} store`;
  const expires = s.expiresAt ? `, access token expires ${s.expiresAt.toISOString()}` : "";
  switch (s.state) {
    case "needs_login":
      return result(check, "fail", `needs login: ${s.reason ?? "no tokens"}`, loginHint(s.account));
    case "locked":
      return result(check, "fail", `locked: ${s.reason ?? "the keychain does not answer"}`, "unlock the OS keychain (log in to the desktop session, or start gnome-keyring-daemon), or log in again with secrets.store: file");
    case "refresh_due":
      return result(check, "warn", `${s.reason ?? "refresh due"} (${who}${expires})`, "the running daemon refreshes it by itself; make sure `trakt-scrobblerd run` is running and can reach Trakt");
    case "ok":
      break;
  }
  const base = `ok (${who}${expires})`;
  if (options.verifyWithTrakt === false || !trakt.clientId) return result(check, "pass", base);
  const entry = await store.get(s.account).catch(() => null);
  if (!entry) return result(check, "pass", base);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL("/users/settings", trakt.apiUrl).toString();
  try {
    const response = await fetch(url, { headers: traktHeaders(trakt.clientId, entry.tokens.access_token), signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.ok) return result(check, "pass", `${base}; Trakt accepts the token`);
    if (response.status === 401) {
      return result(check, "warn", `Trakt refused the access token (HTTP 401): revoked, or issued for another app`, `the daemon tries one refresh; if the account then says "needs login", ${loginHint(s.account)}`);
    }
    if (response.status === 423) return result(check, "fail", "Trakt says this account is locked (HTTP 423)", "contact Trakt support; nothing can be scrobbled meanwhile");
    if (response.status === 403) return result(check, "fail", "Trakt refused the app (HTTP 403): deleted (free accounts' apps, 31 July 2026) or a wrong client id", APP_REFUSED);
    if (response.status === 426) return result(check, "fail", "Trakt answered 426: this account needs Trakt VIP", VIP_REQUIRED);
    return result(check, "warn", `${base}; Trakt answered HTTP ${response.status} to a token check`, "see the 'trakt reachable' line");
  } catch (error) {
    const failure = networkFailure(check, "the Trakt API", trakt.apiUrl, error, timeoutMs);
    return result(check, "warn", `${base}; could not be checked with Trakt: ${failure.message}`, failure.hint);
  }
}
