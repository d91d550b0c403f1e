// File backend (the default; what Docker and headless Pis use). One file per account,
// `<stateDir>/secrets/<account>.json`: a refresh of one account rewrites only that account's file, so the daemon
// refreshing account A and a `login --account B` running beside it can never lose each other's update (a shared
// file would need a cross-process lock for its read-modify-write).
import { readdir, unlink } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../util/log.js";
import { removeStaleTempFiles, writeFileAtomic } from "../util/atomic-write.js";
import { ensurePrivateDir, isNotFound, tightenFile } from "./fsutil.js";
import { readRegularFile } from "../util/safe-fs.js";
import { assertAccountName, parseStoredAccount, type SecretStore, type StoredAccount } from "./store.js";

/** A token file is well under 4 KB; the bound is only there so that no file, however it got here, is read whole. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024 * 1024;

export class FileSecretStore implements SecretStore {
  readonly kind = "file" as const;
  readonly dir: string;
  private prepared: Promise<void> | undefined;

  constructor(
    stateDir: string,
    private readonly logger?: Logger,
  ) {
    this.dir = path.join(stateDir, "secrets");
  }

  fileFor(account: string): string {
    assertAccountName(account);
    return path.join(this.dir, `${account}.json`);
  }

  async get(account: string): Promise<StoredAccount | null> {
    const file = this.fileFor(account);
    await this.prepare();
    await tightenFile(file, this.logger);
    let text: string;
    try {
      // Never through a symlink swapped in after tightenFile's lstat (util/safe-fs.ts).
      text = await readRegularFile(file, MAX_TOKEN_FILE_BYTES);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    return parseStoredAccount(text, file);
  }

  async set(account: string, entry: StoredAccount): Promise<void> {
    const file = this.fileFor(account);
    await this.prepare();
    await writeFileAtomic(file, `${JSON.stringify(entry, null, 2)}\n`);
  }

  async delete(account: string): Promise<boolean> {
    const file = this.fileFor(account);
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return names
      .filter((n) => n.endsWith(".json") && !n.startsWith("."))
      .map((n) => n.slice(0, -".json".length))
      .sort();
  }

  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await ensurePrivateDir(this.dir, this.logger);
      await removeStaleTempFiles(this.dir);
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }
}
