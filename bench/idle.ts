// The daemon at rest, measured from outside (/proc) side by side with what any daemon doing this job must pay:
//  - `run` (1): an explicit mpv socket path and a Kodi instance, both configured, neither running;
//  - `run` (2): only an mpv socket directory (no Kodi);
//  - the same-I/O floor: a Node process with an HTTP server, one `fetch` to a loopback server, a `ws` client and a
//    unix-socket client (both kept connected), and nothing else;
//  - bare `node`, which should use no CPU at all.
// All four start together; once all are up they settle for 40 s, then CPU time is read over 60 s and RSS at the end,
// at log level info. Log lines written by the daemons inside the window are counted: at rest there should be none.
// The round is repeated (BENCH_IDLE_ROUNDS, default 3) and the median shown: the machine is shared and noisy.
// Then what one try to reach a Kodi that is not running costs (the daemon makes one every 24–30 s): the client's
// TCP probe, and a bare WebSocket try (what each try cost before the probe), each in its own process, tries 2 s apart.
// BENCH_QUICK=1: one round, 5 s to settle, 10 s windows.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { WebSocketServer } from "ws";
import { stringify } from "yaml";
import { startTraktEmulator, type Emulator } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { runAvailable } from "../scripts/chaos.js";
import { REPO, stopChild } from "./lib/child.js";
import { loadRow } from "./lib/load-average.js";
import { fmtMB, memoryOf, preciseCpuMsOf } from "./lib/proc.js";
import { QUICK, type BenchRow } from "./lib/row.js";
import { freePort } from "../test/support/free-port.js";
import { median } from "./lib/stats.js";

const SETTLE_MS = QUICK ? 5_000 : 40_000;
const WINDOW_MS = QUICK ? 10_000 : 60_000;
const ROUNDS = QUICK ? 1 : Number(process.env.BENCH_IDLE_ROUNDS ?? 3);
const RSS_GOAL = 1.15;
const CPU_GOAL_MS_PER_MIN = 10;
const KODI_TRY_INTERVAL_MS = 2_000;
const KODI_SETTLE_MS = QUICK ? 4_000 : 10_000;
const KODI_WINDOW_MS = QUICK ? 10_000 : 40_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The floor: the I/O a scrobbler daemon cannot do without, and nothing else. Run with plain `node` from the
 * repository (so `ws` resolves as it does for the daemon). Prints "ready" once everything is connected.
 */
const FLOOR = `
import { createServer } from "node:http";
import { connect } from "node:net";
import { once } from "node:events";
import WebSocket from "ws";
const [httpUrl, wsUrl, socketPath] = process.argv.slice(1);
const server = createServer((req, res) => res.end("ok"));
server.listen(0, "127.0.0.1");
await once(server, "listening");
await (await fetch(httpUrl)).text();
const ws = new WebSocket(wsUrl);
await once(ws, "open");
const socket = connect(socketPath);
await once(socket, "connect");
console.log("ready");
`;

/**
 * Tries to reach a Kodi that is not running (a closed loopback port) over and over, `interval` ms apart, at log level
 * info, and prints "try" for each TCP connection it starts. `client`: the real KodiClient, compiled (dist/); `ws`: a
 * bare WebSocket per try, which is at least what each try cost before the client's TCP probe. Plain `node`, no tsx:
 * tsx's loader thread alone uses a few ms a second.
 */
const KODI_TRIES = `
import net from "node:net";
import WebSocket from "ws";
import { KodiClient } from "./dist/players/kodi/client.js";
import { createLogger } from "./dist/util/log.js";
const [mode, url, interval] = process.argv.slice(1);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  process.stdout.write("try\\n");
  return connect.apply(this, args);
};
if (mode === "client") {
  new KodiClient(url, createLogger({ level: "info" }), {}, { reconnectMinMs: Number(interval), reconnectMaxMs: Number(interval) }).start();
} else {
  const attempt = () => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on("error", () => undefined);
    socket.once("close", () => setTimeout(attempt, Number(interval)));
  };
  attempt();
}
console.log("ready");
`;

/** The servers the floor talks to: HTTP (fetch) and WebSocket on one loopback port, and a unix socket. */
async function startPeers(dir: string): Promise<{ httpUrl: string; wsUrl: string; socketPath: string; close(): Promise<void> }> {
  const http = createHttpServer((_req, res) => res.end("ok"));
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as { port: number };
  const socketPath = path.join(dir, "peer.sock");
  const sockets = new Set<Socket>();
  const unix: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
  return {
    httpUrl: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    socketPath,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => unix.close(() => resolve()));
    },
  };
}

interface Measured {
  name: string;
  child: ChildProcess;
  /** Lines written to stdout so far (log lines, for a daemon). */
  lines: number;
  ready: Promise<void>;
}

/** Spawns a process whose stdout is read line by line; `ready` resolves at the first line that matches. */
function start(name: string, args: string[], readyWhen: (line: string) => boolean): Measured {
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", HOME: tmpdir() } });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const measured: Measured = { name, child, lines: 0, ready: Promise.resolve() };
  const lines = createInterface({ input: child.stdout });
  measured.ready = new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      measured.lines += 1;
      if (readyWhen(line)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${name} exited (${String(code)}) before it was ready: ${stderr}`)));
  });
  measured.ready.catch(() => undefined);
  return measured;
}

async function daemonConfig(emulator: Emulator, dir: string, name: string, players: Record<string, unknown>): Promise<string> {
  const stateDir = path.join(dir, name, "state");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
  const config = {
    stateDir,
    trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    secrets: { store: "file" },
    log: { level: "info", pretty: false },
    server: { host: "127.0.0.1", port: 0 },
    plex: { enabled: false },
    ...players,
  };
  const file = path.join(dir, name, "config.yaml");
  await writeFile(file, stringify(config));
  return file;
}

interface Sample {
  cpuMs: number;
  rss: number;
  lines: number;
}

async function round(bin: string, configs: { one: string; two: string }, peers: { httpUrl: string; wsUrl: string; socketPath: string }): Promise<Record<string, Sample>> {
  const isReady = (line: string): boolean => line.includes('"msg":"ready"');
  const processes = [
    start("run (1)", [bin, "run", "--config", configs.one], isReady),
    start("run (2)", [bin, "run", "--config", configs.two], isReady),
    start("floor", ["--input-type=module", "-e", FLOOR, peers.httpUrl, peers.wsUrl, peers.socketPath], (line) => line === "ready"),
    start("node", ["-e", "console.log('ready'); setInterval(() => {}, 1e9)"], (line) => line === "ready"),
  ];
  try {
    await Promise.race([Promise.all(processes.map((p) => p.ready)), sleep(60_000).then(() => Promise.reject(new Error("not ready within 60 s")))]);
    await sleep(SETTLE_MS);
    const before = processes.map((p) => ({ cpu: preciseCpuMsOf(p.child.pid!), lines: p.lines }));
    await sleep(WINDOW_MS);
    const out: Record<string, Sample> = {};
    processes.forEach((p, i) => {
      out[p.name] = { cpuMs: preciseCpuMsOf(p.child.pid!) - before[i]!.cpu, rss: memoryOf(p.child.pid!).rss, lines: p.lines - before[i]!.lines };
    });
    return out;
  } finally {
    await Promise.all(processes.map((p) => stopChild(p.child)));
  }
}

/** CPU per try of reaching a Kodi that is not running, with the real client and with a bare WebSocket. */
async function kodiTries(): Promise<Record<"client" | "ws", number>> {
  const url = `ws://127.0.0.1:${await freePort()}/jsonrpc`;
  const processes = (["client", "ws"] as const).map((mode) => start(mode, ["--input-type=module", "-e", KODI_TRIES, mode, url, String(KODI_TRY_INTERVAL_MS)], (line) => line === "ready"));
  try {
    await Promise.all(processes.map((p) => p.ready));
    await sleep(KODI_SETTLE_MS);
    const before = processes.map((p) => ({ cpu: preciseCpuMsOf(p.child.pid!), tries: p.lines }));
    await sleep(KODI_WINDOW_MS);
    const [client, ws] = processes.map((p, i) => (preciseCpuMsOf(p.child.pid!) - before[i]!.cpu) / Math.max(1, p.lines - before[i]!.tries));
    return { client: client!, ws: ws! };
  } finally {
    await Promise.all(processes.map((p) => stopChild(p.child)));
  }
}

export async function run(): Promise<BenchRow[]> {
  const rssGoal = `≤ ${RSS_GOAL}× floor`;
  const cpuGoal = `≤ ${CPU_GOAL_MS_PER_MIN} ms/min`;
  await promisify(execFile)("npm", ["run", "build"], { cwd: REPO });
  const bin = path.join(REPO, "bin", "trakt-scrobblerd.js");
  if (!(await runAvailable(bin))) return [{ metric: "idle run", value: "not measured: run not available", goal: cpuGoal }];
  const emulator = await startTraktEmulator();
  const dir = await mkdtemp(path.join(tmpdir(), "tsd-bench-idle-"));
  const peers = await startPeers(dir);
  try {
    const mpvDir = path.join(dir, "mpv");
    await mkdir(mpvDir, { recursive: true, mode: 0o700 });
    const configs = {
      one: await daemonConfig(emulator, dir, "one", {
        mpv: { enabled: true, sockets: [path.join(mpvDir, "explicit.sock")] },
        kodi: { enabled: true, instances: [{ name: "living-room", url: `ws://127.0.0.1:${await freePort()}/jsonrpc` }] },
      }),
      two: await daemonConfig(emulator, dir, "two", { mpv: { enabled: true, socketDir: mpvDir }, kodi: { enabled: false } }),
    };
    const samples: Record<string, Sample>[] = [];
    for (let i = 0; i < ROUNDS; i++) samples.push(await round(bin, configs, peers));
    const of = (name: string, key: keyof Sample): number => median(samples.map((s) => s[name]![key]));
    const perMin = (ms: number): number => (ms * 60_000) / WINDOW_MS;
    const floorRss = of("floor", "rss");
    const window = `${SETTLE_MS / 1000} s settle, ${WINDOW_MS / 1000} s window, median of ${ROUNDS}`;
    const rows: BenchRow[] = [];
    for (const [name, what] of [
      ["run (1)", "explicit mpv socket + Kodi, neither running"],
      ["run (2)", "mpv socket directory only"],
    ] as const) {
      const ratio = of(name, "rss") / floorRss;
      const cpu = perMin(of(name, "cpuMs"));
      rows.push(
        { metric: `idle ${name}: ${what} — RSS`, value: `${fmtMB(of(name, "rss"))} (${ratio.toFixed(2)}× floor)`, goal: rssGoal, ok: ratio <= RSS_GOAL },
        { metric: `idle ${name}: CPU (${window})`, value: `${cpu.toFixed(1)} ms/min`, goal: cpuGoal, ok: cpu <= CPU_GOAL_MS_PER_MIN },
        { metric: `idle ${name}: log lines in the window (info)`, value: String(Math.max(...samples.map((s) => s[name]!.lines))), goal: "0", ok: samples.every((s) => s[name]!.lines === 0) },
      );
    }
    const tries = await kodiTries();
    rows.push(
      {
        metric: `Kodi not running: CPU per reconnect try, client (TCP probe) vs a bare WebSocket try, ${KODI_TRY_INTERVAL_MS / 1000} s apart`,
        value: `${tries.client.toFixed(2)} ms vs ${tries.ws.toFixed(2)} ms`,
        goal: "cheap",
      },
      { metric: "floor: HTTP server + fetch + ws client + unix-socket client — RSS, CPU", value: `${fmtMB(floorRss)}, ${perMin(of("floor", "cpuMs")).toFixed(1)} ms/min`, goal: "floor" },
      { metric: "bare node — RSS, CPU", value: `${fmtMB(of("node", "rss"))}, ${perMin(of("node", "cpuMs")).toFixed(1)} ms/min`, goal: "0 ms/min" },
      loadRow("at the end"),
    );
    return rows;
  } finally {
    await peers.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
