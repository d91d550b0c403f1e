import { constants } from "node:fs";
import { access, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { firstErrorCode } from "../util/error-causes.js";
import { result, type CheckResult } from "./types.js";

const CHECK = "state dir";

/** The closest ancestor that exists: `mkdir -p` needs that one to be writable. */
async function nearestExisting(dir: string): Promise<string> {
  for (let current = dir; ; current = dirname(current)) {
    if (await stat(current).then(() => true, () => false)) return current;
    if (dirname(current) === current) return current;
  }
}

/** The state dir exists (or can be created), belongs to this user, is writable and not open to others. */
export async function checkStateDir(dir: string): Promise<CheckResult> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if (firstErrorCode(error) !== "ENOENT") return result(CHECK, "fail", `${dir}: cannot be read (${firstErrorCode(error) ?? String(error)})`, "fix its permissions or use --state-dir");
    const parent = await nearestExisting(dirname(dir));
    try {
      await access(parent, constants.W_OK | constants.X_OK);
      return result(CHECK, "warn", `${dir} does not exist yet`, "the daemon creates it (mode 700) on its first start; `trakt-scrobblerd login` does too");
    } catch {
      return result(CHECK, "fail", `${dir} does not exist and cannot be created here (${parent} is not writable by this user)`, `create it: sudo install -d -m 700 -o "$USER" ${dir} — or choose another with --state-dir / stateDir`);
    }
  }
  if (!info.isDirectory()) return result(CHECK, "fail", `${dir} is not a directory`, "move it away or choose another state dir (--state-dir)");
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  if (uid === 0 && info.uid !== 0) {
    return result(CHECK, "warn", `${dir} belongs to uid ${info.uid}; checked as root, so permissions are not what the daemon sees`, "run doctor as the daemon's user for a faithful check (see docs: doctor under systemd)");
  }
  if (uid !== undefined && info.uid !== uid) {
    return result(CHECK, "fail", `${dir} belongs to uid ${info.uid}, not to this user (uid ${uid})`, `run doctor as the daemon's user (e.g. sudo -u trakt-scrobblerd trakt-scrobblerd doctor), or chown -R ${uid} ${dir}`);
  }
  const probe = join(dir, `.doctor-probe-${process.pid}`);
  try {
    await writeFile(probe, "", { mode: 0o600 });
    await unlink(probe);
  } catch (error) {
    return result(CHECK, "fail", `${dir} is not writable (${firstErrorCode(error) ?? String(error)})`, `chmod u+rwx ${dir} (and check the disk is not full or mounted read-only)`);
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return result(CHECK, "warn", `${dir} is writable but open to others (mode ${mode.toString(8)})`, `chmod 700 ${dir}: it holds your Trakt tokens and watch queue`);
  }
  return result(CHECK, "pass", `${dir} is writable, mode ${mode.toString(8)}`);
}
