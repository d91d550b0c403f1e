// What a short command costs, and how long `run` takes to be ready — of the compiled CLI (bin/ → dist/), the way
// Docker's HEALTHCHECK runs it every 30 s. Measured side by side in one run: `node -e 0` (the floor every Node
// command pays), then `healthcheck` and `status` against a running daemon, interleaved round by round so a noisy
// neighbour slows all of them alike. The commands run as in the Docker image: the server address in the
// environment (TRAKT_SCROBBLERD_HOST/PORT), a config file beside it. One more row shows `healthcheck` reading the
// address from the config file instead (no variables: the config schema and the YAML parser load).
// CPU (user + sys) and peak RSS come from getrusage(RUSAGE_CHILDREN) in a python3 wrapper, which counts the
// measured child only (Node cannot read a child's rusage).
// Start-up of `run`: from spawn to its "ready" log line (HTTP server listening, adapters tried), wall time and CPU.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { startTraktEmulator, type Emulator } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { REPO, stopChild } from "./lib/child.js";
import { loadRow } from "./lib/load-average.js";
import { cpuMsOf, fmtMB, memoryOf } from "./lib/proc.js";
import { QUICK, type BenchRow } from "./lib/row.js";
import { freePort } from "../test/support/free-port.js";
import { median } from "./lib/stats.js";

const ROUNDS = QUICK ? 3 : 15;
const STARTS = QUICK ? 2 : 5;
const CPU_GOAL = 1.5;
const execFileP = promisify(execFile);

// Runs argv[1:] once with stdout/stderr discarded; prints the child's exit code, CPU and peak RSS as JSON.
const RUSAGE = `
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": p.returncode, "cpuMs": (u.ru_utime + u.ru_stime) * 1000, "maxRss": u.ru_maxrss * 1024, "stderr": p.stderr.decode(errors="replace")[-400:]}))
`;

interface Usage {
  code: number;
  cpuMs: number;
  maxRss: number;
  stderr: string;
}

async function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Usage> {
  const { stdout } = await execFileP("python3", ["-c", RUSAGE, ...argv], { env, cwd: REPO });
  return JSON.parse(stdout) as Usage;
}

async function hasPython(): Promise<boolean> {
  try {
    await execFileP("python3", ["-c", "import resource"]);
    return true;
  } catch {
    return false;
  }
}

/** Spawns `run`; resolves at its "ready" log line with the wall time, CPU and RSS up to then. */
async function startDaemon(bin: string, configFile: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; wallMs: number; cpuMs: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, "run", "--config", configFile], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.includes('"msg":"ready"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`run exited (${String(code)}) before "ready": ${stderr}`)));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  const wallMs = performance.now() - started;
  return { child, wallMs, cpuMs: cpuMsOf(child.pid!), rss: memoryOf(child.pid!).rss };
}

async function setUp(emulator: Emulator, dir: string, name: string, port: number): Promise<string> {
  const stateDir = path.join(dir, name, "state");
  const socketDir = path.join(dir, name, "mpv");
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
  const config = {
    stateDir,
    trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    secrets: { store: "file" },
    log: { level: "info", pretty: false },
    server: { host: "127.0.0.1", port },
    mpv: { enabled: true, socketDir },
    kodi: { enabled: true, instances: [{ name: "living-room", url: `ws://127.0.0.1:${await freePort()}/jsonrpc` }] },
    plex: { enabled: true, webhookSecret: "bench-webhook-secret-0123456789", defaultAccount: "default" },
  };
  const configFile = path.join(dir, name, "config.yaml");
  await writeFile(configFile, stringify(config));
  return configFile;
}

export async function run(): Promise<BenchRow[]> {
  const goal = `CPU ≤ ${CPU_GOAL}× node -e 0`;
  if (!(await hasPython())) return [{ metric: "short commands", value: "not measured: python3 (getrusage of a child) missing", goal }];
  await execFileP("npm", ["run", "build"], { cwd: REPO });
  const bin = path.join(REPO, "bin", "trakt-scrobblerd.js");
  const emulator = await startTraktEmulator();
  const dir = await mkdtemp(path.join(tmpdir(), "tsd-bench-startup-"));
  // No config or state of the developer's leaks in.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: dir };
  const children: ChildProcess[] = [];
  try {
    // Start-up of run to "ready", one daemon at a time.
    const startConfig = await setUp(emulator, dir, "startup", 0);
    const starts: { wallMs: number; cpuMs: number; rss: number }[] = [];
    for (let i = 0; i < STARTS; i++) {
      const { child, ...figures } = await startDaemon(bin, startConfig, env);
      starts.push(figures);
      await stopChild(child);
    }

    // The daemon the short commands ask.
    const port = await freePort();
    const configFile = await setUp(emulator, dir, "daemon", port);
    const daemon = await startDaemon(bin, configFile, env);
    children.push(daemon.child);

    const docker = { ...env, TRAKT_SCROBBLERD_HOST: "0.0.0.0", TRAKT_SCROBBLERD_PORT: String(port) };
    const commands: { name: string; argv: string[]; env: NodeJS.ProcessEnv; goal: boolean }[] = [
      { name: "node -e 0", argv: [process.execPath, "-e", "0"], env, goal: false },
      { name: "trakt-scrobblerd healthcheck", argv: [process.execPath, bin, "--config", configFile, "healthcheck"], env: docker, goal: true },
      { name: "trakt-scrobblerd status", argv: [process.execPath, bin, "--config", configFile, "status"], env: docker, goal: true },
      { name: "  healthcheck, address from the config file", argv: [process.execPath, bin, "--config", configFile, "healthcheck"], env, goal: false },
    ];
    const samples = commands.map(() => [] as Usage[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, command] of commands.entries()) {
        const usage = await measure(command.argv, command.env);
        // `status` exits 3 while the daemon is not ready; that is still a full run of the command.
        if (usage.code !== 0 && usage.code !== 3) throw new Error(`${command.name} exited ${usage.code}: ${usage.stderr}`);
        samples[i]!.push(usage);
      }
    }
    const floorCpu = median(samples[0]!.map((u) => u.cpuMs));
    const rows: BenchRow[] = commands.map((command, i) => {
      const cpu = median(samples[i]!.map((u) => u.cpuMs));
      const rss = median(samples[i]!.map((u) => u.maxRss));
      const ratio = cpu / floorCpu;
      return {
        metric: `${command.name}: CPU user+sys, max RSS (median of ${ROUNDS})`,
        value: `${cpu.toFixed(0)} ms, ${fmtMB(rss)}${i === 0 ? "" : ` — ${ratio.toFixed(2)}× node -e 0`}`,
        goal: i === 0 ? "floor" : command.goal ? goal : "",
        ...(command.goal ? { ok: ratio <= CPU_GOAL } : {}),
      };
    });
    rows.push(
      {
        metric: `Start-up of run to "ready": wall, CPU, RSS (median of ${STARTS})`,
        value: `${median(starts.map((s) => s.wallMs)).toFixed(0)} ms, ${median(starts.map((s) => s.cpuMs)).toFixed(0)} ms CPU, ${fmtMB(median(starts.map((s) => s.rss)))}`,
        goal: "no slower than before",
      },
      loadRow("at the end"),
    );
    return rows;
  } finally {
    for (const child of children) await stopChild(child);
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
