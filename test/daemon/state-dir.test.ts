// At start-up the daemon takes write permission for group and others away from its state directory and from the
// directories in it that it writes through (outbox/, outbox/control/, secrets/), and refuses one that belongs to
// another user; a state directory that is the user's own symlink is fine.
import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { systemPathContext } from "../../src/config/paths.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { UntrustedDirectoryError } from "../../src/util/private-dir.js";
import { captureLog } from "../players/kodi/support.js";

const noEnv = systemPathContext({});
let root: string;
let configFile: string;
let daemon: Daemon | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "state-dir-"));
  configFile = join(root, "config.yaml");
  await writeFile(configFile, stringify({ server: { host: "127.0.0.1", port: 0 }, secrets: { store: "file" }, kodi: { enabled: false }, mpv: { enabled: false }, plex: { enabled: false } }));
});

afterEach(async () => {
  await daemon?.stop(200);
  daemon = undefined;
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe("state directory at start-up", () => {
  it("takes group/world write permission away from the state dir, outbox/ and outbox/control/, and says so", async () => {
    const stateDir = join(root, "state");
    await mkdir(join(stateDir, "outbox", "control"), { recursive: true });
    for (const dir of [stateDir, join(stateDir, "outbox"), join(stateDir, "outbox", "control")]) await chmod(dir, 0o777);
    const log = captureLog("warn");
    daemon = await Daemon.start({ configFile, stateDir, context: noEnv, watchConfig: false, logger: log.logger });
    expect(await mode(stateDir)).toBe(0o755);
    expect(await mode(join(stateDir, "outbox"))).toBe(0o755);
    expect(await mode(join(stateDir, "outbox", "control"))).toBe(0o755);
    const warned = log.lines().filter((l) => l.msg.includes("could be written by others (mode 0777); took that permission away"));
    expect(warned.map((l) => l.dir)).toEqual([stateDir, join(stateDir, "outbox"), join(stateDir, "outbox", "control")]);
  });

  const isRoot = process.geteuid?.() === 0;
  if (!isRoot) console.log("SKIPPED: 'an outbox/ that belongs to another user' needs root (chown to another uid)");
  it.skipIf(!isRoot)("refuses an outbox/ that belongs to another user", async () => {
    const stateDir = join(root, "state");
    await mkdir(join(stateDir, "outbox"), { recursive: true, mode: 0o700 });
    await chown(join(stateDir, "outbox"), 4242, 4242);
    const started = Daemon.start({ configFile, stateDir, context: noEnv, watchConfig: false, logger: captureLog().logger });
    await expect(started).rejects.toBeInstanceOf(UntrustedDirectoryError);
    await expect(started).rejects.toThrow(`${join(stateDir, "outbox")} belongs to uid 4242`);
  });

  it("accepts a state directory that is a symlink to a private directory of ours", async () => {
    const target = join(root, "usb-disk");
    await mkdir(target, { mode: 0o700 });
    const stateDir = join(root, "state-link");
    await symlink(target, stateDir);
    daemon = await Daemon.start({ configFile, stateDir, context: noEnv, watchConfig: false, logger: captureLog().logger });
    expect((await stat(join(target, "outbox"))).isDirectory()).toBe(true);
  });
});
