// mpv: the socket directory (exists, readable by this user), the sockets in it, and whether an mpv answers on each.
import { constants } from "node:fs";
import { access, lstat, readdir } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import type { MpvSection } from "../config/sections/players.js";
import { resolveSocketDir, SOCKET_DIR_FIX } from "../players/mpv/discovery.js";
import { firstErrorCode } from "../util/error-causes.js";
import { parseUntrustedJson } from "../util/json.js";
import { whyUntrusted } from "../util/private-dir.js";
import { result, type CheckResult } from "./types.js";

const IPC_HINT = (dir: string): string => `start mpv with --input-ipc-server=${join(dir, "<name>")} (or put input-ipc-server=${join(dir, "mpv.sock")} in mpv.conf; one name per mpv instance)`;

export type MpvProbe = { ok: true; version: string } | { ok: false; code: string; detail: string };

/** Connects to one mpv IPC socket and asks for mpv-version. */
export function probeMpvSocket(path: string, timeoutMs = 2_000): Promise<MpvProbe> {
  return new Promise((resolve) => {
    let buffered = "";
    let settled = false;
    const socket = createConnection(path);
    const finish = (probe: MpvProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    const timer = setTimeout(() => finish({ ok: false, code: "TIMEOUT", detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ command: ["get_property", "mpv-version"], request_id: 1 })}\n`));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const reply = parseUntrustedJson(line) as { request_id?: unknown; data?: unknown; error?: unknown };
          if (reply.request_id === 1) return finish({ ok: true, version: typeof reply.data === "string" ? reply.data : "mpv" });
        } catch {
          return finish({ ok: false, code: "PROTOCOL", detail: "answered something that is not mpv's JSON IPC" });
        }
      }
    });
    socket.on("error", (error) => finish({ ok: false, code: firstErrorCode(error) ?? "ERROR", detail: error.message }));
    socket.on("close", () => finish({ ok: false, code: "CLOSED", detail: "closed without answering" }));
  });
}

function socketResult(check: string, path: string, probe: MpvProbe): CheckResult {
  if (probe.ok) return result(check, "pass", `${path}: ${probe.version} answers`);
  switch (probe.code) {
    case "ECONNREFUSED":
      return result(check, "warn", `${path}: stale socket, no mpv behind it`, "harmless: an mpv that exited without removing its socket; delete the file, or start mpv again");
    case "ENOENT":
      return result(check, "warn", `${path}: no such socket (mpv not running)`, "normal while this mpv is closed; the daemon connects when it starts");
    case "EACCES":
    case "EPERM":
      return result(check, "fail", `${path}: permission denied`, "the socket belongs to another user: run the daemon as the user who runs mpv, or give both a shared group and socket directory (see docs: systemd and mpv)");
    default:
      return result(check, "warn", `${path}: ${probe.detail}`, "is this an mpv IPC socket? check input-ipc-server");
  }
}

export interface CheckMpvOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** The state directory: the default socket directory without $XDG_RUNTIME_DIR is `<stateDir>/mpv`. */
  stateDir: string;
}

export async function checkMpv(mpv: MpvSection, options: CheckMpvOptions): Promise<CheckResult[]> {
  if (!mpv.enabled) return [result("mpv", "skip", "disabled (mpv.enabled: false)")];
  const timeoutMs = options.timeoutMs ?? 2_000;
  const out: CheckResult[] = [];
  for (const path of mpv.sockets) out.push(socketResult(`mpv ${path}`, path, await probeMpvSocket(path, timeoutMs)));
  const dir = resolveSocketDir(mpv, options.env ?? process.env, options.stateDir);
  if (dir === undefined) return out;

  const check = "mpv socket dir";
  try {
    const info = await lstat(dir);
    if (!info.isDirectory() && !info.isSymbolicLink()) {
      out.push(result(check, "fail", `${dir} is not a directory`, "set mpv.socketDir to a directory (mpv's input-ipc-server sockets go inside it)"));
      return out;
    }
    // The same test the daemon applies before it watches the directory.
    const untrusted = whyUntrusted(info);
    if (untrusted !== undefined) {
      out.push(result(check, "fail", `${dir} ${untrusted}: the daemon refuses it`, SOCKET_DIR_FIX));
      return out;
    }
  } catch (error) {
    const code = firstErrorCode(error);
    if (code === "ENOENT") {
      out.push(result(check, "warn", `${dir} does not exist`, `the daemon creates it (mode 700) when it starts; then ${IPC_HINT(dir)}`));
    } else {
      out.push(result(check, "fail", `${dir} cannot be read by this user (${code ?? String(error)})`, "the daemon's user must be able to enter the directory: fix its permissions or choose another mpv.socketDir"));
    }
    return out;
  }
  try {
    await access(dir, constants.R_OK | constants.X_OK);
  } catch (error) {
    out.push(result(check, "fail", `${dir} is not readable by this user (${firstErrorCode(error) ?? String(error)})`, "the daemon cannot see mpv's sockets: run it as the user who runs mpv, or use a directory both can read (chmod/chgrp), see the systemd notes"));
    return out;
  }
  const sockets: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isSocket()) sockets.push(path);
  }
  if (sockets.length === 0) {
    out.push(result(check, "warn", `${dir} is readable, but holds no mpv socket`, `nothing playing, or mpv is not told where to listen: ${IPC_HINT(dir)}`));
    return out;
  }
  out.push(result(check, "pass", `${dir}: ${sockets.length} socket(s)`));
  for (const path of sockets) out.push(socketResult(`mpv ${path}`, path, await probeMpvSocket(path, timeoutMs)));
  return out;
}
