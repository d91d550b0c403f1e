// `trakt-scrobblerd doctor`: each check against real things — the Trakt emulator, a fake Kodi WebSocket server, a
// real mpv, a real daemon — and the CLI's exit code as a child process.
import { execFile, spawn } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { systemPathContext } from "../../src/config/paths.js";
import { defaultConfig, type Config } from "../../src/config/schema.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { checkAccounts, checkSecretStore } from "../../src/doctor/accounts.js";
import { checkConfig } from "../../src/doctor/config.js";
import { checkDaemon } from "../../src/doctor/daemon.js";
import { checkKodi } from "../../src/doctor/kodi.js";
import { checkMpv } from "../../src/doctor/mpv.js";
import { checkPlex, checkPlexServers } from "../../src/doctor/plex.js";
import { renderResult, runDoctor } from "../../src/doctor/run.js";
import { checkStateDir } from "../../src/doctor/state-dir.js";
import { checkClientId, checkTraktReachable } from "../../src/doctor/trakt.js";
import type { CheckResult } from "../../src/doctor/types.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { openSecretStore } from "../../src/secrets/select.js";
import { silentLogger } from "../../src/util/log.js";
import { FakeKodi, startSilentTcpServer } from "../players/kodi/fake-kodi.js";
import { hasMpv, MpvController } from "../support/mpv.js";
import { FakePlex, OWNER_TOKEN, SHARED_TOKEN } from "../support/fake-plex.js";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const noEnv = systemPathContext({});

let emulator: Emulator;
let root: string;
/** An unprivileged uid without a passwd entry, for checks root would pass (root reads any directory). */
const OTHER_UID = 61_935;

/** checkMpv in a child process running as `uid` (needs root): the parents of `dir` are made searchable for it. */
async function checkMpvAsUid(uid: number, dir: string): Promise<CheckResult[]> {
  await chmod(root, 0o755);
  const module = new URL("../../src/doctor/mpv.ts", import.meta.url).href;
  const script = `const { checkMpv } = await import(${JSON.stringify(module)});
    console.log(JSON.stringify(await checkMpv({ enabled: true, sockets: [], socketDir: ${JSON.stringify(dir)} }, { stateDir: ${JSON.stringify(root)} })));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    uid,
    gid: uid,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as CheckResult[];
}
let kodi: FakeKodi;

beforeAll(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  kodi = await FakeKodi.start();
  root = await mkdtemp(join(tmpdir(), "doctor-test-"));
});
afterAll(async () => {
  await kodi?.close();
  await emulator?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

let counter = 0;
/** A fresh state dir (0700, like mkdtemp) and config file for one case. */
async function setup(config: Record<string, unknown>, options: { login?: boolean } = {}): Promise<{ stateDir: string; configFile: string }> {
  const dir = join(root, `case-${++counter}`);
  const stateDir = join(dir, "state");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const configFile = join(dir, "config.yaml");
  await writeFile(configFile, stringify(config));
  if (options.login) {
    const store = await openSecretStore({ mode: "file", stateDir });
    await store.set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
  }
  return { stateDir, configFile };
}

function traktAt(e: Emulator): Record<string, unknown> {
  return { apiUrl: e.url, clientId: e.clientId, clientSecret: e.clientSecret };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function config(patch: Partial<Config>): Config {
  return { ...defaultConfig(), ...patch };
}

function byCheck(results: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((r) => [r.check, r]));
}

describe("doctor against a healthy setup", () => {
  it("passes every check with the emulator, a logged-in account, a Kodi answering Ping, a real mpv and the daemon running", async (ctx) => {
    const mpvDir = join(root, "mpv-healthy");
    await mkdir(mpvDir, { mode: 0o700 });
    let mpv: ReturnType<typeof spawn> | undefined;
    if (hasMpv) {
      mpv = spawn("mpv", ["--no-config", "--idle=yes", "--vo=null", "--ao=null", "--really-quiet", `--input-ipc-server=${join(mpvDir, "tv.sock")}`], { stdio: "ignore" });
      const exited = new Promise<void>((done) => mpv?.once("exit", () => done()));
      (await MpvController.connect(join(mpvDir, "tv.sock"), exited)).close();
    } else {
      console.log("SKIPPED (mpv part): mpv not installed");
    }
    const { stateDir, configFile } = await setup(
      {
        trakt: traktAt(emulator),
        secrets: { store: "file" },
        server: { host: "127.0.0.1", port: 0 },
        kodi: { instances: [{ name: "living-room", url: kodi.url }] },
        mpv: { socketDir: mpvDir },
        plex: { enabled: false },
        log: { level: "silent" },
      },
      { login: true },
    );
    const daemon = await Daemon.start({ configFile, stateDir, context: noEnv, watchConfig: false, logger: silentLogger() });
    ctx.onTestFinished(async () => {
      await daemon.stop(500);
      mpv?.kill("SIGKILL");
    });
    const lines: string[] = [];
    const results = await runDoctor({ configFile, stateDir, context: noEnv, daemonUrl: `http://127.0.0.1:${daemon.httpPort}`, onResult: (r) => lines.push(renderResult(r)) });
    const checks = byCheck(results);
    expect(results.filter((r) => r.status === "fail" || r.status === "warn"), lines.join("\n")).toEqual([]);
    expect(checks["account default"]?.message).toContain("Trakt accepts the token");
    expect(checks["account default"]?.message).toContain("user alice");
    expect(checks["kodi living-room"]?.status).toBe("pass");
    expect(checks.daemon?.message).toContain("ready");
    expect(checks.plex?.status).toBe("skip");
    if (hasMpv) expect(checks[`mpv ${join(mpvDir, "tv.sock")}`]?.message).toMatch(/mpv .* answers/);
    expect(lines.length).toBe(results.length);

    // The same through the CLI: exit 0, and the summary says so.
    const run = await cli(["--config", configFile, "--state-dir", stateDir, "doctor", "--url", `http://127.0.0.1:${daemon.httpPort}`]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("[PASS] account default: ok (user alice");
    expect(run.stdout).toMatch(/\nAll checks passed\.\n$/);
  });
});

describe("config, client id and Trakt reachability", () => {
  it("an invalid config fails with the file and line, and nothing else is checked", async () => {
    const { configFile, stateDir } = await setup({ server: { port: "lots" } });
    const results = await runDoctor({ configFile, stateDir, context: noEnv });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ check: "config", status: "fail" });
    expect(results[0]?.message).toContain(`${configFile}:`);
    expect(results[0]?.message).toContain("server.port");
  });

  it("says which file and which environment variables were used", async () => {
    const { configFile, stateDir } = await setup({ trakt: traktAt(emulator) });
    const { result } = checkConfig({ configFile, stateDir, context: systemPathContext({ TRAKT_SCROBBLERD_PORT: "9999" }) });
    expect(result.status).toBe("pass");
    expect(result.message).toContain(`${configFile} (--config)`);
    expect(result.message).toContain("TRAKT_SCROBBLERD_PORT");
  });

  it("warns about keys the file sets that are no longer used, naming each", async () => {
    const { configFile, stateDir } = await setup({ trakt: traktAt(emulator), schedules: { outboxDrain: "* * * * *" } });
    const { result } = checkConfig({ configFile, stateDir, context: noEnv });
    expect(result.status).toBe("warn");
    expect(result.message).toMatch(/:\d+: schedules\.outboxDrain: No longer used/);
    expect(result.hint).toContain("remove");
  });

  it("a missing client id fails with where to get one", () => {
    const r = checkClientId(config({}).trakt);
    expect(r.status).toBe("fail");
    expect(r.hint).toContain("https://app.trakt.tv/settings/apps/api");
    expect(r.hint).toContain("TRAKT_CLIENT_ID");
  });

  it("the emulator passes; a wrong client id fails as refused (403), not as a network problem", async () => {
    const ok = await checkTraktReachable({ ...config({}).trakt, ...traktAt(emulator) });
    expect(ok.status).toBe("pass");
    const wrong = await checkTraktReachable({ ...config({}).trakt, apiUrl: emulator.url, clientId: "not-my-app" });
    expect(wrong).toMatchObject({ status: "fail", message: expect.stringContaining("refused the client id (HTTP 403)") as unknown });
  });

  it("an app Trakt deleted (free accounts, 31 July 2026) and a 426 are named in plain words", async () => {
    emulator.injectFault({ type: "app_deleted" });
    const deleted = await checkTraktReachable({ ...config({}).trakt, ...traktAt(emulator) });
    expect(deleted).toMatchObject({ status: "fail", message: expect.stringContaining("the app was deleted (free accounts' apps, 31 July 2026) or the id is wrong") as unknown });
    expect(deleted.hint).toContain("Since 31 July 2026 creating a Trakt API app needs VIP");
    emulator.injectFault({ type: "vip_required" });
    const vip = await checkTraktReachable({ ...config({}).trakt, ...traktAt(emulator) });
    expect(vip).toMatchObject({ status: "fail", message: expect.stringContaining("426: Trakt VIP required") as unknown });
    expect(checkClientId(config({}).trakt).hint).toContain("this needs Trakt VIP since 31 July 2026");
  });

  it("a closed port fails as connection refused, an unresolvable host as DNS", async () => {
    const port = await closedPort();
    const refused = await checkTraktReachable({ ...config({}).trakt, apiUrl: `http://127.0.0.1:${port}`, clientId: "x" });
    expect(refused).toMatchObject({ status: "fail", message: `connection refused by 127.0.0.1:${port}` });
    const dns = await checkTraktReachable({ ...config({}).trakt, apiUrl: "http://api.trakt.invalid", clientId: "x" }, 5_000);
    expect(dns.status).toBe("fail");
    expect(dns.message).toMatch(/^cannot resolve api\.trakt\.invalid/);
    expect(dns.hint).toContain("DNS");
    // https:// to a plain-HTTP server: the TLS handshake fails, which is neither DNS nor a refused connection.
    const tls = await checkTraktReachable({ ...config({}).trakt, apiUrl: emulator.url.replace("http://", "https://"), clientId: "x" });
    expect(tls).toMatchObject({ status: "fail", message: expect.stringMatching(/^TLS failed with 127\.0\.0\.1:\d+/) as unknown });
    expect(tls.hint).toContain("CA certificates");
  });

  it("the CLI exits 1 when a check fails (no client id) and prints the hint", async () => {
    const { configFile, stateDir } = await setup({ kodi: { enabled: false }, mpv: { enabled: false }, plex: { enabled: false } });
    const run = await cli(["--config", configFile, "--state-dir", stateDir, "doctor", "--url", `http://127.0.0.1:${await closedPort()}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("[FAIL] trakt client id: no Trakt client id configured");
    expect(run.stdout).toContain("→ create an API app at https://app.trakt.tv/settings/apps/api");
    expect(run.stdout).toMatch(/\d+ problem\(s\) to fix/);

    const json = await cli(["--config", configFile, "--state-dir", stateDir, "doctor", "--json", "--url", `http://127.0.0.1:${await closedPort()}`]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as CheckResult[];
    expect(parsed.find((r) => r.check === "trakt client id")).toMatchObject({ status: "fail", hint: expect.stringContaining("TRAKT_CLIENT_ID") as unknown });
  });
});

describe("state dir, secret store and accounts", () => {
  it("a missing dir is a warning (the daemon creates it); open permissions warn; a file fails", async () => {
    const missing = await checkStateDir(join(root, "nope", "state"));
    expect(missing).toMatchObject({ status: "warn", message: expect.stringContaining("does not exist yet") as unknown });
    const open = join(root, "open-state");
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    expect(await checkStateDir(open)).toMatchObject({ status: "warn", hint: `chmod 700 ${open}: it holds your Trakt tokens and watch queue` });
    const file = join(root, "a-file");
    await writeFile(file, "");
    expect((await checkStateDir(file)).status).toBe("fail");
  });

  it("a dir owned by another user warns when checked as root (permissions differ for the daemon)", async (ctx) => {
    if (process.getuid?.() !== 0) {
      console.log("SKIPPED: needs root to give a directory to another user");
      ctx.skip();
    }
    const dir = join(root, "someone-elses");
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, 12345, 12345);
    expect(await checkStateDir(dir)).toMatchObject({ status: "warn", message: expect.stringContaining("belongs to uid 12345") as unknown });
  });

  it("an account with no tokens fails with the login command; an expired one warns; a revoked one warns", async () => {
    const { stateDir } = await setup({}, { login: true });
    const cfg = config({ trakt: { ...config({}).trakt, ...traktAt(emulator) }, secrets: { store: "file" } });
    const { store, result } = await checkSecretStore(cfg, stateDir);
    expect(result.status).toBe("pass");
    if (!store) throw new Error("no store");
    const expired = emulator.issueTokens();
    await store.set("old", { tokens: { ...expired, created_at: expired.created_at - 8 * 86_400 }, updatedAt: new Date().toISOString() });
    const revoked = emulator.issueTokens();
    emulator.revokeAccessToken(revoked.access_token);
    await store.set("revoked", { tokens: revoked, updatedAt: new Date().toISOString() });
    const results = byCheck(await checkAccounts(store, ["default", "old", "revoked", "tv"], cfg.trakt, { timeoutMs: 3_000 }));
    expect(results["account default"]?.status).toBe("pass");
    expect(results["account tv"]).toMatchObject({ status: "fail", hint: "run `trakt-scrobblerd login --account tv`" });
    expect(results["account old"]).toMatchObject({ status: "warn", message: expect.stringContaining("access token expired") as unknown });
    expect(results["account revoked"]).toMatchObject({ status: "warn", message: expect.stringContaining("HTTP 401") as unknown });
  });
});

describe("players", () => {
  it("Kodi: a server answering Ping passes; a closed port, a silent server and a plain HTTP server fail with hints", async () => {
    expect(await checkKodi({ name: "k", url: kodi.url })).toMatchObject({ status: "pass" });
    expect(kodi.count("JSONRPC.Ping")).toBeGreaterThan(0);

    const port = await closedPort();
    const refused = await checkKodi({ name: "k", url: `ws://127.0.0.1:${port}/jsonrpc` });
    expect(refused).toMatchObject({ status: "fail", message: `connection refused by 127.0.0.1:${port}` });
    expect(refused.hint).toContain("Allow remote control");

    const silent = await startSilentTcpServer();
    const http = createHttpServer((_req, res) => res.writeHead(200).end("Kodi web interface"));
    await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
    try {
      const hung = await checkKodi({ name: "k", url: `ws://127.0.0.1:${silent.port}/jsonrpc` }, 300);
      expect(hung).toMatchObject({ status: "fail", message: expect.stringContaining("within 300 ms") as unknown });
      const web = await checkKodi({ name: "k", url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/jsonrpc` });
      expect(web).toMatchObject({ status: "fail", message: expect.stringContaining("answers HTTP 200") as unknown });
      expect(web.hint).toContain("9090");
    } finally {
      await silent.close();
      await new Promise<void>((done) => http.close(() => done()));
    }
  });

  it("mpv: a missing socket dir warns with the input-ipc-server hint; an empty one warns; a stale socket warns", async () => {
    const missing = join(root, "no-mpv-dir");
    const [dirResult] = await checkMpv({ ...config({}).mpv, socketDir: missing }, { stateDir: root });
    expect(dirResult).toMatchObject({ check: "mpv socket dir", status: "warn", message: `${missing} does not exist` });
    expect(dirResult?.hint).toContain(`--input-ipc-server=${join(missing, "<name>")}`);

    const empty = join(root, "empty-mpv-dir");
    await mkdir(empty);
    expect((await checkMpv({ ...config({}).mpv, socketDir: empty }, { stateDir: root }))[0]).toMatchObject({ status: "warn", message: expect.stringContaining("holds no mpv socket") as unknown });

    const disabled = await checkMpv({ ...config({}).mpv, enabled: false }, { stateDir: root });
    expect(disabled).toEqual([expect.objectContaining({ status: "skip" })]);

    // The default directory follows $XDG_RUNTIME_DIR, as the adapter's does.
    const [fromEnv] = await checkMpv(config({}).mpv, { env: { XDG_RUNTIME_DIR: missing }, stateDir: root });
    expect(fromEnv?.message).toBe(`${join(missing, "mpv")} does not exist`);
  });

  it.skipIf(!hasMpv)("mpv: a killed mpv leaves a stale socket, reported as a warning", async () => {
    const dir = join(root, "stale-mpv");
    await mkdir(dir);
    const socket = join(dir, "a.sock");
    const mpv = spawn("mpv", ["--no-config", "--idle=yes", "--vo=null", "--ao=null", "--really-quiet", `--input-ipc-server=${socket}`], { stdio: "ignore" });
    const exited = new Promise<void>((done) => mpv.once("exit", () => done()));
    (await MpvController.connect(socket, exited)).close();
    mpv.kill("SIGKILL");
    await exited;
    const results = byCheck(await checkMpv({ ...config({}).mpv, socketDir: dir }, { stateDir: root }));
    expect(results["mpv socket dir"]?.status).toBe("pass");
    expect(results[`mpv ${socket}`]).toMatchObject({ status: "warn", message: `${socket}: stale socket, no mpv behind it` });
  });
  if (!hasMpv) console.log("SKIPPED: mpv not installed (stale socket case)");

  it("mpv: a directory this user cannot read fails", async () => {
    const dir = join(root, "locked-mpv");
    await mkdir(dir);
    await chmod(dir, 0o000);
    try {
      // Root reads any directory: as root (CI), the check runs in a child process as an unprivileged uid.
      const [r] = process.getuid?.() === 0 ? await checkMpvAsUid(OTHER_UID, dir) : await checkMpv({ ...config({}).mpv, socketDir: dir }, { stateDir: root });
      expect(r).toMatchObject({ status: "fail", message: expect.stringContaining("not readable by this user") as unknown });
    } finally {
      await chmod(dir, 0o700);
    }
  });

  it("Plex: no secret warns; a loopback bind warns that a remote Plex cannot post; 0.0.0.0 passes", () => {
    const base = config({});
    expect(checkPlex(base)).toEqual([expect.objectContaining({ check: "plex webhook", status: "warn" })]);
    const withSecret = { ...base, plex: { ...base.plex, webhookSecret: "0123456789abcdef0123" } };
    const loopback = byCheck(checkPlex(withSecret));
    expect(loopback["plex webhook"]?.status).toBe("pass");
    expect(loopback["plex webhook"]?.message).not.toContain("0123456789abcdef0123");
    expect(loopback["plex reachability"]).toMatchObject({ status: "warn", hint: expect.stringContaining("server.host: 0.0.0.0") as unknown });
    expect(byCheck(checkPlex({ ...withSecret, server: { ...withSecret.server, host: "0.0.0.0" } }))["plex reachability"]?.status).toBe("pass");
  });
});

describe("Plex servers (notification socket)", () => {
  it("passes with the owner's token; says what to do for a missing, refused or non-owner token and an unreachable server", async () => {
    const plex = await FakePlex.start();
    try {
      const base = config({}).plex;
      const server = { name: "home", url: plex.url };
      const pass = await checkPlexServers({ ...base, servers: [server], token: OWNER_TOKEN }, undefined, 2_000);
      expect(pass).toEqual([{ check: "plex server home", status: "pass", message: `Fake PMS (PMS 1.20.4.3517-ab5e1197c) at ${plex.url}: token valid, sees every user's sessions (0 playing now), notification socket open` }]);
      expect(JSON.stringify(pass)).not.toContain(OWNER_TOKEN);

      const [missing] = await checkPlexServers({ ...base, servers: [server] }, undefined, 2_000);
      expect(missing).toMatchObject({ status: "fail", message: `no token for ${plex.url}`, hint: expect.stringContaining("trakt-scrobblerd plex login --server home") as unknown });

      const store = await openSecretStore({ mode: "file", stateDir: join(root, "plex-doctor") });
      await store.serverTokens.set({ kind: "plex", server: "home" }, { token: OWNER_TOKEN, updatedAt: new Date().toISOString() });
      expect((await checkPlexServers({ ...base, servers: [server] }, store.serverTokens, 2_000))[0]?.status).toBe("pass");

      const [refused] = await checkPlexServers({ ...base, servers: [{ ...server, token: "revoked-token-123" }] }, undefined, 2_000);
      expect(refused).toMatchObject({ status: "fail", message: `${plex.url} refused the token (wrong or revoked)` });

      const [shared] = await checkPlexServers({ ...base, servers: [{ ...server, token: SHARED_TOKEN }] }, undefined, 2_000);
      expect(shared?.message).toContain("may not list other users' sessions (/status/sessions needs the server owner's token)");

      const [down] = await checkPlexServers({ ...base, servers: [{ name: "cabin", url: `http://127.0.0.1:${await closedPort()}`, token: OWNER_TOKEN }] }, undefined, 2_000);
      expect(down).toMatchObject({ check: "plex server cabin", status: "fail", message: expect.stringContaining("connection refused") as unknown });
      // Webhooks are optional when servers are followed.
      expect(checkPlex({ ...config({}), plex: { ...base, servers: [server] } })).toEqual([expect.objectContaining({ check: "plex webhook", status: "skip" })]);
    } finally {
      await plex.close();
    }
  });
});

describe("the daemon", () => {
  it("not running warns how to start it; running without a logged-in account warns not ready, with the reason", async (ctx) => {
    const down = await checkDaemon({ host: "127.0.0.1", port: await closedPort() });
    expect(down).toMatchObject({ status: "warn", message: expect.stringContaining("not running") as unknown });

    const { configFile, stateDir } = await setup({
      trakt: traktAt(emulator),
      secrets: { store: "file" },
      server: { host: "127.0.0.1", port: 0 },
      kodi: { enabled: false },
      mpv: { enabled: false },
      plex: { enabled: false },
    });
    const daemon = await Daemon.start({ configFile, stateDir, context: noEnv, watchConfig: false, logger: silentLogger() });
    ctx.onTestFinished(() => daemon.stop(500));
    const notReady = await checkDaemon({ host: "127.0.0.1", port: daemon.httpPort });
    expect(notReady).toMatchObject({ status: "warn", message: expect.stringContaining('account "default" needs login') as unknown });
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", join(repoRoot, "src/cli/entry.ts"), ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", HOME: tmpdir() }, timeout: 30_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
