// A hostile "Kodi" against the real daemon process (`trakt-scrobblerd run`): one crafted message must not crash it
// and one huge frame must not blow up its memory. The fake Kodi is the one of the unit tests (ws on 127.0.0.1:0).
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { FakeKodi, Scenario } from "../players/kodi/fake-kodi.js";
import { emulatorConfig, makeDaemonDirs, runCli, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";

let emulator: Emulator;
let dirs: DaemonDirs;
let kodi: FakeKodi;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dirs = await makeDaemonDirs();
  kodi = await FakeKodi.start();
});

afterEach(async () => {
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  await kodi.close();
  await emulator.close();
  await dirs.remove();
});

async function startDaemonOnKodi(): Promise<string> {
  await writeConfig(
    dirs.configFile,
    emulatorConfig(emulator, dirs, { mpv: { enabled: false }, kodi: { enabled: true, instances: [{ name: "hostile", url: kodi.url }] } }),
  );
  daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
  const base = await daemon.baseUrl();
  await daemon.waitForLog((l) => l.msg === "connected to Kodi");
  return base;
}

/** An unsolicited JSON-RPC error whose `data` nests `depth` objects (what a hostile peer sent in the review). */
function deepError(depth: number): string {
  return `{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error","data":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}}`;
}

/** Resident set size of a process in bytes (Linux /proc). */
async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

describe("a hostile Kodi peer against the running daemon", () => {
  it("survives an unsolicited error nested 20,000 objects deep and keeps serving", async () => {
    const base = await startDaemonOnKodi();
    kodi.send(deepError(20_000));
    await daemon!.waitForLog((l) => String(l.msg).startsWith("Kodi sent a message nested deeper than"));
    // Still the same process, still following Kodi: a notification after the attack is acted on.
    const asked = kodi.count("Player.GetActivePlayers");
    kodi.send(new Scenario("file-movie").notification("Player.OnAVStart"));
    await kodi.waitForRequests("Player.GetActivePlayers", asked + 1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(daemon!.child.exitCode).toBeNull();
  });

  it("drops a 90 MB frame without holding it: the process lives and its memory stays bounded", async () => {
    const base = await startDaemonOnKodi();
    const pid = daemon!.child.pid!;
    // One ordinary drop and reconnect first, so the baseline includes what a reconnect costs anyway.
    const synced = kodi.count("Player.GetActivePlayers");
    kodi.terminateAll();
    await kodi.waitForConnections(2);
    await kodi.waitForRequests("Player.GetActivePlayers", synced + 1);
    const before = await rssBytes(pid);
    const huge = JSON.stringify({ jsonrpc: "2.0", method: "Player.OnPlay", params: { data: { padding: "x".repeat(90 * 1024 * 1024) } } });
    kodi.send(huge);
    // Either way the daemon ends up asking Kodi what plays: after reading the frame as an OnPlay (grace timer), or
    // after refusing it, dropping the socket and reconnecting. Only then is its memory compared.
    const asked = kodi.count("Player.GetActivePlayers");
    await kodi.waitForRequests("Player.GetActivePlayers", asked + 1);
    const after = await rssBytes(pid);
    console.log(`daemon RSS before the 90 MB frame: ${(before / 2 ** 20).toFixed(1)} MB, after: ${(after / 2 ** 20).toFixed(1)} MB`);
    expect(after - before).toBeLessThan(32 * 2 ** 20);
    expect(kodi.connections).toBe(3);
    expect(daemon!.logs.some((l) => l.msg === "Kodi sent a message larger than 4 MiB; dropped it with the connection")).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  }, 60_000);
});
