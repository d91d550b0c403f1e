// sd_notify for systemd's Type=notify without native code: Node cannot send a unix datagram, so each notification
// spawns `systemd-notify KEY=VALUE...` (it is in the systemd package wherever systemd runs us).
//
// The message comes from a child process, not from our main PID, so the unit needs NotifyAccess=all. systemd-notify
// (without --no-block) waits until the manager has processed the message, so it is still alive to be attributed
// to our unit (see systemd-notify(1)). Silent no-op when NOTIFY_SOCKET is unset (not under systemd, or in Docker).
import { spawn } from "node:child_process";
import type { Logger } from "../util/log.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Runs `systemd-notify` with the given arguments; resolves when it has exited (rejects on failure). */
export type NotifyRunner = (args: string[], env: Env) => Promise<void>;

export interface SdNotifyOptions {
  env?: Env;
  logger?: Logger;
  /** The program to run (default "systemd-notify" from PATH). */
  command?: string;
  /** Replaces spawning (tests of the timer logic). */
  runner?: NotifyRunner;
  /** Give up on one notification after this long (default 5000 ms). */
  timeoutMs?: number;
}

export interface SdNotifier {
  /** True when NOTIFY_SOCKET is set, i.e. systemd listens. */
  readonly enabled: boolean;
  /** How often to send WATCHDOG=1 (half of WatchdogSec), or undefined when no watchdog is armed for us. */
  readonly watchdogIntervalMs: number | undefined;
  ready(status?: string): Promise<void>;
  stopping(status?: string): Promise<void>;
  status(text: string): Promise<void>;
  watchdog(): Promise<void>;
  /** Sends WATCHDOG=1 every watchdogIntervalMs (timer unref'd) until the returned function is called. */
  startWatchdog(): () => void;
}

/** Half the watchdog timeout, as sd_watchdog_enabled(3) advises; undefined when unset, invalid, or for another PID. */
export function watchdogIntervalMs(env: Env, pid: number = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

function spawnRunner(command: string, timeoutMs: number): NotifyRunner {
  return (args, env) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs });
      let stderr = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        if (stderr.length < 2000) stderr += chunk;
      });
      child.once("error", reject);
      child.once("close", (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${command} exited with ${signal ?? `code ${String(code)}`}${stderr ? `: ${stderr.trim()}` : ""}`));
      });
    });
}

export function createSdNotifier(options: SdNotifyOptions = {}): SdNotifier {
  const env = options.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  const enabled = socket !== undefined && socket !== "";
  const command = options.command ?? "systemd-notify";
  const run = options.runner ?? spawnRunner(command, options.timeoutMs ?? 5000);
  const interval = enabled ? watchdogIntervalMs(env) : undefined;
  let warned = false;
  // One at a time, in order: READY must not overtake an earlier STATUS, nor STOPPING a late WATCHDOG.
  let queue: Promise<void> = Promise.resolve();

  const send = (fields: string[]): Promise<void> => {
    if (!enabled) return Promise.resolve();
    const next = queue.then(async () => {
      try {
        await run(fields, { NOTIFY_SOCKET: socket });
      } catch (error) {
        if (!warned) {
          warned = true; // once: a missing systemd-notify would otherwise log every watchdog tick
          options.logger?.warn({ err: error, fields }, "sd_notify failed; is systemd-notify installed? (further failures not logged)");
        }
      }
    });
    queue = next;
    return next;
  };
  // The protocol is newline-separated KEY=VALUE lines: a newline in a status would start a bogus field.
  const statusField = (text: string): string => `STATUS=${text.replace(/[\r\n]+/g, " ")}`;
  const withStatus = (field: string, status: string | undefined): string[] => (status === undefined ? [field] : [field, statusField(status)]);

  return {
    enabled,
    watchdogIntervalMs: interval,
    ready: (status) => send(withStatus("READY=1", status)),
    stopping: (status) => send(withStatus("STOPPING=1", status)),
    status: (text) => send([statusField(text)]),
    watchdog: () => send(["WATCHDOG=1"]),
    startWatchdog: () => {
      if (interval === undefined) return () => undefined;
      const timer = setInterval(() => void send(["WATCHDOG=1"]), interval);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
