// OS keychain backend through keytar (Secret Service on Linux, Keychain on macOS, Credential Vault on Windows).
// keytar is an optional native dependency, so it is imported lazily and may be missing.
// Known behaviour this file defends against:
//  - a locked keyring answers getPassword with null, as if nothing were stored: a non-secret marker file in the
//    state dir lists the accounts we stored, so a null for a listed account means "locked", never "logged out";
//  - a D-Bus peer that accepts but never answers makes calls hang forever (each one holding a libuv thread):
//    every call has a timeout, and after one timeout the store refuses further calls instead of piling them up;
//  - findCredentials on a locked keyring crashes the process (libsecret assertion, then SIGSEGV, seen with
//    gnome-keyring 46): it is never called; the marker file is the list.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import type { Logger } from "../util/log.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ensurePrivateDir, isNotFound } from "./fsutil.js";
import { readRegularFile } from "../util/safe-fs.js";
import { assertAccountName, parseStoredAccount, SecretStoreError, type SecretStore, type StoredAccount } from "./store.js";

export const KEYCHAIN_SERVICE = "trakt-scrobblerd";

/** The part of keytar we use. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** Imports keytar if it is installed and built; throws SecretStoreError "unavailable" saying why otherwise. */
export async function loadKeytar(): Promise<KeytarLike> {
  // A variable specifier keeps TypeScript from requiring keytar's types where the optional package is absent.
  const specifier = "keytar";
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (error) {
    throw new SecretStoreError("unavailable", `keytar is not installed or did not build (${errorMessage(error)})`, { cause: error });
  }
  const candidate = (mod as { default?: unknown }).default ?? mod;
  if (!isKeytarLike(candidate)) throw new SecretStoreError("unavailable", "the keytar module does not export getPassword/setPassword/deletePassword");
  return candidate;
}

function isKeytarLike(value: unknown): value is KeytarLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.getPassword === "function" && typeof v.setPassword === "function" && typeof v.deletePassword === "function";
}

/** Where the list of keychain-stored accounts lives (not secret: account names only). */
export function keychainMarkerFile(stateDir: string): string {
  return path.join(stateDir, "secrets", ".keychain-accounts.json");
}

const markerSchema = z.object({ service: z.string(), accounts: z.array(z.string()) });

export async function readKeychainMarker(stateDir: string): Promise<string[]> {
  return (await readMarkerFile(keychainMarkerFile(stateDir), markerSchema, "which accounts are in the OS keychain"))?.accounts ?? [];
}

/**
 * Reads a marker file that says which names are kept in the OS keychain (names only, never secrets). Undefined when
 * there is none yet; a file that is not what `schema` says is a clear error naming the file, never a silent empty list
 * (which would make stored secrets look gone).
 */
export async function readMarkerFile<T>(file: string, schema: z.ZodType<T>, lists: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readRegularFile(file, 256 * 1024);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SecretStoreError("corrupt", `${file} is not valid JSON; it lists ${lists} — fix or delete it`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new SecretStoreError("corrupt", `${file} does not list ${lists}; fix or delete it`);
  return parsed.data;
}

async function writeKeychainMarker(stateDir: string, accounts: string[], logger?: Logger): Promise<void> {
  await ensurePrivateDir(path.dirname(keychainMarkerFile(stateDir)), logger);
  const body = { service: KEYCHAIN_SERVICE, accounts: [...new Set(accounts)].sort() };
  await writeFileAtomic(keychainMarkerFile(stateDir), `${JSON.stringify(body, null, 2)}\n`);
}

export interface KeychainStoreOptions {
  stateDir: string;
  /** Per-call timeout; a keychain that does not answer in time is treated as unavailable from then on. */
  timeoutMs?: number;
  logger?: Logger;
  service?: string;
}

export class KeychainSecretStore implements SecretStore {
  readonly kind = "keychain" as const;
  private readonly stateDir: string;
  private readonly timeoutMs: number;
  private readonly service: string;
  private readonly logger: Logger | undefined;
  private broken: string | undefined;

  constructor(
    private readonly keytar: KeytarLike,
    options: KeychainStoreOptions,
  ) {
    this.stateDir = options.stateDir;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.logger = options.logger;
  }

  /** Why the keychain is not usable any more (a call timed out), if it is not. */
  get unavailableReason(): string | undefined {
    return this.broken;
  }

  markUnavailable(reason: string): void {
    this.broken ??= reason;
  }

  async get(account: string): Promise<StoredAccount | null> {
    assertAccountName(account);
    const listed = (await readKeychainMarker(this.stateDir)).includes(account);
    const value = await this.call("read", () => this.keytar.getPassword(this.service, account), listed ? account : undefined);
    if (value === null) {
      if (listed) throw lockedError(account, "the OS keychain returned nothing for an account it holds: the keyring is locked");
      return null;
    }
    return parseStoredAccount(value, `the keychain entry ${this.service}/${account}`);
  }

  async set(account: string, entry: StoredAccount): Promise<void> {
    assertAccountName(account);
    await this.call("write", () => this.keytar.setPassword(this.service, account, JSON.stringify(entry)), account);
    const accounts = await readKeychainMarker(this.stateDir);
    if (!accounts.includes(account)) await writeKeychainMarker(this.stateDir, [...accounts, account], this.logger);
  }

  async delete(account: string): Promise<boolean> {
    assertAccountName(account);
    const deleted = await this.call("delete", () => this.keytar.deletePassword(this.service, account), account);
    const accounts = await readKeychainMarker(this.stateDir);
    if (accounts.includes(account)) {
      await writeKeychainMarker(this.stateDir, accounts.filter((a) => a !== account), this.logger);
      return true;
    }
    return deleted;
  }

  async list(): Promise<string[]> {
    return [...(await readKeychainMarker(this.stateDir))].sort();
  }

  private async call<T>(what: string, fn: () => Promise<T>, account: string | undefined): Promise<T> {
    if (this.broken !== undefined) {
      throw account === undefined
        ? new SecretStoreError("unavailable", `OS keychain unavailable: ${this.broken}`)
        : lockedError(account, this.broken);
    }
    try {
      return await withTimeout(fn(), this.timeoutMs, () => {
        this.markUnavailable(`a keychain ${what} did not answer within ${this.timeoutMs} ms (D-Bus/Secret Service hung)`);
      });
    } catch (error) {
      if (error instanceof SecretStoreError) throw error;
      const message = errorMessage(error);
      if (/locked/i.test(message)) throw lockedError(account ?? "?", `the OS keyring is locked (${message})`, error);
      throw new SecretStoreError("unavailable", `OS keychain ${what} failed: ${message}`, { cause: error });
    }
  }
}

function lockedError(account: string, why: string, cause?: unknown): SecretStoreError {
  return new SecretStoreError(
    "locked",
    `tokens for account "${account}" are in the OS keychain but cannot be read: ${why}. Unlock the keyring (log in to the desktop session), or set secrets.store: file and run \`trakt-scrobblerd login --account ${account}\``,
    cause === undefined ? {} : { cause },
  );
}

export class KeychainTimeoutError extends SecretStoreError {
  constructor(ms: number) {
    super("unavailable", `the OS keychain did not answer within ${ms} ms`);
  }
}

/** Races `promise` against a timer. The hung call cannot be cancelled (it sits in a native thread); the caller
 * must stop issuing more. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new KeychainTimeoutError(ms));
    }, ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export type ProbeResult = { ok: true } | { ok: false; reason: string; timedOut: boolean };

/** Writes, reads back and deletes a probe entry, each step with a timeout. */
export async function probeKeychain(keytar: KeytarLike, timeoutMs: number, service = KEYCHAIN_SERVICE): Promise<ProbeResult> {
  const probeAccount = `probe-${process.pid}-${Date.now()}`;
  const value = `probe-${Math.random().toString(36).slice(2)}`;
  try {
    await withTimeout(keytar.setPassword(service, probeAccount, value), timeoutMs);
    const read = await withTimeout(keytar.getPassword(service, probeAccount), timeoutMs);
    await withTimeout(keytar.deletePassword(service, probeAccount), timeoutMs);
    if (read !== value) return { ok: false, reason: "the keychain did not return the probe entry it just stored (keyring locked?)", timedOut: false };
    return { ok: true };
  } catch (error) {
    const timedOut = error instanceof KeychainTimeoutError;
    return { ok: false, reason: timedOut ? `no answer within ${timeoutMs} ms (Secret Service / D-Bus not responding)` : errorMessage(error), timedOut };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The same probe in a short-lived child process, killed if it does not finish in time. A hung keytar call can be
 * neither cancelled nor outlived: it pins a libuv thread, keeps the event loop alive and even makes
 * `process.exit()` wait for it. Probing in a child keeps a hung D-Bus away from this process entirely.
 */
export function probeKeychainIsolated(timeoutMs: number, service = KEYCHAIN_SERVICE): Promise<ProbeResult> {
  let keytarPath: string;
  try {
    keytarPath = createRequire(import.meta.url).resolve("keytar");
  } catch (error) {
    return Promise.resolve({ ok: false, reason: `keytar is not installed (${errorMessage(error)})`, timedOut: false });
  }
  const script = `
    const k = require(${JSON.stringify(keytarPath)});
    const s = ${JSON.stringify(service)}, a = "probe-" + process.pid, v = "probe-" + Math.random().toString(36).slice(2);
    (async () => {
      await k.setPassword(s, a, v);
      const r = await k.getPassword(s, a);
      await k.deletePassword(s, a);
      process.stdout.write(r === v ? "ok" : "mismatch");
    })().catch((e) => process.stdout.write("error:" + (e && e.message ? e.message : String(e))));`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["-e", script], { timeout: timeoutMs, killSignal: "SIGKILL", env: process.env }, (error, stdout) => {
      if (error && (error.killed || error.signal === "SIGKILL")) {
        resolve({ ok: false, reason: `no answer within ${timeoutMs} ms (Secret Service / D-Bus not responding)`, timedOut: true });
      } else if (stdout === "ok") {
        resolve({ ok: true });
      } else if (stdout === "mismatch") {
        resolve({ ok: false, reason: "the keychain did not return the probe entry it just stored (keyring locked?)", timedOut: false });
      } else if (stdout.startsWith("error:")) {
        resolve({ ok: false, reason: stdout.slice("error:".length), timedOut: false });
      } else {
        resolve({ ok: false, reason: `the probe process failed (${error ? errorMessage(error) : "no output"})`, timedOut: false });
      }
    });
  });
}
