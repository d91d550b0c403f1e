// Each command loads only what it uses. The CLI runs in a child process with a module hook that records every
// module it loads (test/support/record-modules.mjs), against a running daemon:
//   - `healthcheck` and `status` (Docker runs healthcheck every 30 s): no daemon, core, Trakt, accounts, doctor,
//     emulator, demo or QR code; with server.host/port in the environment (as in the image) not even the config
//     schema or the YAML parser;
//   - `run`: nothing of the emulator or the demo, and nothing of the notifications while no target is configured.
// The figures (CPU and memory beside `node -e 0`) are in bench/startup.ts.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { silentLogger } from "../../src/util/log.js";
import { CLI_ENTRY, makeDaemonDirs, writeConfig, type DaemonDirs } from "../support/daemon.js";

const RECORDER = new URL("../support/record-modules.mjs", import.meta.url).pathname;
const REPO = new URL("../../", import.meta.url).pathname;

/** What a short command must never load. */
const NEVER_IN_SHORT_COMMANDS = /\/src\/(daemon|compose|players|scrobble|identify|outbox|trakt|accounts|secrets|doctor|emulator|demo|notify)\/|\/node_modules\/(qrcode|ws|chokidar)\//;
/** What reading the config file takes (the schema, the YAML parser, the log scrubber, cron checks), and nothing else does. */
const CONFIG_LOADING = /\/src\/(config\/(load|schema|validate|sections\/)|util\/log)|\/node_modules\/(zod|yaml|pino|node-cron)\//;

let emulator: Emulator;
let dirs: DaemonDirs;
let daemon: Daemon;
let port: number;
let work: string;

beforeAll(async () => {
  emulator = await startTraktEmulator();
  dirs = await makeDaemonDirs();
  work = await mkdtemp(join(tmpdir(), "tsd-lazy-"));
  await writeConfig(dirs.configFile, {
    trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    secrets: { store: "file" },
    server: { host: "127.0.0.1", port: 0 },
    mpv: { enabled: true, socketDir: dirs.socketDir },
    kodi: { enabled: true, instances: [{ name: "kodi", url: "ws://127.0.0.1:9/jsonrpc" }] },
    plex: { enabled: true },
  });
  daemon = await Daemon.start({ configFile: dirs.configFile, stateDir: dirs.stateDir, watchConfig: false, logger: silentLogger() });
  port = daemon.httpPort;
}, 60_000);

afterAll(async () => {
  await daemon?.stop(500);
  await emulator?.close();
  await dirs?.remove();
  await rm(work, { recursive: true, force: true });
});

let runs = 0;
interface Run {
  code: number | null;
  stdout: string;
  modules: string[];
}

/** Runs the CLI (src through tsx, the same module graph as dist/) and returns the modules it loaded. */
async function cli(args: string[], env: Record<string, string> = {}, until?: (stdout: string) => boolean, before?: (stdout: string) => Promise<void>): Promise<Run> {
  const file = join(work, `modules-${++runs}.txt`);
  const child = spawn(process.execPath, ["--import", "tsx", "--import", RECORDER, CLI_ENTRY, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: work, RECORD_MODULES_FILE: file, TRAKT_SCROBBLERD_LOG_PRETTY: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const stoppedByUs = until !== undefined;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    stdout += `${line}\n`;
    if (until?.(stdout)) {
      const out = stdout;
      until = undefined;
      void (before ? before(out) : Promise.resolve()).finally(() => child.kill("SIGTERM"));
    }
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0 && code !== 3 && !stoppedByUs) throw new Error(`${args.join(" ")} exited ${String(code)}: ${stderr}`);
  const modules = (await readFile(file, "utf8")).split("\n").filter((line) => line.startsWith("file:"));
  return { code, stdout, modules };
}

const ours = (modules: string[]): string[] => modules.filter((m) => m.includes("/src/")).map((m) => m.slice(m.indexOf("/src/") + 1));

describe("commands load only what they use", () => {
  const dockerEnv = (): Record<string, string> => ({ TRAKT_SCROBBLERD_HOST: "0.0.0.0", TRAKT_SCROBBLERD_PORT: String(port) });

  it("healthcheck with the address in the environment (as in the Docker image): no config schema, nothing of the daemon", async () => {
    const run = await cli(["healthcheck"], dockerEnv());
    expect(run.code).toBe(0);
    expect(run.modules.filter((m) => NEVER_IN_SHORT_COMMANDS.test(m) || CONFIG_LOADING.test(m))).toEqual([]);
    // Plain arguments: not even the command-line program (commander) is built.
    expect(run.modules.filter((m) => /\/node_modules\/commander\/|\/src\/cli\/(program|commands)\.ts/.test(m))).toEqual([]);
    // It did load its own work, so the recorder saw the command run.
    expect(ours(run.modules)).toContain("src/cli/actions/healthcheck.ts");
  });

  it("status with the address in the environment: the same", async () => {
    const run = await cli(["status", "--json"], dockerEnv());
    expect(run.code).toBe(3); // not ready: nobody logged in
    expect(JSON.parse(run.stdout)).toMatchObject({ adapters: expect.any(Array) });
    expect(run.modules.filter((m) => NEVER_IN_SHORT_COMMANDS.test(m) || CONFIG_LOADING.test(m))).toEqual([]);
    expect(run.modules.filter((m) => /\/node_modules\/commander\//.test(m))).toEqual([]);
    expect(ours(run.modules)).toContain("src/cli/actions/status.ts");
  });

  it("healthcheck reading the address from the config file: the config loading, and still nothing of the daemon", async () => {
    const file = join(work, "config.yaml");
    await writeConfig(file, { server: { host: "127.0.0.1", port } });
    const run = await cli(["--config", file, "healthcheck"]);
    expect(run.code).toBe(0);
    expect(run.modules.filter((m) => NEVER_IN_SHORT_COMMANDS.test(m))).toEqual([]);
    expect(ours(run.modules)).toContain("src/config/load.ts");
  });

  it("run loads nothing of the emulator or the demo, nor the notifier without a target", async () => {
    const other = await makeDaemonDirs();
    try {
      await writeConfig(other.configFile, {
        trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
        secrets: { store: "file" },
        server: { host: "127.0.0.1", port: 0 },
        mpv: { enabled: true, socketDir: other.socketDir },
        kodi: { enabled: true, instances: [{ name: "kodi", url: "ws://127.0.0.1:9/jsonrpc" }] },
        plex: { enabled: true },
      });
      const run = await cli(["run", "--config", other.configFile, "--state-dir", other.stateDir], {}, (out) => out.includes('"msg":"ready"'));
      expect(run.stdout).toContain('"msg":"ready"');
      expect(ours(run.modules)).toEqual(expect.arrayContaining(["src/daemon/daemon.ts", "src/players/kodi/adapter.ts", "src/players/plex/index.ts"]));
      expect(run.modules.filter((m) => /\/src\/(emulator|demo|doctor|notify|dashboard)\/|\/node_modules\/qrcode\//.test(m))).toEqual([]);
    } finally {
      await other.remove();
    }
  });

  it("run loads the dashboard on its first request, and nothing of the QR code or the doctor until they are used", async () => {
    const other = await makeDaemonDirs();
    try {
      await writeConfig(other.configFile, { secrets: { store: "file" }, server: { host: "127.0.0.1", port: 0 }, mpv: { enabled: false }, kodi: { enabled: false } });
      let page = "";
      const run = await cli(
        ["run", "--config", other.configFile, "--state-dir", other.stateDir],
        {},
        (out) => out.includes('"msg":"ready"'),
        async (out) => {
          const port = /"port":(\d+)[^\n]*"msg":"HTTP server listening"/.exec(out)?.[1];
          page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
        },
      );
      expect(page).toContain("<title>trakt-scrobblerd</title>");
      expect(ours(run.modules)).toEqual(expect.arrayContaining(["src/dashboard/routes.ts", "src/dashboard/state.ts"]));
      expect(run.modules.filter((m) => /\/src\/doctor\/|\/node_modules\/qrcode\//.test(m))).toEqual([]);
    } finally {
      await other.remove();
    }
  });

  it("--help still lists every command with its description", async () => {
    const run = await cli(["--help"], {});
    const commands = buildProgram().commands;
    expect(commands.length).toBeGreaterThanOrEqual(11);
    for (const command of commands) {
      expect(run.stdout).toContain(command.name());
      expect(run.stdout.replace(/\s+/g, " ")).toContain(command.description().slice(0, 40));
    }
    // Help is registration only: no command's work was loaded to print it.
    expect(ours(run.modules).filter((m) => m.startsWith("src/cli/actions/"))).toEqual([]);
  });
});
