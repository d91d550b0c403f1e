// Real mpv and ffmpeg for integration tests: media made by ffmpeg in a temp dir, headless mpv processes with an
// IPC socket, a small independent controller that drives mpv through its own IPC (pause, seek, stop, quit), and
// a collector that waits for PlaybackEvents by condition.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlaybackEvent } from "../../src/core/playback.js";

function installed(command: string): boolean {
  const result = spawnSync(command, ["-version"], { stdio: "ignore" });
  return result.error === undefined && result.status === 0;
}

export const hasMpv = spawnSync("mpv", ["--version"], { stdio: "ignore" }).status === 0;
export const hasFfmpeg = installed("ffmpeg");
export const canRunMpv = hasMpv && hasFfmpeg;

/** Prints the SKIPPED line the team rules ask for; returns whether the suite can run. */
export function requireMpv(): boolean {
  if (!hasMpv) console.log("SKIPPED: mpv not installed");
  else if (!hasFfmpeg) console.log("SKIPPED: ffmpeg not installed (needed to make test media)");
  return canRunMpv;
}

export async function makeTempDir(prefix = "mpv-test-"): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A small video+audio file (testsrc + sine) made by ffmpeg; takes well under a second. A keyframe every second
 * (-g 10), or mpv's keyframe seeks (percent seeks) would all land on 0. */
export async function makeMedia(dir: string, name = "clip.mkv", seconds = 20): Promise<string> {
  const out = join(dir, name);
  const args = [
    "-y", "-loglevel", "error",
    "-f", "lavfi", "-i", `testsrc=duration=${seconds}:size=160x120:rate=10`,
    "-f", "lavfi", "-i", `sine=duration=${seconds}`,
    "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-c:a", "aac", "-shortest", out,
  ];
  await new Promise<void>((resolve, reject) => {
    const ff = spawn("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    ff.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    ff.on("error", reject);
    ff.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed (${code}): ${stderr}`))));
  });
  return out;
}

export interface MpvProcess {
  process: ChildProcess;
  socket: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Connects a controller (retrying until mpv listens). */
  control(): Promise<MpvController>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartMpvOptions {
  socket: string;
  file: string;
  speed?: number;
  cwd?: string;
  extraArgs?: string[];
}

export function startMpv(options: StartMpvOptions): MpvProcess {
  const args = [
    "--no-config", "--idle=no", "--vo=null", "--ao=null", "--really-quiet",
    `--input-ipc-server=${options.socket}`,
    `--speed=${options.speed ?? 1}`,
    ...(options.extraArgs ?? []),
    options.file,
  ];
  // mpv takes its working-directory property from $PWD when set (to keep symlinked paths), as a shell sets it.
  const env = options.cwd ? { ...process.env, PWD: options.cwd } : process.env;
  const child = spawn("mpv", args, { cwd: options.cwd, env, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    process: child,
    socket: options.socket,
    exited,
    control: () => MpvController.connect(options.socket, exited),
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Drives mpv over its own IPC, independently of the adapter's client. */
export class MpvController {
  private buffer = "";
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (reply: { error: string; data?: unknown }) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl !== -1; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const message = JSON.parse(line) as { request_id?: number; error?: string; data?: unknown };
        if (typeof message.request_id === "number" && message.error !== undefined) {
          this.waiting.get(message.request_id)?.resolve({ error: message.error, data: message.data });
          this.waiting.delete(message.request_id);
        }
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error("mpv closed the controller connection"));
      this.waiting.clear();
    });
  }

  static async connect(path: string, exited: Promise<void>, timeoutMs = 10_000): Promise<MpvController> {
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path);
          s.once("connect", () => resolve(s));
          s.once("error", reject);
        });
        return new MpvController(socket);
      } catch (error) {
        if (gone || Date.now() > deadline) throw error;
        // mpv has not created its socket yet: wait for the next event-loop turn window and retry.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  request(...command: unknown[]): Promise<{ error: string; data?: unknown }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ command, request_id: id })}\n`);
    });
  }

  /** Resolves with the property's value once `predicate` holds for it (observes it; no polling). */
  waitFor(name: string, predicate: (value: unknown) => boolean, timeoutMs = 10_000): Promise<unknown> {
    const id = 1000 + this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off("data", onData);
        reject(new Error(`timed out waiting for mpv property ${name}`));
      }, timeoutMs);
      let buffer = "";
      const onData = (chunk: string): void => {
        buffer += chunk;
        for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
          const message = JSON.parse(buffer.slice(0, nl)) as { event?: string; id?: number; data?: unknown };
          buffer = buffer.slice(nl + 1);
          if (message.event === "property-change" && message.id === id && predicate(message.data)) {
            clearTimeout(timer);
            this.socket.off("data", onData);
            this.send("unobserve_property", id);
            resolve(message.data);
          }
        }
      };
      this.socket.on("data", onData);
      this.send("observe_property", id, name);
    });
  }

  async get(name: string): Promise<unknown> {
    const reply = await this.request("get_property", name);
    return reply.data;
  }

  /** Sends a command without waiting for a reply (quit/stop close the socket right after). */
  send(...command: unknown[]): void {
    this.socket.write(`${JSON.stringify({ command })}\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Collects PlaybackEvents and waits for conditions on them. */
export class EventCollector {
  readonly events: PlaybackEvent[] = [];
  private readonly waiters: { predicate: (events: PlaybackEvent[]) => boolean; resolve: () => void }[] = [];

  readonly emit = (event: PlaybackEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(this.events)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  /** Resolves with the first event (in order) matching `predicate`, waiting for it if needed. */
  async next(predicate: (event: PlaybackEvent) => boolean, what: string, timeoutMs = 15_000): Promise<PlaybackEvent> {
    await this.until((events) => events.some(predicate), what, timeoutMs);
    return this.events.find(predicate)!;
  }

  until(predicate: (events: PlaybackEvent[]) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate(this.events)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map(brief))}`));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }
}

export function brief(event: PlaybackEvent): string {
  return `${event.state}@${event.progress?.toFixed(1) ?? "?"}%(${event.sessionKey.split("#")[1] ?? event.sessionKey})`;
}
