import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { diffConfigs } from "../../src/config/diff.js";
import { loadConfig, tryLoadConfig } from "../../src/config/load.js";
import { isRegularFile, type PathContext } from "../../src/config/paths.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsd-load-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A context on the real file system, rooted in the temp dir; "container /config" is a temp dir too when asked. */
function context(env: Record<string, string> = {}, container?: string): PathContext {
  return {
    env,
    cwd: dir,
    home: join(dir, "home"),
    isFile: isRegularFile,
    containerConfigDir: () => container,
  };
}

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe("loadConfig: config file lookup", () => {
  it("uses defaults and says so when no file exists", () => {
    const loaded = loadConfig({ context: context() });
    expect(loaded.source.file).toBeUndefined();
    expect(loaded.source.fileFrom).toBe("none found; using defaults");
    expect(loaded.source.searched).toContain(join(dir, "home", ".config", "trakt-scrobblerd", "config.yaml"));
    expect(loaded.config.server.host).toBe("127.0.0.1");
  });

  it("follows --config, then $TRAKT_SCROBBLERD_CONFIG, then $CONFIGURATION_DIRECTORY, then ~/.config", () => {
    write("flag.yaml", "server:\n  port: 1001\n");
    const envFile = write("env.yaml", "server:\n  port: 1002\n");
    write("etc/config.yaml", "server:\n  port: 1003\n");
    write("home/.config/trakt-scrobblerd/config.yaml", "server:\n  port: 1004\n");
    const sysEnv = { CONFIGURATION_DIRECTORY: join(dir, "etc") };

    expect(loadConfig({ configFile: "flag.yaml", context: context({ ...sysEnv, TRAKT_SCROBBLERD_CONFIG: envFile }) }).config.server.port).toBe(1001);
    expect(loadConfig({ context: context({ ...sysEnv, TRAKT_SCROBBLERD_CONFIG: envFile }) }).config.server.port).toBe(1002);
    const viaSystemd = loadConfig({ context: context(sysEnv) });
    expect(viaSystemd.config.server.port).toBe(1003);
    expect(viaSystemd.source.fileFrom).toBe("$CONFIGURATION_DIRECTORY (systemd)");
    expect(loadConfig({ context: context() }).config.server.port).toBe(1004);
    expect(loadConfig({ context: context({ XDG_CONFIG_HOME: join(dir, "nowhere") }) }).source.file).toBeUndefined();
  });

  it("fails when an explicitly given file does not exist", () => {
    expect(() => loadConfig({ configFile: "missing.yaml", context: context() })).toThrow(/missing\.yaml: config file given by --config does not exist/);
    expect(() => loadConfig({ context: context({ TRAKT_SCROBBLERD_CONFIG: "gone.yaml" }) })).toThrow(/TRAKT_SCROBBLERD_CONFIG does not exist/);
  });

  it("throws a ConfigError naming the real file path and line", () => {
    const file = write("bad.yaml", "log:\n  level: info\nserver:\n  port: nope\n");
    let caught: unknown;
    try {
      loadConfig({ configFile: file, context: context() });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(`${file}:4: server.port: expected integer 0–65535, got "nope".`);
  });

  it("loads a file that still sets keys no longer used, and names each one with its line and what to do", () => {
    const file = write("old.yaml", 'log:\n  level: info\nschedules:\n  tokenRefresh: "*/15 * * * *"\n  outboxDrain: "* * * * *"\n  cachePrune: "17 3 * * *"\n');
    const loaded = loadConfig({ configFile: file, context: context() });
    expect(loaded.config.schedules).toEqual({ cachePrune: "17 3 * * *", tokenRefresh: "*/15 * * * *", outboxDrain: "* * * * *" });
    expect(loaded.source.warnings).toEqual([
      `${file}:4: schedules.tokenRefresh: No longer used: tokens are refreshed when they are due (accounts.refreshMarginMinutes before they expire), not on a schedule. Remove it from the file.`,
      `${file}:5: schedules.outboxDrain: No longer used: the outbox retries by itself when a wait ends, and \`queue retry|drop\` requests are applied at once. Remove it from the file.`,
    ]);
    expect(loadConfig({ context: context() }).source.warnings).toEqual([]);
  });

  it("applies env overrides over the file and reports which were used", () => {
    const file = write("c.yaml", "trakt:\n  clientId: from-file\n");
    const loaded = loadConfig({ configFile: file, context: context({ TRAKT_CLIENT_ID: "from-env", TRAKT_SCROBBLERD_HOST: "0.0.0.0" }) });
    expect(loaded.config.trakt.clientId).toBe("from-env");
    expect(loaded.source.envVars.sort()).toEqual(["TRAKT_CLIENT_ID", "TRAKT_SCROBBLERD_HOST"]);
  });
});

describe("loadConfig: state directory", () => {
  it("prefers --state-dir, then the env var, then the file, then $STATE_DIRECTORY, then a container's /config, then XDG", () => {
    const file = write("conf/c.yaml", "stateDir: ./state-from-file\n");
    const all = { TRAKT_SCROBBLERD_STATE_DIR: join(dir, "env-state"), STATE_DIRECTORY: "/var/lib/trakt-scrobblerd:/var/lib/other" };
    expect(loadConfig({ configFile: file, stateDir: "flag-state", context: context(all) }).stateDir).toBe(join(dir, "flag-state"));
    expect(loadConfig({ configFile: file, context: context(all) }).stateDir).toBe(join(dir, "env-state"));
    const fromFile = loadConfig({ configFile: file, context: context({ STATE_DIRECTORY: "/var/lib/trakt-scrobblerd" }) });
    expect(fromFile.stateDir).toBe(join(dir, "conf", "state-from-file"));
    expect(fromFile.config.stateDir).toBe(fromFile.stateDir);
    const systemd = loadConfig({ context: context({ STATE_DIRECTORY: "/var/lib/trakt-scrobblerd:/var/lib/other" }, "/config") });
    expect(systemd.stateDir).toBe("/var/lib/trakt-scrobblerd");
    expect(loadConfig({ context: context({}, join(dir, "vol")) }).stateDir).toBe(join(dir, "vol"));
    expect(loadConfig({ context: context({ XDG_STATE_HOME: join(dir, "xdg") }) }).stateDir).toBe(join(dir, "xdg", "trakt-scrobblerd"));
    const plain = loadConfig({ context: context() });
    expect(plain.stateDir).toBe(join(dir, "home", ".local", "state", "trakt-scrobblerd"));
    expect(plain.source.stateDirFrom).toBe("default (~/.local/state)");
  });

  it("expands ~ in the state dir", () => {
    expect(loadConfig({ stateDir: "~/s", context: context() }).stateDir).toBe(join(dir, "home", "s"));
  });
});

describe("tryLoadConfig (live reload)", () => {
  it("returns the error instead of throwing, and a later fix loads again", () => {
    const file = write("live.yaml", "server:\n  port: 1\n");
    const first = tryLoadConfig({ configFile: file, context: context() });
    expect(first.ok).toBe(true);
    writeFileSync(file, "server:\n  port: [\n");
    const broken = tryLoadConfig({ configFile: file, context: context() });
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.problems[0]?.file).toBe(file);
    writeFileSync(file, "server:\n  port: 2\n");
    const fixed = tryLoadConfig({ configFile: file, context: context() });
    if (!first.ok || !fixed.ok) throw new Error("expected both to load");
    expect(diffConfigs(first.loaded.config, fixed.loaded.config)).toEqual({ changed: ["server.port"], restartRequired: ["server.port"], sections: ["server"] });
  });
});

describe("loadConfig: secrets from systemd credentials ($CREDENTIALS_DIRECTORY)", () => {
  it("reads a secret from a credential file named like its environment variable", () => {
    const creds = join(dir, "creds");
    mkdirSync(creds);
    writeFileSync(join(creds, "TRAKT_CLIENT_SECRET"), "from-a-credential-file\n");
    writeFileSync(join(creds, "PLEX_WEBHOOK_SECRET"), "0123456789abcdef0123");
    const loaded = loadConfig({ context: context({ CREDENTIALS_DIRECTORY: creds }) });
    expect(loaded.config.trakt.clientSecret).toBe("from-a-credential-file");
    expect(loaded.config.plex.webhookSecret).toBe("0123456789abcdef0123");
    expect(loaded.source.envVars).toEqual(expect.arrayContaining(["TRAKT_CLIENT_SECRET (credential in $CREDENTIALS_DIRECTORY)"]));
  });

  it("lets the environment variable win, ignores credentials for non-secret keys, and needs the variable set", () => {
    const creds = join(dir, "creds");
    mkdirSync(creds);
    writeFileSync(join(creds, "TRAKT_CLIENT_SECRET"), "from-file");
    writeFileSync(join(creds, "TRAKT_CLIENT_ID"), "not-read");
    expect(loadConfig({ context: context({ CREDENTIALS_DIRECTORY: creds, TRAKT_CLIENT_SECRET: "from-env" }) }).config.trakt.clientSecret).toBe("from-env");
    expect(loadConfig({ context: context({ CREDENTIALS_DIRECTORY: creds }) }).config.trakt.clientId).toBeUndefined();
    expect(loadConfig({ context: context({}) }).config.trakt.clientSecret).toBeUndefined();
  });

  it("says which credential cannot be read", () => {
    const creds = join(dir, "creds");
    mkdirSync(join(creds, "TRAKT_CLIENT_SECRET"), { recursive: true }); // a directory where the file should be
    expect(() => loadConfig({ context: context({ CREDENTIALS_DIRECTORY: creds }) })).toThrow(
      `environment variable TRAKT_CLIENT_SECRET: trakt.clientSecret: credential ${join(creds, "TRAKT_CLIENT_SECRET")} cannot be read (EISDIR)`,
    );
  });
});
