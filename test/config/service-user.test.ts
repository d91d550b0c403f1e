// A service user is not a login user. It may have no home directory (a systemd DynamicUser= without libnss-systemd)
// and may be unable to read the config file. Neither may send the daemon into a crash loop or make it run on
// its defaults. scripts/systemd-boot-check.sh shows both under a real systemd.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type * as NodeOs from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfig, tryLoadConfig } from "../../src/config/load.js";
import { homeDirectory, isRegularFile, systemPathContext, type PathContext } from "../../src/config/paths.js";
import { repoRoot } from "../cli/install.js";

// os.homedir() as Node throws it for a uid without a passwd entry when $HOME is unset.
const home = vi.hoisted(() => ({ missing: false }));
vi.mock("node:os", async (importOriginal) => {
  const os = await importOriginal<typeof NodeOs>();
  return {
    ...os,
    homedir: (): string => {
      if (!home.missing) return os.homedir();
      const error = new Error("A system error occurred: uv_os_homedir returned ENOENT (no such file or directory)");
      throw Object.assign(error, { code: "ERR_SYSTEM_ERROR", errno: -2, syscall: "uv_os_homedir" });
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsd-service-user-"));
});
afterEach(() => {
  home.missing = false;
  rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe("a user without a home directory", () => {
  it("homeDirectory() is undefined instead of throwing", () => {
    home.missing = true;
    expect(homeDirectory()).toBeUndefined();
    expect(systemPathContext({}).home).toBeUndefined();
    expect(homeDirectory(() => "/home/alice")).toBe("/home/alice");
  });

  it("loads the config systemd points at and uses systemd's state directory", () => {
    home.missing = true;
    write("etc/config.yaml", "server:\n  port: 7799\n");
    const env = { CONFIGURATION_DIRECTORY: join(dir, "etc"), STATE_DIRECTORY: join(dir, "state") };
    const loaded = loadConfig({ context: systemPathContext(env) });
    expect(loaded.config.server.port).toBe(7799);
    expect(loaded.source.file).toBe(join(dir, "etc", "config.yaml"));
    expect(loaded.stateDir).toBe(join(dir, "state"));
  });

  it("skips the ~/.config candidate and, with no file anywhere, runs on defaults", () => {
    home.missing = true;
    const loaded = loadConfig({ context: systemPathContext({ STATE_DIRECTORY: join(dir, "state"), CONFIGURATION_DIRECTORY: join(dir, "none") }) });
    expect(loaded.source.fileFrom).toBe("none found; using defaults");
    expect(loaded.source.searched).toEqual([join(dir, "none", "config.yaml"), "/config/config.yaml"]);
  });

  it("says what to set when nothing gives a state directory, and refuses a ~ it cannot expand", () => {
    home.missing = true;
    expect(() => loadConfig({ context: systemPathContext({ CONFIGURATION_DIRECTORY: join(dir, "none") }) })).toThrow(
      /no state directory: this user has no home directory .*set --state-dir, TRAKT_SCROBBLERD_STATE_DIR/,
    );
    expect(() => loadConfig({ stateDir: "~/state", context: systemPathContext({}) })).toThrow(/cannot expand "~\/state": this user has no home directory/);
    const xdg = loadConfig({ context: systemPathContext({ XDG_STATE_HOME: join(dir, "xdg"), CONFIGURATION_DIRECTORY: join(dir, "none") }) });
    expect(xdg.stateDir).toBe(join(dir, "xdg", "trakt-scrobblerd"));
  });
});

describe("a config file that cannot be read", () => {
  it("isRegularFile: false only when the path does not exist; other errors are thrown", () => {
    const file = write("a.yaml", "");
    symlinkSync("loop", join(dir, "loop"));
    expect(isRegularFile(file)).toBe(true);
    expect(isRegularFile(dir)).toBe(false);
    expect(isRegularFile(join(dir, "missing.yaml"))).toBe(false);
    expect(isRegularFile(join(file, "under-a-file.yaml"))).toBe(false); // ENOTDIR
    expect(() => isRegularFile(join(dir, "loop"))).toThrow(expect.objectContaining({ code: "ELOOP" }));
  });

  it("is an error naming the file and why, never 'none found; using defaults' (also for live reload)", () => {
    const etc = join(dir, "etc");
    const file = join(etc, "config.yaml");
    // statSync's error for a file under a directory this user may not search (a root-owned 0750 directory).
    const denied = Object.assign(new Error(`EACCES: permission denied, stat '${file}'`), { code: "EACCES", errno: -13, syscall: "stat", path: file });
    const context: PathContext = {
      env: { CONFIGURATION_DIRECTORY: etc, STATE_DIRECTORY: join(dir, "state") },
      cwd: dir,
      home: join(dir, "home"),
      isFile: (p) => {
        if (p === file) throw denied;
        return isRegularFile(p);
      },
      containerConfigDir: () => undefined,
    };
    let caught: unknown;
    try {
      loadConfig({ context });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems[0]?.file).toBe(file);
    expect((caught as ConfigError).message).toMatch(
      new RegExp(`^${file}: cannot read this config file \\(from \\$CONFIGURATION_DIRECTORY \\(systemd\\)\\): permission denied \\(EACCES\\)\\. The user running trakt-scrobblerd \\(uid \\d+\\) needs read access`),
    );
    const reload = tryLoadConfig({ context });
    expect(reload.ok).toBe(false);
  });
});

// The same two cases for real: a child process running as a uid without a passwd entry and without $HOME, like a
// DynamicUser= service on a system without libnss-systemd. Needs root (to start a process as another uid).
const serviceUid = 61_934; // in systemd's DynamicUser range, unassigned
const asRoot = process.getuid?.() === 0;
const uidFree = asRoot && spawnSync("getent", ["passwd", String(serviceUid)]).status === 2;
if (!uidFree) console.log(`SKIPPED: the real no-passwd-entry cases need root and a free uid ${serviceUid}`);

describe.skipIf(!uidFree)("as a uid without a passwd entry (real process)", () => {
  function loadAsServiceUser(configDir: string): { ok: boolean; stateDir?: string; port?: number; message?: string } {
    const script = `
      const { loadConfig } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "src", "config", "load.ts")).href)});
      try {
        const loaded = loadConfig();
        console.log(JSON.stringify({ ok: true, stateDir: loaded.stateDir, port: loaded.config.server.port }));
      } catch (error) {
        console.log(JSON.stringify({ ok: false, message: error.message }));
      }`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      uid: serviceUid,
      gid: serviceUid,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CONFIGURATION_DIRECTORY: configDir, STATE_DIRECTORY: join(dir, "state") },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.stderr).toBe("");
    return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as { ok: boolean; stateDir?: string; port?: number; message?: string };
  }

  it("starts without a home directory and reads a config it may read", () => {
    chmodSync(dir, 0o755);
    const file = write("etc/config.yaml", "server:\n  port: 7798\n");
    chmodSync(join(dir, "etc"), 0o755);
    chmodSync(file, 0o644);
    expect(loadAsServiceUser(join(dir, "etc"))).toEqual({ ok: true, stateDir: join(dir, "state"), port: 7798 });
  });

  it("refuses a config in a root-owned 0750 directory, naming the file and EACCES", () => {
    chmodSync(dir, 0o755);
    const file = write("etc/config.yaml", "server:\n  port: 7798\n");
    chmodSync(join(dir, "etc"), 0o750);
    const result = loadAsServiceUser(join(dir, "etc"));
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`${file}: cannot read this config file (from $CONFIGURATION_DIRECTORY (systemd)): permission denied (EACCES). The user running trakt-scrobblerd (uid ${serviceUid})`);
  });
});
