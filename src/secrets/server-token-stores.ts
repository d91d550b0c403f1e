// The media-server token store (server-tokens.ts) on the two backends of the Trakt tokens, with the same care:
//  - file: one 0600 file per server, `<stateDir>/secrets/servers/<kind>.<server>.json`, in a 0700 directory of its
//    own (so `accounts` never mistakes a server token for a Trakt account), replaced atomically, never read through
//    a symlink;
//  - keychain: the OS keychain under the daemon's service, keychain account `server:<kind>:<server>`; a marker file
//    lists what is stored there, so a locked keyring's null reads "locked", never "not logged in", and every call
//    shares the account store's timeout and "hung once, refused from then on" state;
//  - auto: per server, like the accounts — a token already in the file store stays there, a new one goes to the
//    keychain when it answered the probe.
import { unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { Logger } from "../util/log.js";
import { readRegularFile } from "../util/safe-fs.js";
import { ensurePrivateDir, isNotFound, tightenFile } from "./fsutil.js";
import { KEYCHAIN_SERVICE, readMarkerFile, withTimeout, type KeychainSecretStore, type KeytarLike } from "./keychain.js";
import type { ServerTokenKey, ServerTokenStore, StoredServerToken } from "./server-tokens.js";
import { SecretStoreError } from "./store.js";

const KINDS: readonly ServerTokenKey["kind"][] = ["plex", "jellyfin", "emby"];
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_FILE_BYTES = 64 * 1024;

/** "plex.home": a key checked to be safe as a file name and keychain account. */
export function serverTokenName(key: ServerTokenKey): string {
  if (!KINDS.includes(key.kind)) throw new SecretStoreError("invalid_name", `unknown media server kind ${JSON.stringify(key.kind)}`);
  if (!SERVER_NAME.test(key.server)) {
    throw new SecretStoreError("invalid_name", `invalid server name ${JSON.stringify(key.server)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return `${key.kind}.${key.server}`;
}

const storedSchema = z.object({
  token: z.string().min(1),
  user: z.string().optional(),
  deviceId: z.string().optional(),
  updatedAt: z.string(),
});

/** Parses a stored entry; the error never echoes the content (it holds the token). */
function parseStored(text: string, where: string, key: ServerTokenKey): StoredServerToken {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SecretStoreError("corrupt", `${where} is not valid JSON; delete it and run \`trakt-scrobblerd ${key.kind} login --server ${key.server}\` again`);
  }
  const parsed = storedSchema.safeParse(raw);
  if (!parsed.success) throw new SecretStoreError("corrupt", `${where} does not hold a server token; delete it and run \`trakt-scrobblerd ${key.kind} login --server ${key.server}\` again`);
  const out: StoredServerToken = { token: parsed.data.token, updatedAt: parsed.data.updatedAt };
  if (parsed.data.user !== undefined) out.user = parsed.data.user;
  if (parsed.data.deviceId !== undefined) out.deviceId = parsed.data.deviceId;
  return out;
}

export class FileServerTokenStore implements ServerTokenStore {
  readonly dir: string;

  constructor(
    stateDir: string,
    private readonly logger?: Logger,
  ) {
    this.dir = path.join(stateDir, "secrets", "servers");
  }

  fileFor(key: ServerTokenKey): string {
    return path.join(this.dir, `${serverTokenName(key)}.json`);
  }

  async get(key: ServerTokenKey): Promise<StoredServerToken | undefined> {
    const file = this.fileFor(key);
    await tightenFile(file, this.logger);
    let text: string;
    try {
      text = await readRegularFile(file, MAX_FILE_BYTES);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return parseStored(text, file, key);
  }

  async has(key: ServerTokenKey): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: ServerTokenKey, entry: StoredServerToken): Promise<void> {
    const file = this.fileFor(key);
    await ensurePrivateDir(path.dirname(this.dir), this.logger);
    await ensurePrivateDir(this.dir, this.logger);
    await writeFileAtomic(file, `${JSON.stringify(entry, null, 2)}\n`);
  }

  async delete(key: ServerTokenKey): Promise<boolean> {
    try {
      await unlink(this.fileFor(key));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

/** Which server tokens are in the keychain (names only, not secret). */
export function keychainServersMarker(stateDir: string): string {
  return path.join(stateDir, "secrets", ".keychain-servers.json");
}

const markerSchema = z.object({ service: z.string(), servers: z.array(z.string()) });

export class KeychainServerTokenStore implements ServerTokenStore {
  constructor(
    private readonly keytar: KeytarLike,
    /** The account store on the same keychain: its timeout and its "hung" state are shared. */
    private readonly accounts: KeychainSecretStore,
    private readonly stateDir: string,
    private readonly options: { timeoutMs: number; logger?: Logger | undefined; service?: string },
  ) {}

  async get(key: ServerTokenKey): Promise<StoredServerToken | undefined> {
    const name = serverTokenName(key);
    const listed = (await this.listed()).includes(name);
    const value = await this.call("read", () => this.keytar.getPassword(this.service, `server:${key.kind}:${key.server}`), key);
    if (value === null) {
      if (listed) throw locked(key, "the OS keychain returned nothing for a token it holds: the keyring is locked");
      return undefined;
    }
    return parseStored(value, `the keychain entry ${this.service}/server:${key.kind}:${key.server}`, key);
  }

  async has(key: ServerTokenKey): Promise<boolean> {
    return (await this.listed()).includes(serverTokenName(key));
  }

  async set(key: ServerTokenKey, entry: StoredServerToken): Promise<void> {
    const name = serverTokenName(key);
    await this.call("write", () => this.keytar.setPassword(this.service, `server:${key.kind}:${key.server}`, JSON.stringify(entry)), key);
    const names = await this.listed();
    if (!names.includes(name)) await this.writeMarker([...names, name]);
  }

  async delete(key: ServerTokenKey): Promise<boolean> {
    const name = serverTokenName(key);
    const deleted = await this.call("delete", () => this.keytar.deletePassword(this.service, `server:${key.kind}:${key.server}`), key);
    const names = await this.listed();
    if (!names.includes(name)) return deleted;
    await this.writeMarker(names.filter((n) => n !== name));
    return true;
  }

  private get service(): string {
    return this.options.service ?? KEYCHAIN_SERVICE;
  }

  private async listed(): Promise<string[]> {
    return (await readMarkerFile(keychainServersMarker(this.stateDir), markerSchema, "which media-server tokens are in the OS keychain"))?.servers ?? [];
  }

  private async writeMarker(names: string[]): Promise<void> {
    const file = keychainServersMarker(this.stateDir);
    await ensurePrivateDir(path.dirname(file), this.options.logger);
    await writeFileAtomic(file, `${JSON.stringify({ service: this.service, servers: [...new Set(names)].sort() }, null, 2)}\n`);
  }

  private async call<T>(what: string, fn: () => Promise<T>, key: ServerTokenKey): Promise<T> {
    const hung = this.accounts.unavailableReason;
    if (hung !== undefined) throw locked(key, hung);
    try {
      return await withTimeout(fn(), this.options.timeoutMs, () => {
        this.accounts.markUnavailable(`a keychain ${what} did not answer within ${this.options.timeoutMs} ms (D-Bus/Secret Service hung)`);
      });
    } catch (error) {
      if (error instanceof SecretStoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (/locked/i.test(message)) throw locked(key, `the OS keyring is locked (${message})`);
      throw new SecretStoreError("unavailable", `OS keychain ${what} failed: ${message}`, { cause: error });
    }
  }
}

function locked(key: ServerTokenKey, why: string): SecretStoreError {
  return new SecretStoreError(
    "locked",
    `the ${key.kind} token for server "${key.server}" is in the OS keychain but cannot be read: ${why}. Unlock the keyring, or set secrets.store: file and run \`trakt-scrobblerd ${key.kind} login --server ${key.server}\``,
  );
}

/** Per server, like the accounts in `auto` mode: a token already in the file store stays there. */
export class AutoServerTokenStore implements ServerTokenStore {
  constructor(
    private readonly file: FileServerTokenStore,
    private readonly keychain: KeychainServerTokenStore | undefined,
    private readonly keychainUsable: boolean,
    private readonly reason: string,
  ) {}

  async get(key: ServerTokenKey): Promise<StoredServerToken | undefined> {
    const fromFile = await this.file.get(key);
    if (fromFile !== undefined) return fromFile;
    if (this.keychain === undefined) return undefined;
    if (!(await this.keychain.has(key)) && !this.keychainUsable) return undefined;
    return this.keychain.get(key);
  }

  async set(key: ServerTokenKey, entry: StoredServerToken): Promise<void> {
    const inFile = await this.file.has(key);
    if (!inFile && this.keychain !== undefined && (this.keychainUsable || (await this.keychain.has(key)))) {
      if (!this.keychainUsable) throw locked(key, `the OS keychain is not usable now (${this.reason})`);
      await this.keychain.set(key, entry);
      return;
    }
    await this.file.set(key, entry);
  }

  async delete(key: ServerTokenKey): Promise<boolean> {
    let deleted = await this.file.delete(key);
    if (this.keychain !== undefined && (await this.keychain.has(key))) deleted = (await this.keychain.delete(key)) || deleted;
    return deleted;
  }
}
