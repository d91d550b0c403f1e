// The dashboard's cost (issue 18). Two questions:
//  1. Does a daemon nobody looks at pay for the dashboard? `trakt-scrobblerd run` of this checkout and of the commit
//     before issue 18 (checked out with `git archive`, built with this checkout's tsc and node_modules) run side by
//     side with the same config — Kodi, mpv and Plex configured, nothing playing — and their RSS is read at the same
//     moments from /proc after they settled. Goal: no growth.
//  2. What does opening it cost? The first view in real headless Chromium: bytes transferred (page, stylesheet,
//     script, icon, the first state over the event stream), and the daemon's RSS once the page was opened.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { startTraktEmulator, type Emulator } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { hasChromium, launchBrowser } from "../test/support/browser.js";
import { REPO, stopChild } from "./lib/child.js";
import { fmtMB, memoryOf } from "./lib/proc.js";
import { QUICK, type BenchRow } from "./lib/row.js";
import { freePort } from "../test/support/free-port.js";
import { median } from "./lib/stats.js";

const execFileP = promisify(execFile);
/** main when this branch started: the last commit before issue 18 (the activity stream's contract, nothing wired). */
const BEFORE_ISSUE_18 = "a128848";
const SETTLE_MS = 5_000;
const SAMPLES = QUICK ? 3 : 10;
const SAMPLE_GAP_MS = QUICK ? 1_000 : 3_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The commit before issue 18, built in a temporary directory; undefined when git or the commit is not there. */
async function buildBefore(dir: string): Promise<string | undefined> {
  try {
    await execFileP("sh", ["-c", `git -C "${REPO}" archive ${BEFORE_ISSUE_18} | tar -x -C "${dir}"`]);
  } catch {
    return undefined;
  }
  await symlink(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  await execFileP(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: dir });
  return path.join(dir, "bin", "trakt-scrobblerd.js");
}

/** A daemon with Kodi (not running: reconnect backoff), mpv and Plex configured, a logged-in account. */
async function startDaemon(bin: string, dir: string, emulator: Emulator): Promise<{ child: ChildProcess; port: number }> {
  const stateDir = path.join(dir, "state");
  const socketDir = path.join(dir, "mpv");
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
  const port = await freePort();
  const configFile = path.join(dir, "config.yaml");
  await writeFile(
    configFile,
    stringify({
      stateDir,
      trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
      secrets: { store: "file" },
      server: { host: "127.0.0.1", port },
      mpv: { enabled: true, socketDir },
      kodi: { enabled: true, instances: [{ name: "living-room", url: `ws://127.0.0.1:${await freePort()}/jsonrpc` }] },
      plex: { enabled: true, webhookSecret: "bench-webhook-secret-0123456789", defaultAccount: "default" },
    }),
  );
  const child = spawn(process.execPath, [bin, "run", "--config", configFile], { cwd: path.dirname(path.dirname(bin)), stdio: "ignore" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.text();
      if (res.ok) return { child, port };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the daemon (${bin}) did not come up`);
    await sleep(100);
  }
}

/** The first view in Chromium: bytes over the wire per request, and the first state message on the event stream. */
async function firstView(base: string): Promise<{ total: number; parts: string[] }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ mobile: true });
    const sizes: { name: string; bytes: number }[] = [];
    page.on("requestfinished", (request) => {
      if (new URL(request.url()).pathname === "/api/state") return; // the measuring request below
      void request.sizes().then((s) => sizes.push({ name: new URL(request.url()).pathname, bytes: s.responseHeadersSize + s.responseBodySize }));
    });
    let firstState = 0;
    page.on("response", (response) => {
      if (new URL(response.url()).pathname === "/api/events") void response.headersArray().then((h) => (firstState += h.reduce((n, x) => n + x.name.length + x.value.length + 4, 0)));
    });
    await page.goto(base);
    await page.waitForSelector("#live.on");
    // The event stream never finishes: its first message is measured as the page received it.
    firstState += await page.evaluate(async () => {
      const res = await fetch("/api/state");
      return (await res.text()).length + "event: state\ndata: \n\n".length + "retry: 3000\n\n".length;
    });
    await page.waitForLoadState("networkidle");
    const parts = sizes.map((s) => `${s.name} ${(s.bytes / 1024).toFixed(1)}`);
    parts.push(`events ${(firstState / 1024).toFixed(1)}`);
    return { total: sizes.reduce((n, s) => n + s.bytes, 0) + firstState, parts };
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rssGoal = "no growth (≤ +1 MB)";
  const weightGoal = "a few tens of KB (≤ 50 KB)";
  await execFileP("npm", ["run", "build"], { cwd: REPO });
  const now = path.join(REPO, "bin", "trakt-scrobblerd.js");
  const work = await mkdtemp(path.join(tmpdir(), "tsd-bench-dashboard-"));
  const emulator = await startTraktEmulator();
  const children: ChildProcess[] = [];
  try {
    const beforeDir = path.join(work, "before");
    await mkdir(beforeDir);
    const before = await buildBefore(beforeDir);
    const current = await startDaemon(now, path.join(work, "now"), emulator);
    children.push(current.child);
    const rows: BenchRow[] = [];
    if (before && existsSync(before)) {
      const old = await startDaemon(before, path.join(work, "before-run"), emulator);
      children.push(old.child);
      await sleep(SETTLE_MS);
      const samples = { now: [] as number[], before: [] as number[] };
      for (let i = 0; i < SAMPLES; i++) {
        samples.now.push(memoryOf(current.child.pid!).rss);
        samples.before.push(memoryOf(old.child.pid!).rss);
        await sleep(SAMPLE_GAP_MS);
      }
      const rss = { now: median(samples.now), before: median(samples.before) };
      const growth = rss.now - rss.before;
      rows.push({
        metric: `idle RSS of run, dashboard unused: now vs before issue 18 (${BEFORE_ISSUE_18}), median of ${SAMPLES}`,
        value: `${fmtMB(rss.now)} vs ${fmtMB(rss.before)} (${growth >= 0 ? "+" : ""}${fmtMB(growth)})`,
        goal: rssGoal,
        ok: growth <= 1024 * 1024,
      });
      await stopChild(old.child);
    } else {
      rows.push({ metric: "idle RSS of run, dashboard unused: now vs before issue 18", value: `not measured: commit ${BEFORE_ISSUE_18} not in this checkout`, goal: rssGoal });
    }

    if (!hasChromium) {
      rows.push({ metric: "page weight, first view", value: "not measured: chromium not installed", goal: weightGoal });
      return rows;
    }
    const base = `http://127.0.0.1:${current.port}`;
    const unused = memoryOf(current.child.pid!).rss;
    const view = await firstView(base);
    rows.push({ metric: "page weight, first view (bytes transferred, gzip)", value: `${(view.total / 1024).toFixed(1)} KB`, goal: weightGoal, ok: view.total <= 50 * 1024 });
    rows.push({ metric: `  per request (KB): ${view.parts.join(", ")}`, value: "", goal: "" });
    await sleep(SETTLE_MS);
    const opened = memoryOf(current.child.pid!).rss;
    rows.push({ metric: "  RSS of run after the dashboard was opened once (loaded on demand)", value: `${fmtMB(opened)} (${fmtMB(opened - unused)} more)`, goal: "" });
    return rows;
  } finally {
    for (const child of children) await stopChild(child);
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  }
}
