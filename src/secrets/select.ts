// Picks the secret store from `secrets.store`:
//  - file:     the 0600 file store.
//  - keychain: the OS keychain only; if it does not answer, accounts report "locked" (nothing falls back silently
//              to a place where the tokens are not).
//  - auto:     per account. An account already in the file store stays there; an account the keychain marker
//              lists is read from the keychain (or reported "locked" when it does not answer); a new login goes to
//              the keychain when it answered the probe, else to the file store (reason logged).
import type { Logger } from "../util/log.js";
import { FileSecretStore } from "./file.js";
import {
  KeychainSecretStore,
  loadKeytar,
  probeKeychain,
  probeKeychainIsolated,
  readKeychainMarker,
  type KeytarLike,
  type ProbeResult,
} from "./keychain.js";
import { AutoServerTokenStore, FileServerTokenStore, KeychainServerTokenStore } from "./server-token-stores.js";
import type { ServerTokenStore } from "./server-tokens.js";
import { SecretStoreError, type SecretStore, type SecretStoreKind, type StoredAccount } from "./store.js";

export type SecretStoreMode = "auto" | "file" | "keychain";

export interface OpenSecretStoreOptions {
  mode: SecretStoreMode;
  stateDir: string;
  logger?: Logger;
  /** Timeout of the probe and of every keychain call. */
  keychainTimeoutMs?: number;
  /** For tests: how to get keytar. */
  loadKeytar?: () => Promise<KeytarLike>;
  /** How to probe. Default: in a child process (see probeKeychainIsolated), or in-process with an injected keytar. */
  probe?: (keytar: KeytarLike, timeoutMs: number) => Promise<ProbeResult>;
}

/** A store that can say where each account lives (for `accounts` and `status`). */
export interface LocatingSecretStore extends SecretStore {
  /** Backend holding (or that would hold) this account. */
  backendOf(account: string): Promise<SecretStoreKind>;
  /** Where new logins go, and why. */
  readonly description: string;
  /** True once a keychain call hung (timed out). The hung native call keeps the event loop alive, so a
   * short-lived command must exit explicitly. */
  keychainHung(): boolean;
  /** Tokens of the media servers (`plex login`, `jellyfin login`), on the same backend and with the same care. */
  readonly serverTokens: ServerTokenStore;
}

export async function openSecretStore(options: OpenSecretStoreOptions): Promise<LocatingSecretStore> {
  const log = options.logger?.child({ component: "secrets" });
  const timeoutMs = options.keychainTimeoutMs ?? 3_000;
  const file = new FileSecretStore(options.stateDir, log);
  const fileServers = new FileServerTokenStore(options.stateDir, log);
  if (options.mode === "file") return single(file, "file store (secrets.store: file)", undefined, fileServers);

  let keychain: KeychainSecretStore | undefined;
  let keychainServers: KeychainServerTokenStore | undefined;
  let reason: string;
  try {
    const keytar = await (options.loadKeytar ?? loadKeytar)();
    keychain = new KeychainSecretStore(keytar, { stateDir: options.stateDir, timeoutMs, ...(log ? { logger: log } : {}) });
    keychainServers = new KeychainServerTokenStore(keytar, keychain, options.stateDir, { timeoutMs, logger: log });
    const probe = await (options.probe ?? (options.loadKeytar ? probeKeychain : (_k: KeytarLike, ms: number) => probeKeychainIsolated(ms)))(keytar, timeoutMs);
    if (probe.ok) {
      reason = "OS keychain answered the probe";
    } else {
      reason = `OS keychain did not pass the probe: ${probe.reason}`;
      if (probe.timedOut) keychain.markUnavailable(probe.reason); // never call into a hung keychain in-process
    }
    if (!probe.ok && options.mode === "auto") {
      log?.info({ reason }, "tokens go to the file store");
      return new AutoStore(file, keychain, false, options.stateDir, reason, new AutoServerTokenStore(fileServers, keychainServers, false, reason));
    }
    if (!probe.ok) log?.warn({ reason }, "secrets.store is 'keychain' but the keychain is not usable; accounts stored there report 'locked'");
    else log?.debug({ reason }, "using the OS keychain");
  } catch (error) {
    if (!(error instanceof SecretStoreError)) throw error;
    reason = `OS keychain unavailable: ${error.message}`;
    if (options.mode === "keychain") {
      throw new SecretStoreError("unavailable", `secrets.store is 'keychain' but ${reason}. Install keytar's build needs (libsecret-1-dev) or set secrets.store: file`, { cause: error });
    }
    log?.info({ reason }, "tokens go to the file store");
    return new AutoStore(file, undefined, false, options.stateDir, reason, new AutoServerTokenStore(fileServers, undefined, false, reason));
  }
  if (options.mode === "keychain") return single(keychain, `OS keychain (secrets.store: keychain; ${reason})`, keychain, keychainServers);
  return new AutoStore(file, keychain, true, options.stateDir, reason, new AutoServerTokenStore(fileServers, keychainServers, true, reason));
}

function single(
  store: FileSecretStore | KeychainSecretStore,
  description: string,
  keychain: KeychainSecretStore | undefined,
  serverTokens: ServerTokenStore,
): LocatingSecretStore {
  return {
    serverTokens,
    keychainHung: () => keychain?.unavailableReason !== undefined,
    kind: store.kind,
    description,
    get: (a) => store.get(a),
    set: (a, e) => store.set(a, e),
    delete: (a) => store.delete(a),
    list: () => store.list(),
    backendOf: () => Promise.resolve(store.kind),
  };
}

class AutoStore implements LocatingSecretStore {
  readonly kind: SecretStoreKind;
  readonly description: string;

  constructor(
    private readonly file: FileSecretStore,
    private readonly keychain: KeychainSecretStore | undefined,
    private readonly keychainUsable: boolean,
    private readonly stateDir: string,
    private readonly reason: string,
    readonly serverTokens: ServerTokenStore,
  ) {
    this.kind = keychainUsable ? "keychain" : "file";
    this.description = keychainUsable ? `OS keychain (secrets.store: auto; ${reason})` : `file store (secrets.store: auto; ${reason})`;
  }

  keychainHung(): boolean {
    return this.keychain?.unavailableReason !== undefined;
  }

  async backendOf(account: string): Promise<SecretStoreKind> {
    if ((await this.file.list()).includes(account)) return "file";
    if ((await readKeychainMarker(this.stateDir)).includes(account)) return "keychain";
    return this.kind;
  }

  async get(account: string): Promise<StoredAccount | null> {
    const fromFile = await this.file.get(account);
    if (fromFile) return fromFile;
    if (!(await readKeychainMarker(this.stateDir)).includes(account)) {
      return this.keychainUsable && this.keychain ? this.keychain.get(account) : null;
    }
    if (!this.keychain) {
      throw new SecretStoreError("locked", `tokens for account "${account}" are in the OS keychain, which is not available now (${this.reason}); fix that, or run \`trakt-scrobblerd login --account ${account}\` to store new ones in the file store`);
    }
    return this.keychain.get(account);
  }

  async set(account: string, entry: StoredAccount): Promise<void> {
    if ((await this.backendOf(account)) === "keychain" && this.keychain && this.keychainUsable) {
      await this.keychain.set(account, entry);
      return;
    }
    await this.file.set(account, entry);
  }

  async delete(account: string): Promise<boolean> {
    let deleted = await this.file.delete(account);
    if (this.keychain && (await readKeychainMarker(this.stateDir)).includes(account)) {
      deleted = (await this.keychain.delete(account)) || deleted;
    }
    return deleted;
  }

  async list(): Promise<string[]> {
    const names = new Set([...(await this.file.list()), ...(await readKeychainMarker(this.stateDir))]);
    return [...names].sort();
  }
}
