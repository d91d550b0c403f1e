// The mpv socket directory must be private: a directory another local user created first (the old default
// /tmp/mpv-sockets), one others can write, or a symlink is refused by the adapter and failed by `doctor`, and the
// default never points at a shared directory. The "other user" is simulated with chown (these tests run as root in CI).
import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mpvSection } from "../../../src/config/sections/players.js";
import { checkMpv } from "../../../src/doctor/mpv.js";
import { MpvAdapter } from "../../../src/players/mpv/adapter.js";
import { defaultSocketDir } from "../../../src/players/mpv/discovery.js";
import { silentLogger } from "../../../src/util/log.js";
import { UntrustedDirectoryError } from "../../../src/util/private-dir.js";

const isRoot = process.geteuid?.() === 0;
if (!isRoot) console.log("SKIPPED: the 'owned by another user' cases need root (chown to another uid)");
const OTHER_UID = 4242;

let root: string;
let planted: Server | undefined;
let connections = 0;
let adapter: MpvAdapter | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mpv-socket-dir-"));
  connections = 0;
});

afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  await new Promise<void>((resolve) => (planted ? planted.close(() => resolve()) : resolve()));
  planted = undefined;
  await rm(root, { recursive: true, force: true });
});

/** What the attacker leaves behind: a socket that answers like an mpv, in the directory they made. */
async function plantFakeMpv(dir: string): Promise<void> {
  planted = createServer((socket) => {
    connections++;
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => planted!.listen(join(dir, "mpv.sock"), resolve));
}

function startAdapter(config: Record<string, unknown>, options: { env?: NodeJS.ProcessEnv; stateDir?: string } = {}): Promise<void> {
  adapter = new MpvAdapter({ config: mpvSection.parse(config), context: { emit: () => undefined, now: Date.now }, log: silentLogger(), ...options });
  return adapter.start(new AbortController().signal);
}

describe("the mpv socket directory", () => {
  it.skipIf(!isRoot)("refuses a world-writable directory another user created first, and never connects to the socket inside", async () => {
    const hijacked = join(root, "mpv-sockets");
    await mkdir(hijacked);
    await chmod(hijacked, 0o777);
    await plantFakeMpv(hijacked);
    await chown(hijacked, OTHER_UID, OTHER_UID);

    const started = startAdapter({ socketDir: hijacked });
    await expect(started).rejects.toBeInstanceOf(UntrustedDirectoryError);
    await expect(started).rejects.toThrow(`${hijacked} belongs to uid ${OTHER_UID}, not to this user (uid 0) or root`);
    await expect(started).rejects.toThrow("another local user could put a fake mpv socket there");
    expect(adapter?.status()[0]?.state).toBe("failed");
    expect(connections).toBe(0);

    const [dir] = await checkMpv(mpvSection.parse({ socketDir: hijacked }), { stateDir: root });
    expect(dir).toMatchObject({ check: "mpv socket dir", status: "fail", message: expect.stringContaining("the daemon refuses it") as unknown });
    expect(dir?.hint).toContain("only you can write to");
  });

  it("refuses a directory of ours that others can write, and a symlink to a private directory", async () => {
    const open = join(root, "open");
    await mkdir(open);
    await chmod(open, 0o1777);
    await expect(startAdapter({ socketDir: open })).rejects.toThrow("can be written by its group and every other user (mode 1777)");
    const [openCheck] = await checkMpv(mpvSection.parse({ socketDir: open }), { stateDir: root });
    expect(openCheck?.status).toBe("fail");

    const real = join(root, "real");
    await mkdir(real, { mode: 0o700 });
    const link = join(root, "link");
    await symlink(real, link);
    await expect(startAdapter({ socketDir: link })).rejects.toThrow(`${link} is a symbolic link`);
    const [linkCheck] = await checkMpv(mpvSection.parse({ socketDir: link }), { stateDir: root });
    expect(linkCheck).toMatchObject({ status: "fail", message: `${link} is a symbolic link: the daemon refuses it` });
  });

  it("accepts a private directory of ours (created 0700 when missing)", async () => {
    const fresh = join(root, "fresh", "mpv");
    await startAdapter({ socketDir: fresh });
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    expect(adapter?.status()[0]?.state).toBe("connected");
  });

  it("defaults to $XDG_RUNTIME_DIR/mpv, else to <stateDir>/mpv — never a shared directory like /tmp", async () => {
    expect(defaultSocketDir({ XDG_RUNTIME_DIR: "/run/user/1000" }, "/var/lib/x")).toBe("/run/user/1000/mpv");
    expect(defaultSocketDir({}, "/var/lib/x")).toBe("/var/lib/x/mpv");
    await startAdapter({}, { env: {}, stateDir: root });
    expect((await stat(join(root, "mpv"))).isDirectory()).toBe(true);
    expect(adapter?.status()[0]?.detail).toBe(`watching ${join(root, "mpv")}`);
    const [check] = await checkMpv(mpvSection.parse({}), { env: {}, stateDir: root });
    expect(check?.message).toContain(join(root, "mpv"));
  });
});
