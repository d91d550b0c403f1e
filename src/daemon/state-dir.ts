// At start-up, the state directory and the directories in it that the daemon writes through must be private to it:
// others' write permission is taken away from directories of ours, and a directory that is a symlink or belongs to
// another user is refused (util/private-dir.ts). A writable outbox/ would let another local user plant symlinks
// that a (root) daemon writes through.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../util/log.js";
import { securePrivateDir } from "../util/private-dir.js";

/** Created by the daemon or the CLI as needed; checked here when they exist. */
const SUBDIRS = ["outbox", join("outbox", "control"), "secrets"];

export async function secureStateDir(stateDir: string, log: Logger): Promise<void> {
  const onTightened = (dir: string, from: string, to: string): void =>
    log.warn({ dir, from, to }, `${dir} could be written by others (mode ${from}); took that permission away (now ${to})`);
  // The state directory itself may be a symlink the user made (e.g. to a USB disk): its target is checked.
  await securePrivateDir(stateDir, { allowSymlink: true, onTightened });
  for (const sub of SUBDIRS) {
    const dir = join(stateDir, sub);
    const exists = await lstat(dir).then(() => true, () => false);
    if (exists) await securePrivateDir(dir, { onTightened });
  }
}
