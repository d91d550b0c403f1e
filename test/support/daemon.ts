// Runs the real CLI (`trakt-scrobblerd run`) as a child process, through tsx so no build is needed, and reads its
// JSON log lines. Tokens for the emulator are seeded into the file secret store as a login would leave them.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Emulator } from "../../src/emulator/index.js";
import { FileSecretStore } from "../../src/secrets/file.js";

const REPO = new URL("../../", import.meta.url).pathname;
export const CLI_ENTRY = join(REPO, "src/cli/entry.ts");

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  logs: LogLine[];
  /** Resolves with the first log line matching, rejects after timeoutMs or when the process exits first. */
  waitForLog(pred: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  baseUrl(): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): DaemonProcess {
  const child = spawn(process.execPath, ["--import", "tsx", CLI_ENTRY, ...args], {
    cwd: REPO,
    env: { ...process.env, TRAKT_SCROBBLERD_LOG_PRETTY: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const waitForLog = (pred: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = logs.find(pred);
        if (found) {
          cleanup();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          reject(new Error(`daemon exited (${child.exitCode ?? child.signalCode}) first; stderr: ${stderr}\nlogs: ${logs.map((l) => l.msg).join(" | ")}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for a log line; logs: ${logs.map((l) => l.msg).join(" | ")}; stderr: ${stderr}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    logs,
    waitForLog,
    exited,
    baseUrl: async () => {
      const line = await waitForLog((l) => l.msg === "HTTP server listening");
      return `http://127.0.0.1:${String(line.port)}`;
    },
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface DaemonDirs {
  root: string;
  stateDir: string;
  configFile: string;
  socketDir: string;
  remove(): Promise<void>;
}

export async function makeDaemonDirs(): Promise<DaemonDirs> {
  const root = await mkdtemp(join(tmpdir(), "scrobblerd-e2e-"));
  return {
    root,
    stateDir: join(root, "state"),
    configFile: join(root, "config.yaml"),
    socketDir: join(root, "mpv"),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** What every daemon under test shares: the emulator as Trakt (no write spacing), tokens in files, loopback port 0. */
export function emulatorSections(emulator: Emulator): Record<string, unknown> {
  return {
    trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, writeSpacingMs: 0 },
    secrets: { store: "file" },
    server: { host: "127.0.0.1", port: 0 },
  };
}

/** A config for the emulator: no write spacing (the emulator's limit is off too), no Kodi, file token store. */
export function emulatorConfig(emulator: Emulator, dirs: DaemonDirs, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...emulatorSections(emulator),
    log: { level: "debug" },
    kodi: { enabled: false },
    plex: { enabled: false },
    mpv: { enabled: true, socketDir: dirs.socketDir },
    ...extra,
  };
}

export async function writeConfig(file: string, config: Record<string, unknown>): Promise<void> {
  await writeFile(file, stringify(config));
}

/** What `login` leaves behind: the emulator's tokens for `username` in the file store under `account`. */
export async function seedLogin(emulator: Emulator, stateDir: string, account = "default", username = "alice"): Promise<void> {
  const store = new FileSecretStore(stateDir);
  await store.set(account, { tokens: emulator.issueTokens(username), username, updatedAt: new Date().toISOString() });
}

/** Polls an HTTP JSON endpoint until `pred` holds (the daemon is another process: there is no event to await). */
export async function untilJson<T>(url: string, pred: (body: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const body = (await (await fetch(url)).json()) as T;
      last = body;
      if (pred(body)) return body;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition on ${url} not met within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
