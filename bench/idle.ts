// The daemon at rest: `trakt-scrobblerd run` with Kodi, mpv and Plex configured (nothing playing; Kodi not running,
// so its adapter sits in reconnect backoff), against a bare `node -e "setInterval(()=>{}, 1e9)"` started beside it.
// Both are measured in the same window from /proc, starting 5 s after the daemon answers /healthz: RSS after 30 s,
// CPU time over 60 s (BENCH_QUICK=1: 5 s / 10 s).
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { startTraktEmulator } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { runAvailable } from "../scripts/chaos.js";
import { REPO } from "./lib/child.js";
import { loadRow } from "./lib/load-average.js";
import { cpuMsOf, fmtMB, memoryOf } from "./lib/proc.js";
import { QUICK, type BenchRow } from "./lib/row.js";

const RSS_AT_MS = QUICK ? 5_000 : 30_000;
const CPU_WINDOW_MS = QUICK ? 10_000 : 60_000;
/** After /healthz answers: startup work (module compilation, first connection attempts) is not idle time. */
const SETTLE_MS = 5_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function run(): Promise<BenchRow[]> {
  const rssGoal = "≤ 1.25× bare node";
  const cpuGoal = "≈ 0 (no busy polling)";
  await promisify(execFile)("npm", ["run", "build"], { cwd: REPO });
  const bin = path.join(REPO, "bin", "trakt-scrobblerd.js");
  if (!(await runAvailable(bin))) {
    return [
      { metric: "idle RSS of run (Kodi+mpv+Plex configured)", value: "not measured: run not available", goal: rssGoal },
      { metric: "idle CPU time over 60 s", value: "not measured: run not available", goal: cpuGoal },
    ];
  }
  const emulator = await startTraktEmulator();
  const dir = await mkdtemp(path.join(tmpdir(), "tsd-bench-idle-"));
  const children: ChildProcess[] = [];
  try {
    const stateDir = path.join(dir, "state");
    const socketDir = path.join(dir, "mpv");
    await mkdir(socketDir, { recursive: true, mode: 0o700 });
    await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
    const port = await freePort();
    const config = {
      stateDir,
      trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
      secrets: { store: "file" },
      server: { host: "127.0.0.1", port },
      mpv: { enabled: true, socketDir },
      kodi: { enabled: true, instances: [{ name: "living-room", url: `ws://127.0.0.1:${await freePort()}/jsonrpc` }] },
      plex: { enabled: true, webhookSecret: "bench-webhook-secret-0123456789", defaultAccount: "default" },
    };
    const configFile = path.join(dir, "config.yaml");
    await writeFile(configFile, stringify(config));

    const daemon = spawn(process.execPath, [bin, "run", "--config", configFile], { cwd: REPO, stdio: "ignore" });
    const bare = spawn(process.execPath, ["-e", "setInterval(()=>{}, 1e9)"], { stdio: "ignore" });
    children.push(daemon, bare);
    // Ready = the HTTP server answers; then both start their idle window together.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.text();
        if (res.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || daemon.exitCode !== null) throw new Error("the daemon did not come up");
      await sleep(100);
    }
    await sleep(SETTLE_MS);
    const pids = { daemon: daemon.pid!, bare: bare.pid! };
    const cpu0 = { daemon: cpuMsOf(pids.daemon), bare: cpuMsOf(pids.bare) };
    await sleep(RSS_AT_MS);
    const rss = { daemon: memoryOf(pids.daemon).rss, bare: memoryOf(pids.bare).rss };
    await sleep(CPU_WINDOW_MS - RSS_AT_MS);
    const cpu = { daemon: cpuMsOf(pids.daemon) - cpu0.daemon, bare: cpuMsOf(pids.bare) - cpu0.bare };
    const peak = memoryOf(pids.daemon).peak;
    const ratio = rss.daemon / rss.bare;
    const windowS = CPU_WINDOW_MS / 1000;
    return [
      { metric: `idle RSS after ${RSS_AT_MS / 1000} s: run (Kodi+mpv+Plex) vs bare node`, value: `${fmtMB(rss.daemon)} vs ${fmtMB(rss.bare)}`, goal: "" },
      { metric: "idle RSS ratio run / bare node", value: `${ratio.toFixed(2)}×`, goal: rssGoal, ok: ratio <= 1.25 },
      { metric: "  peak RSS of run (startup included)", value: fmtMB(peak), goal: "" },
      {
        metric: `idle CPU time over ${windowS} s: run vs bare node`,
        value: `${cpu.daemon.toFixed(0)} ms vs ${cpu.bare.toFixed(0)} ms (${((cpu.daemon / CPU_WINDOW_MS) * 100).toFixed(3)} % of a core)`,
        goal: cpuGoal,
        // ≈ 0: under 0.1 % of a core (timers that wake a few times a minute: cron, Kodi reconnect backoff).
        ok: cpu.daemon / CPU_WINDOW_MS < 0.001,
      },
      loadRow("at the end"),
    ];
  } finally {
    for (const child of children) await stop(child);
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
