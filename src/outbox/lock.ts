// One writer per journal. The daemon holds `<dir>/lock` (its pid) while it runs; `queue retry|drop` from the CLI
// then hands its request to the daemon through `<dir>/control/` instead of writing the journal itself.
// A lock whose pid is gone (kill -9, power cut) or is our own pid (a container restarted as pid 1 again) is stale.
import { hostname } from "node:os";
import { open, unlink } from "node:fs/promises";
import { parseUntrustedJson } from "../util/json.js";
import { readRegularFile } from "../util/safe-fs.js";

export interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

export class OutboxLockedError extends Error {
  override readonly name = "OutboxLockedError";
  constructor(
    readonly lockFile: string,
    readonly holder: LockInfo,
  ) {
    super(`the outbox is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}); lock file ${lockFile}`);
  }
}

/** Lock files held by this process (a lock file with our pid that is not here is a leftover of an earlier life). */
const heldHere = new Set<string>();

function alive(pid: number, lockFile: string): boolean {
  if (pid === process.pid) return heldHere.has(lockFile);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readLock(lockFile: string): Promise<LockInfo | undefined> {
  try {
    // Not followed if it is a symlink, never a FIFO, never large: anything odd counts as a stale lock.
    const info = parseUntrustedJson(await readRegularFile(lockFile, 4096), 4) as Partial<LockInfo>;
    if (typeof info.pid !== "number") return undefined;
    return { pid: info.pid, host: String(info.host ?? "?"), since: String(info.since ?? "?") };
  } catch {
    return undefined;
  }
}

/** The live holder of the lock, if any (stale locks count as free). */
export async function lockHolder(lockFile: string): Promise<LockInfo | undefined> {
  const info = await readLock(lockFile);
  if (!info) return undefined;
  if (info.host !== hostname()) return info; // cannot check another host's pids: assume it is alive
  return alive(info.pid, lockFile) ? info : undefined;
}

/** Takes the lock or throws OutboxLockedError. Returns the release function. */
export async function acquireLock(lockFile: string): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fh = await open(lockFile, "wx", 0o600);
      await fh.writeFile(JSON.stringify(mine));
      await fh.sync();
      await fh.close();
      heldHere.add(lockFile);
      return async () => {
        heldHere.delete(lockFile);
        const current = await readLock(lockFile);
        if (current?.pid === mine.pid && current.since === mine.since) await unlink(lockFile).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = await lockHolder(lockFile);
      if (holder) throw new OutboxLockedError(lockFile, holder);
      await unlink(lockFile).catch(() => undefined); // stale
    }
  }
  throw new Error(`could not take the outbox lock ${lockFile}`);
}
