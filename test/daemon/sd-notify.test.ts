import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSdNotifier, watchdogIntervalMs, type NotifyRunner } from "../../src/daemon/sd-notify.js";
import { createLogger } from "../../src/util/log.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const hasSystemdNotify = spawnSync("systemd-notify", ["--version"]).status === 0;
if (!hasPython) console.log("SKIPPED: sd-notify socket test needs python3 (the test's datagram receiver)");
if (!hasSystemdNotify) console.log("SKIPPED: sd-notify socket test needs systemd-notify (Debian package systemd)");

// A unix datagram socket standing in for systemd's notify socket: prints each datagram as a JSON line.
// recv() with no room for ancillary data drops the BARRIER fd systemd-notify passes, which releases its wait.
const RECEIVER = `
import socket, sys, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"listening": True}), flush=True)
while True:
    print(json.dumps({"message": s.recv(65536).decode("utf-8", "replace")}), flush=True)
`;

class Receiver {
  readonly messages: string[] = [];
  private readonly waiters: (() => void)[] = [];
  constructor(readonly child: ChildProcessWithoutNullStreams) {}

  static async start(path: string): Promise<Receiver> {
    const child = spawn("python3", ["-c", RECEIVER, path]);
    const receiver = new Receiver(child);
    const lines = createInterface({ input: child.stdout });
    const listening = new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`receiver exited (${String(code)})`)));
      lines.on("line", (line) => {
        const parsed = JSON.parse(line) as { listening?: boolean; message?: string };
        if (parsed.listening) resolve();
        // systemd-notify follows each message with a BARRIER=1 handshake; that is its business, not ours.
        if (parsed.message !== undefined && parsed.message !== "BARRIER=1") {
          receiver.messages.push(parsed.message);
          for (const w of receiver.waiters.splice(0)) w();
        }
      });
    });
    await listening;
    return receiver;
  }

  async waitFor(count: number): Promise<string[]> {
    while (this.messages.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.messages;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill();
    await exited;
  }
}

describe("sd-notify over a real datagram socket", () => {
  let dir: string;
  let receiver: Receiver | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tsd-notify-"));
  });
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasPython || !hasSystemdNotify)("delivers READY, STATUS, WATCHDOG and STOPPING in order", async () => {
    const socket = join(dir, "notify.sock");
    receiver = await Receiver.start(socket);
    const notifier = createSdNotifier({ env: { NOTIFY_SOCKET: socket } });
    expect(notifier.enabled).toBe(true);
    await notifier.ready("watching 2 players");
    await notifier.status("line one\nline two");
    await notifier.watchdog();
    await notifier.stopping("shutting down");
    expect(await receiver.waitFor(4)).toEqual([
      "READY=1\nSTATUS=watching 2 players",
      "STATUS=line one line two",
      "WATCHDOG=1",
      "STOPPING=1\nSTATUS=shutting down",
    ]);
  });
});

describe("sd-notify without systemd", () => {
  it("does nothing when NOTIFY_SOCKET is unset", async () => {
    const runner = vi.fn<NotifyRunner>(() => Promise.resolve());
    const notifier = createSdNotifier({ env: { WATCHDOG_USEC: "1000000" }, runner });
    expect(notifier.enabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeUndefined();
    await notifier.ready();
    await notifier.watchdog();
    notifier.startWatchdog()();
    expect(runner).not.toHaveBeenCalled();
  });

  it("logs once and never throws when systemd-notify cannot run", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ destination, level: "warn" });
    const notifier = createSdNotifier({ env: { NOTIFY_SOCKET: join(tmpdir(), "nobody-listens.sock") }, command: "/nonexistent/systemd-notify", logger });
    await expect(notifier.ready()).resolves.toBeUndefined();
    await expect(notifier.watchdog()).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("sd_notify failed");
  });
});

describe("watchdog", () => {
  it("interval is half of WATCHDOG_USEC, and only for our PID", () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: String(process.pid) })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "1" }, 4242)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "nope" })).toBeUndefined();
    expect(watchdogIntervalMs({})).toBeUndefined();
  });

  it("sends WATCHDOG=1 every interval until stopped", async () => {
    vi.useFakeTimers();
    try {
      const runner = vi.fn<NotifyRunner>(() => Promise.resolve());
      const notifier = createSdNotifier({ env: { NOTIFY_SOCKET: "/run/x.sock", WATCHDOG_USEC: "10000000" }, runner });
      expect(notifier.watchdogIntervalMs).toBe(5_000);
      const stop = notifier.startWatchdog();
      await vi.advanceTimersByTimeAsync(4_999);
      expect(runner).toHaveBeenCalledTimes(0);
      await vi.advanceTimersByTimeAsync(10_001);
      expect(runner).toHaveBeenCalledTimes(3);
      expect(runner.mock.calls[0]?.[0]).toEqual(["WATCHDOG=1"]);
      expect(runner.mock.calls[0]?.[1]).toEqual({ NOTIFY_SOCKET: "/run/x.sock" });
      stop();
      await vi.advanceTimersByTimeAsync(20_000);
      expect(runner).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
