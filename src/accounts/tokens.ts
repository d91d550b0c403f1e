// Keeps every account's Trakt tokens alive. Trakt access tokens are short-lived (24 h from March 2025, 7 days in
// the 2026 guides) and refresh tokens are single-use, so the rules are strict:
//  - expiry is created_at + expires_in, never assumed;
//  - one refresh at a time per account (concurrent callers await the same promise);
//  - the rotated pair is persisted before the new access token is handed out (if persisting fails the pair stays
//    in memory and is persisted before anything else happens — the old refresh token is already dead);
//  - the refresh request is never aborted by a caller: a response lost after Trakt rotated would burn the login;
//  - invalid_grant marks the account "needs login" (persisted, logged once at error level), and nothing retries it;
//  - the store is the source of truth: before refreshing it is re-read, so a `login` or another process that
//    rotated the pair is picked up instead of spending a dead refresh token;
//  - once started, the manager sleeps until the earliest moment a token is due (expiry − margin), or a failed
//    refresh's backoff ends — never polling on a fixed schedule — and looks again at least every 6 hours, for
//    accounts logged in by another process meanwhile.
import { noActivity, type ActivitySink } from "../core/activity.js";
import type { SecretStore, SecretStoreKind, StoredAccount } from "../secrets/store.js";
import { isSecretStoreError, tokenExpiresAt } from "../secrets/store.js";
import type { AccessTokenProvider, TraktApi } from "../trakt/api.js";
import { isTraktError } from "../trakt/errors.js";
import type { TokenSet } from "../core/tokens.js";
import { registerSecret, type Logger } from "../util/log.js";
import { NeedsLoginError } from "./errors.js";

export type AccountState = "ok" | "refresh_due" | "needs_login" | "locked";

export interface AccountStatus {
  account: string;
  state: AccountState;
  /** Why the state is not "ok" (no secrets in it). */
  reason?: string;
  expiresAt?: Date;
  username?: string;
  backend?: SecretStoreKind;
}

export interface TokenManagerOptions {
  store: SecretStore & { backendOf?(account: string): Promise<SecretStoreKind> };
  /** Only `refreshToken` is used. The client that uses this manager as its AccessTokenProvider can be passed
   * here too (the call is made lazily, so a closure over a not-yet-built client works). */
  api: Pick<TraktApi, "refreshToken">;
  logger?: Logger;
  now?: () => number;
  /** Refresh this long before expiry (capped at half the token's lifetime). Default 6 hours. */
  refreshMarginMs?: number;
  /** After a refresh failed for a transient reason, wait this long before trying again. Default 60 s. */
  retryBackoffMs?: number;
  /** Told (`account`) when an account's state changes, e.g. Trakt refused its refresh token: it needs a login. */
  activity?: ActivitySink;
}

/** The longest the started manager sleeps: a login made by another process meanwhile is seen within this time. */
const LONGEST_SLEEP_MS = 6 * 3_600_000;
/** A locked store (keyring) is looked at again this often while it stays locked. */
const LOCKED_RECHECK_MS = 15 * 60_000;

interface Cached {
  entry: StoredAccount;
  /** A rotated pair not yet persisted (the store failed); persisted before any further use. */
  unsaved: boolean;
}

export class TokenManager implements AccessTokenProvider {
  private readonly store: TokenManagerOptions["store"];
  private readonly api: TokenManagerOptions["api"];
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly backoffMs: number;
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();
  private readonly failures = new Map<string, { at: number; error: unknown }>();
  private readonly loggedNeedsLogin = new Set<string>();
  /** Refresh tokens Trakt refused, so a store that failed to record "needs login" cannot cause a retry loop. */
  private readonly refused = new Map<string, string>();
  private readonly known = new Map<string, AccountStatus>();
  private readonly activity: ActivitySink;
  /** When each account's access token is due for a refresh (expiry − margin), from its last status. */
  private readonly dueAt = new Map<string, number>();
  private started = false;
  private wake: { at: number; timer: NodeJS.Timeout } | undefined;
  private lastCheckAt = 0;
  private checking: Promise<void> | undefined;
  private alsoInclude: string[] = [];

  constructor(options: TokenManagerOptions) {
    this.store = options.store;
    this.api = options.api;
    this.log = options.logger?.child({ component: "tokens" });
    this.now = options.now ?? Date.now;
    this.marginMs = options.refreshMarginMs ?? 6 * 3_600_000;
    this.backoffMs = options.retryBackoffMs ?? 60_000;
    this.activity = options.activity ?? noActivity;
  }

  async getAccessToken(account: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    let cached = await this.load(account);
    if (cached.unsaved) await this.persist(account, cached);
    if (cached.entry.needsLogin) {
      cached = await this.reload(account);
      if (cached.entry.needsLogin) throw new NeedsLoginError(account, cached.entry.needsLogin.reason);
      this.log?.info({ account }, "account logged in again; scrobbling resumes");
      await this.status(account);
    }
    if (!this.isDue(cached.entry)) return cached.entry.tokens.access_token;

    const failure = this.failures.get(account);
    if (failure && this.now() - failure.at < this.backoffMs && !this.inflight.has(account)) {
      if (!this.isExpired(cached.entry)) return cached.entry.tokens.access_token;
      throw failure.error;
    }
    try {
      return (await this.refresh(account, { due: true }, signal)).access_token;
    } catch (error) {
      if (signal?.aborted || error instanceof NeedsLoginError || isSecretStoreError(error)) throw error;
      const current = this.cache.get(account);
      if (current && !current.unsaved && !this.isExpired(current.entry)) {
        this.log?.warn({ account, err: error }, "token refresh failed; the current token is still valid, using it");
        return current.entry.tokens.access_token;
      }
      throw error;
    }
  }

  async refreshAfterUnauthorized(account: string, rejectedAccessToken: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const running = this.inflight.get(account);
    if (running) return (await abortable(running, signal)).access_token;
    const cached = await this.load(account);
    if (cached.entry.needsLogin) throw new NeedsLoginError(account, cached.entry.needsLogin.reason);
    if (!cached.unsaved && cached.entry.tokens.access_token !== rejectedAccessToken) return cached.entry.tokens.access_token;
    const failure = this.failures.get(account);
    if (failure && this.now() - failure.at < this.backoffMs) throw failure.error;
    return (await this.refresh(account, { rejected: rejectedAccessToken }, signal)).access_token;
  }

  /** The account's state, for `accounts`, `status` and readiness. Never throws for a locked store. */
  async status(account: string): Promise<AccountStatus> {
    const status = await this.computeStatus(account);
    const previous = this.known.get(account)?.state;
    this.known.set(account, status);
    if (status.state !== previous) {
      this.activity.report({ type: "account", at: this.now(), account, state: status.state, ...(status.reason !== undefined ? { reason: status.reason } : {}) });
    }
    this.sleepUntilDue();
    return status;
  }

  /** Last known status of each account (updated by every check, refresh and status call) — for synchronous
   * readers such as /readyz. Empty until the first check; `start()` runs one at once. */
  snapshot(): AccountStatus[] {
    return [...this.known.values()].sort((a, b) => a.account.localeCompare(b.account));
  }

  /** Readiness problems, one line per account that cannot scrobble (needs login or locked). */
  problems(): string[] {
    return this.snapshot()
      .filter((s) => s.state === "needs_login" || s.state === "locked")
      .map((s) => `account "${s.account}" ${s.state === "locked" ? "is locked" : "needs login"}: ${s.reason ?? ""}`.trimEnd());
  }

  private async computeStatus(account: string): Promise<AccountStatus> {
    const backend = this.store.backendOf ? await this.store.backendOf(account).catch(() => undefined) : this.store.kind;
    const base: AccountStatus = { account, state: "ok", ...(backend ? { backend } : {}) };
    let entry: StoredAccount | null;
    try {
      const cached = this.cache.get(account);
      entry = cached && !cached.entry.needsLogin ? cached.entry : this.applyRefused(account, await this.store.get(account));
    } catch (error) {
      if (isSecretStoreError(error, "locked") || isSecretStoreError(error, "unavailable")) return { ...base, state: "locked", reason: error.message };
      throw error;
    }
    if (!entry) return { ...base, state: "needs_login", reason: "not logged in" };
    this.dueAt.set(account, tokenExpiresAt(entry.tokens) - this.marginFor(entry.tokens));
    const withInfo: AccountStatus = { ...base, expiresAt: new Date(tokenExpiresAt(entry.tokens)), ...(entry.username !== undefined ? { username: entry.username } : {}) };
    if (entry.needsLogin) return { ...withInfo, state: "needs_login", reason: entry.needsLogin.reason };
    if (this.isDue(entry)) return { ...withInfo, state: "refresh_due", reason: this.isExpired(entry) ? "access token expired" : "access token expires soon" };
    return withInfo;
  }

  async state(account: string): Promise<AccountState> {
    return (await this.status(account)).state;
  }

  /** Status of every stored account (plus `alsoInclude`, e.g. the configured default account). */
  async statuses(alsoInclude: string[] = []): Promise<AccountStatus[]> {
    const names = new Set([...(await this.store.list()), ...alsoInclude]);
    return Promise.all([...names].sort().map((a) => this.status(a)));
  }

  /** Forget what is cached for an account (after login/logout in this process). */
  forget(account: string): void {
    this.cache.delete(account);
    this.failures.delete(account);
    this.loggedNeedsLogin.delete(account);
    this.refused.delete(account);
    this.known.delete(account);
    this.dueAt.delete(account);
  }

  /** Refreshes every stored account whose token is due. Errors are logged, never thrown. */
  refreshDue(): Promise<void> {
    this.checking ??= this.checkAll();
    return this.checking;
  }

  /** Checks every account now, then again whenever a token is due (see the header). The daemon owns start/stop.
   * `alsoInclude` names accounts to report even when they have no tokens yet (e.g. accounts.default). */
  start(alsoInclude: string[] = []): void {
    if (this.started) return;
    this.started = true;
    this.alsoInclude = alsoInclude;
    void this.refreshDue();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.wake?.timer);
    this.wake = undefined;
    await this.checking;
  }

  /** When the next check has work: the earliest token due, a failed refresh's backoff ending, a locked store. */
  private nextCheckAt(): number | undefined {
    let next: number | undefined;
    for (const [account, status] of this.known) {
      let at: number | undefined;
      switch (status.state) {
        case "ok":
          at = this.dueAt.get(account);
          break;
        case "refresh_due": {
          const failure = this.failures.get(account);
          at = failure ? failure.at + this.backoffMs : this.now();
          break;
        }
        case "locked":
          at = this.lastCheckAt + LOCKED_RECHECK_MS;
          break;
        case "needs_login":
          // Nothing to refresh: a new login reaches the store, and whoever asks for a token (or /readyz) sees it.
          break;
      }
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** (Re)sets the one timer of a started manager to the next check; a check never follows the last by less than the
   * retry backoff (a store that keeps failing must not turn this into a busy loop). */
  private sleepUntilDue(): void {
    if (!this.started || this.checking) return;
    const due = this.nextCheckAt() ?? Infinity;
    const at = Math.min(Math.max(due, this.lastCheckAt + this.backoffMs), this.lastCheckAt + LONGEST_SLEEP_MS);
    if (this.wake?.at === at) return;
    clearTimeout(this.wake?.timer);
    const timer = setTimeout(() => {
      this.wake = undefined;
      void this.refreshDue();
    }, Math.max(0, at - this.now()));
    timer.unref();
    this.wake = { at, timer };
  }

  private async checkAll(): Promise<void> {
    this.lastCheckAt = this.now();
    try {
      await this.checkEach();
    } finally {
      this.checking = undefined;
      this.sleepUntilDue();
    }
  }

  private async checkEach(): Promise<void> {
    let names: string[];
    try {
      names = [...new Set([...(await this.store.list()), ...this.alsoInclude])].sort();
    } catch (error) {
      this.log?.warn({ err: error }, "cannot list accounts for the token check");
      return;
    }
    for (const account of names) {
      const { state, reason } = await this.status(account).catch((error: unknown) => ({ state: "locked" as const, reason: String(error) }));
      if (state !== "refresh_due") {
        if (state === "locked") this.log?.debug({ account, reason }, "token check skipped: store locked");
        continue;
      }
      const failure = this.failures.get(account);
      if (failure && this.now() - failure.at < this.backoffMs) continue;
      await this.refresh(account, { due: true }).catch((error: unknown) => {
        if (!(error instanceof NeedsLoginError)) this.log?.warn({ account, err: error }, "scheduled token refresh failed; will try again");
      });
    }
  }

  private refresh(account: string, why: { due?: boolean; rejected?: string }, signal?: AbortSignal): Promise<TokenSet> {
    let running = this.inflight.get(account);
    if (!running) {
      running = this.doRefresh(account, why).finally(() => this.inflight.delete(account));
      this.inflight.set(account, running);
    }
    return abortable(running, signal);
  }

  private async doRefresh(account: string, why: { due?: boolean; rejected?: string }): Promise<TokenSet> {
    let cached = this.cache.get(account);
    if (cached?.unsaved) {
      await this.persist(account, cached);
    } else {
      cached = await this.reload(account);
    }
    const current = cached.entry;
    if (current.needsLogin) throw new NeedsLoginError(account, current.needsLogin.reason);
    // Someone else (another process, a login) already replaced the token we were about to refresh.
    if (why.rejected !== undefined && current.tokens.access_token !== why.rejected) return current.tokens;
    if (why.due && !this.isDue(current)) return current.tokens;

    let tokens: TokenSet;
    try {
      // Deliberately no AbortSignal: see the header comment.
      tokens = await this.api.refreshToken(current.tokens.refresh_token);
    } catch (error) {
      if (isTraktError(error) && error.oauthError === "invalid_grant") {
        await this.markNeedsLogin(account, current, "Trakt refused the refresh token (invalid_grant)");
        throw new NeedsLoginError(account, "Trakt refused the refresh token (invalid_grant)");
      }
      this.failures.set(account, { at: this.now(), error });
      throw error;
    }
    registerSecret(tokens.access_token);
    registerSecret(tokens.refresh_token);
    const next: Cached = { entry: withoutNeedsLogin({ ...current, tokens, updatedAt: new Date(this.now()).toISOString() }), unsaved: true };
    this.cache.set(account, next);
    await this.persist(account, next);
    this.failures.delete(account);
    await this.status(account).catch(() => undefined);
    this.log?.info({ account, expiresAt: new Date(tokenExpiresAt(tokens)).toISOString() }, "access token refreshed");
    return tokens;
  }

  private async persist(account: string, cached: Cached): Promise<void> {
    try {
      await this.store.set(account, cached.entry);
      cached.unsaved = false;
    } catch (error) {
      this.log?.error({ account, err: error }, "could not save the rotated tokens; keeping them in memory and retrying before any use");
      throw error;
    }
  }

  private async markNeedsLogin(account: string, entry: StoredAccount, reason: string): Promise<void> {
    const marked: StoredAccount = { ...entry, needsLogin: { since: new Date(this.now()).toISOString(), reason } };
    this.refused.set(account, entry.tokens.refresh_token);
    this.cache.set(account, { entry: marked, unsaved: false });
    if (!this.loggedNeedsLogin.has(account)) {
      this.loggedNeedsLogin.add(account);
      this.log?.error({ account }, `account "${account}" needs a new login: ${reason}. Scrobbles for it wait in the outbox. Run \`trakt-scrobblerd login --account ${account}\``);
    }
    try {
      await this.store.set(account, marked);
    } catch (error) {
      this.log?.warn({ account, err: error }, "could not record 'needs login' in the store (it is kept in memory)");
    }
    await this.status(account).catch(() => undefined);
  }

  private async load(account: string): Promise<Cached> {
    return this.cache.get(account) ?? this.reload(account);
  }

  private async reload(account: string): Promise<Cached> {
    const entry = this.applyRefused(account, await this.store.get(account));
    if (!entry) {
      this.cache.delete(account);
      throw new NeedsLoginError(account, "not logged in");
    }
    registerSecret(entry.tokens.access_token);
    registerSecret(entry.tokens.refresh_token);
    const cached: Cached = { entry, unsaved: false };
    this.cache.set(account, cached);
    if (!entry.needsLogin) this.loggedNeedsLogin.delete(account);
    return cached;
  }

  private applyRefused(account: string, entry: StoredAccount | null): StoredAccount | null {
    if (entry && !entry.needsLogin && this.refused.get(account) === entry.tokens.refresh_token) {
      return { ...entry, needsLogin: { since: new Date(this.now()).toISOString(), reason: "Trakt refused the refresh token (invalid_grant)" } };
    }
    return entry;
  }

  private marginFor(tokens: TokenSet): number {
    return Math.min(this.marginMs, (tokens.expires_in * 1000) / 2);
  }

  private isDue(entry: StoredAccount): boolean {
    return this.now() >= tokenExpiresAt(entry.tokens) - this.marginFor(entry.tokens);
  }

  private isExpired(entry: StoredAccount): boolean {
    return this.now() >= tokenExpiresAt(entry.tokens);
  }
}

function withoutNeedsLogin(entry: StoredAccount): StoredAccount {
  const { needsLogin: _drop, ...rest } = entry;
  return rest;
}

/** Lets one caller stop waiting without cancelling the shared work. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
