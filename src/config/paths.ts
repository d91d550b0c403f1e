// Where the config file and the state directory are, in the documented lookup order (docs/config.md).
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Env } from "./env.js";
import { ConfigError } from "./errors.js";

export const CONFIG_ENV = "TRAKT_SCROBBLERD_CONFIG" as const;
export const APP = "trakt-scrobblerd";
/** The container convention (linuxserver.io style): one volume for config and state. */
export const CONTAINER_DIR = "/config";

/** What the resolver may look at; injectable so tests need not touch the real /config or $HOME. */
export interface PathContext {
  env: Env;
  cwd: string;
  /** Undefined when the user has none: a service needs no home (see homeDirectory). */
  home: string | undefined;
  /** False when the path does not exist; throws when it cannot tell (see isRegularFile). */
  isFile(path: string): boolean;
  /** Whether we run in a container (Docker, Podman, systemd-nspawn...) with a usable /config directory. */
  containerConfigDir(): string | undefined;
}

export function systemPathContext(env: Env = process.env): PathContext {
  return {
    env,
    cwd: process.cwd(),
    home: homeDirectory(),
    isFile: isRegularFile,
    containerConfigDir: () => (inContainer(env) && isWritableDir(CONTAINER_DIR) ? CONTAINER_DIR : undefined),
  };
}

/**
 * The user's home directory, or undefined when there is none: os.homedir() throws when $HOME is unset and the uid
 * has no passwd entry, as for a systemd DynamicUser= without libnss-systemd (a Recommends that minimal systems lack).
 * Under systemd the daemon needs no home, so this must never stop it.
 */
export function homeDirectory(lookup: () => string = homedir): string | undefined {
  try {
    const home = lookup();
    return home === "" ? undefined : home;
  } catch {
    return undefined;
  }
}

/**
 * Whether `path` is a regular file. False when it, or a directory above it, does not exist (ENOENT, ENOTDIR); any
 * other error (EACCES, ELOOP, EIO...) is thrown: a config file that cannot be read is not an absent one.
 */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}

/** The problem for a config file that exists (or may) but cannot be read, saying why and what to do. */
export function unreadableConfig(file: string, cause: unknown, why?: string): ConfigError {
  const e = cause as NodeJS.ErrnoException;
  const reason = e.code === "EACCES" || e.code === "EPERM" ? `permission denied (${e.code})` : (e.code ?? (e instanceof Error ? e.message : String(cause)));
  const uid = process.getuid?.();
  const who = uid === undefined ? "The user running trakt-scrobblerd" : `The user running trakt-scrobblerd (uid ${uid})`;
  const where = why === undefined ? "" : ` (from ${why})`;
  return new ConfigError(
    [{ file, path: "", message: `cannot read this config file${where}: ${reason}. ${who} needs read access to it and to its directories; not starting on defaults instead` }],
    { cause },
  );
}

/** Docker leaves /.dockerenv, Podman /run/.containerenv; systemd-nspawn, Podman and LXC set $container. */
export function inContainer(env: Env): boolean {
  return existsSync("/.dockerenv") || existsSync("/run/.containerenv") || (env.container ?? "") !== "";
}

function isWritableDir(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** systemd may pass several colon-separated directories; the first is ours. */
function firstOf(list: string | undefined): string | undefined {
  const first = list?.split(":")[0];
  return first ? first : undefined;
}

export function expandHome(path: string, home: string | undefined): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  if (home === undefined) {
    throw new ConfigError([{ path: "", message: `cannot expand "${path}": this user has no home directory ($HOME unset, no passwd entry); use an absolute path` }]);
  }
  return path === "~" ? home : join(home, path.slice(2));
}

export interface ConfigCandidate {
  path: string;
  why: string;
}

/** Where a config file is looked for when none is given explicitly, in order. */
export function configCandidates(ctx: PathContext): ConfigCandidate[] {
  const out: ConfigCandidate[] = [];
  const sysConf = firstOf(ctx.env.CONFIGURATION_DIRECTORY);
  if (sysConf) out.push({ path: join(sysConf, "config.yaml"), why: "$CONFIGURATION_DIRECTORY (systemd)" });
  out.push({ path: join(CONTAINER_DIR, "config.yaml"), why: "container volume" });
  const xdg = ctx.env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : ctx.home === undefined ? undefined : join(ctx.home, ".config");
  if (base !== undefined) out.push({ path: join(base, APP, "config.yaml"), why: "user config" });
  return out;
}

export type ConfigLocation =
  | { kind: "explicit"; file: string; via: "--config" | typeof CONFIG_ENV; exists: boolean }
  | { kind: "found"; file: string; why: string; searched: string[] }
  | { kind: "none"; searched: string[] };

/** `--config`, then $TRAKT_SCROBBLERD_CONFIG, then the first existing candidate. */
export function locateConfigFile(flag: string | undefined, ctx: PathContext): ConfigLocation {
  const fromEnv = ctx.env[CONFIG_ENV];
  const explicit = flag
    ? { file: flag, via: "--config" as const }
    : fromEnv
      ? { file: fromEnv, via: CONFIG_ENV as typeof CONFIG_ENV }
      : undefined;
  if (explicit) {
    const file = resolve(ctx.cwd, expandHome(explicit.file, ctx.home));
    return { kind: "explicit", file, via: explicit.via, exists: probeFile(ctx, file, explicit.via) };
  }
  const searched: string[] = [];
  for (const c of configCandidates(ctx)) {
    searched.push(c.path);
    if (probeFile(ctx, c.path, c.why)) return { kind: "found", file: c.path, why: c.why, searched };
  }
  return { kind: "none", searched };
}

function probeFile(ctx: PathContext, file: string, why: string): boolean {
  try {
    return ctx.isFile(file);
  } catch (cause) {
    throw unreadableConfig(file, cause, why);
  }
}

export interface StateDirChoice {
  dir: string;
  /** Human-readable: where the choice came from. */
  from: string;
}

export interface StateDirInputs {
  flag?: string | undefined;
  /** From the environment variable declared on `stateDir`. */
  fromEnv?: { name: string; value: string } | undefined;
  /** From the config file (relative paths are relative to the file). */
  fromFile?: { file: string; value: string } | undefined;
}

/** `--state-dir`, env var, config file, $STATE_DIRECTORY (systemd), /config in a container, XDG state home. */
export function resolveStateDir(inputs: StateDirInputs, ctx: PathContext): StateDirChoice {
  if (inputs.flag) return { dir: resolve(ctx.cwd, expandHome(inputs.flag, ctx.home)), from: "--state-dir" };
  if (inputs.fromEnv) return { dir: resolve(ctx.cwd, expandHome(inputs.fromEnv.value, ctx.home)), from: `$${inputs.fromEnv.name}` };
  if (inputs.fromFile) return { dir: resolve(dirname(inputs.fromFile.file), expandHome(inputs.fromFile.value, ctx.home)), from: `stateDir in ${inputs.fromFile.file}` };
  const sysState = firstOf(ctx.env.STATE_DIRECTORY);
  if (sysState) return { dir: sysState, from: "$STATE_DIRECTORY (systemd)" };
  const container = ctx.containerConfigDir();
  if (container) return { dir: container, from: "container volume" };
  const xdg = ctx.env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return { dir: join(xdg, APP), from: "$XDG_STATE_HOME" };
  if (ctx.home === undefined) {
    throw new ConfigError([
      { path: "", message: "no state directory: this user has no home directory ($HOME unset, no passwd entry); set --state-dir, TRAKT_SCROBBLERD_STATE_DIR or stateDir (systemd: StateDirectory=)" },
    ]);
  }
  return { dir: join(ctx.home, ".local", "state", APP), from: "default (~/.local/state)" };
}
