// Where the config file and the state directory are, in the documented lookup order (docs/config.md).
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Env } from "./env.js";

export const CONFIG_ENV = "TRAKT_SCROBBLERD_CONFIG" as const;
export const APP = "trakt-scrobblerd";
/** The container convention (linuxserver.io style): one volume for config and state. */
export const CONTAINER_DIR = "/config";

/** What the resolver may look at; injectable so tests need not touch the real /config or $HOME. */
export interface PathContext {
  env: Env;
  cwd: string;
  home: string;
  isFile(path: string): boolean;
  /** Whether we run in a container (Docker, Podman, systemd-nspawn...) with a usable /config directory. */
  containerConfigDir(): string | undefined;
}

export function systemPathContext(env: Env = process.env): PathContext {
  return {
    env,
    cwd: process.cwd(),
    home: homedir(),
    isFile: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
    containerConfigDir: () => (inContainer(env) && isWritableDir(CONTAINER_DIR) ? CONTAINER_DIR : undefined),
  };
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

export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return path;
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
  const base = xdg && isAbsolute(xdg) ? xdg : join(ctx.home, ".config");
  out.push({ path: join(base, APP, "config.yaml"), why: "user config" });
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
    return { kind: "explicit", file, via: explicit.via, exists: ctx.isFile(file) };
  }
  const searched: string[] = [];
  for (const c of configCandidates(ctx)) {
    searched.push(c.path);
    if (ctx.isFile(c.path)) return { kind: "found", file: c.path, why: c.why, searched };
  }
  return { kind: "none", searched };
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
  const base = xdg && isAbsolute(xdg) ? xdg : join(ctx.home, ".local", "state");
  return { dir: join(base, APP), from: xdg && isAbsolute(xdg) ? "$XDG_STATE_HOME" : "default (~/.local/state)" };
}
