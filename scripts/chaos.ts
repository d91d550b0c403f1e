// `npm run chaos`: the real daemon process (`trakt-scrobblerd run`) with real mpv players and Plex webhooks, against
// the Trakt emulator (in this process) injecting 5xx, 429 with and without Retry-After, dropped connections, slow
// answers and a long outage, while the daemon is SIGKILLed and restarted at random. Then every watch that was
// completed while the daemon could see it is looked up in the emulator's history: delivered, duplicated, lost, and
// the worst watched_at error. Goal: 0 lost, 0 duplicated.
//
// Short form by default (≈ 20 watches, 5 kills, CI); CHAOS_LONG=1 for ≥ 200 watches and ≥ 20 kills.
// Overrides: CHAOS_WATCHES, CHAOS_KILLS, CHAOS_SEED, CHAOS_KEEP=1 (keep the temp dir and daemon logs).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { catalogue, startTraktEmulator, type Emulator, type Fault } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { fixturePath } from "../test/support/fixtures.js";
import { freePort } from "../test/support/free-port.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = path.join(REPO, "bin", "trakt-scrobblerd.js");
const PLEX_FIXTURES = fixturePath("plex");

export interface ChaosOptions {
  /** The CLI launcher to run (default: this checkout's bin/trakt-scrobblerd.js, after `npm run build`). */
  bin: string;
  watches: number;
  kills: number;
  seed: number;
  /** How many watches play at once. */
  parallel: number;
  /** Length of the long outage. */
  outageMs: number;
  /** After the workload: how long to wait for the outbox to empty. */
  drainTimeoutMs: number;
  keep: boolean;
  log: (line: string) => void;
}

export interface ChaosResult {
  completed: number;
  delivered: number;
  duplicated: number;
  lost: number;
  worstWatchedAtErrorMs: number;
  /** Watches that ended while the daemon was down (nobody could see them): not counted. */
  unobservable: number;
  /** Plex webhooks refused (e.g. 404 while the daemon was starting) or cut off by a kill: Plex does not retry. */
  refusedWebhooks: number;
  kills: number;
  faultsInjected: number;
  historyEntries: number;
  byPlayer: Record<string, { completed: number; delivered: number; lost: number }>;
  lostWatches: string[];
  /** Items with more history entries than watches: their watches' ends and the entries' watched_at. */
  duplicateDetails: string[];
  dir: string;
}

export function chaosOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const long = env.CHAOS_LONG === "1";
  return {
    bin: BIN,
    watches: Number(env.CHAOS_WATCHES ?? (long ? 200 : 20)),
    kills: Number(env.CHAOS_KILLS ?? (long ? 20 : 5)),
    seed: Number(env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31)),
    parallel: long ? 4 : 3,
    outageMs: long ? 60_000 : 15_000,
    drainTimeoutMs: long ? 300_000 : 90_000,
    keep: env.CHAOS_KEEP === "1",
    log: (line) => console.log(`[chaos ${new Date().toISOString().slice(11, 23)}] ${line}`),
  };
}

/** Small seeded PRNG (mulberry32), so a run's choices can be replayed with CHAOS_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && existsSync(path.join(dir, name)));
}

// ---- the daemon process ------------------------------------------------------------------------------------------

/** Whether `run` is implemented in the built CLI (before issue 9 lands it prints "not implemented"). */
export async function runAvailable(bin = BIN): Promise<boolean> {
  const dist = path.join(path.dirname(bin), "..", "dist");
  if (!existsSync(path.join(dist, "cli", "main.js"))) return false;
  try {
    const { stdout } = await run(process.execPath, [bin, "run", "--help"], { cwd: REPO, timeout: 20_000 });
    const source = await readFile(path.join(dist, "cli", "actions", "run.js"), "utf8");
    return stdout.includes("run") && !source.includes("not implemented yet");
  } catch {
    return false;
  }
}

class DaemonProcess {
  child: ChildProcess | undefined;
  /** [start, end) intervals (ms since epoch) in which the daemon was up and serving. */
  readonly up: { from: number; to: number | undefined }[] = [];
  starts = 0;

  constructor(
    private readonly bin: string,
    private readonly configFile: string,
    private readonly logFile: string,
    private readonly baseUrl: string,
  ) {}

  async start(): Promise<void> {
    this.starts++;
    await appendFile(this.logFile, `\n===== start ${this.starts} at ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, [this.bin, "run", "--config", this.configFile], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.child = child;
    const write = (chunk: Buffer): void => void appendFile(this.logFile, chunk).catch(() => undefined);
    child.stdout?.on("data", write);
    child.stderr?.on("data", write);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`daemon exited (${child.exitCode ?? child.signalCode}) while starting; see ${this.logFile}`);
      if (await this.healthy()) {
        this.up.push({ from: Date.now(), to: undefined });
        return;
      }
      await sleep(50);
    }
    throw new Error(`daemon not healthy within 30 s; see ${this.logFile}`);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.text();
      return res.ok;
    } catch {
      return false;
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, "exit");
    const last = this.up[this.up.length - 1];
    if (last && last.to === undefined) last.to = Date.now();
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Was the daemon up during the whole of [from, to]? */
  upDuring(from: number, to: number): boolean {
    return this.up.some((u) => u.from <= from && (u.to ?? Number.POSITIVE_INFINITY) >= to);
  }

  async metric(name: string): Promise<number | undefined> {
    try {
      const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return line === undefined ? undefined : Number(line.split(" ").pop());
    } catch {
      return undefined;
    }
  }
}

// ---- the workload ------------------------------------------------------------------------------------------------

interface Item {
  type: "movie" | "episode";
  traktId: number;
  label: string;
  /** For mpv: a file name the identifier resolves; for Plex: the payload's Metadata. */
  fileName?: string;
  plexMetadata: Record<string, unknown>;
}

function items(): Item[] {
  const out: Item[] = [];
  for (const m of catalogue.movies) {
    const guids = [m.ids.imdb && `imdb://${m.ids.imdb}`, m.ids.tmdb && `tmdb://${m.ids.tmdb}`].filter(Boolean).map((id) => ({ id }));
    out.push({
      type: "movie",
      traktId: m.ids.trakt,
      label: `${m.title} (${m.year})`,
      fileName: `${m.title.replace(/[^A-Za-z0-9]+/g, ".").replace(/\.+$/, "")}.${m.year}.1080p.BluRay.x264.mkv`,
      plexMetadata: { librarySectionType: "movie", type: "movie", title: m.title, year: m.year, duration: m.runtime * 60_000, Guid: guids },
    });
  }
  for (const s of catalogue.shows) {
    for (const e of s.episodes) {
      // Episodes without external ids go by show title, season and number (as Plex's legacy agents send them).
      const guids = [e.ids.imdb && `imdb://${e.ids.imdb}`, e.ids.tmdb && `tmdb://${e.ids.tmdb}`, e.ids.tvdb && `tvdb://${e.ids.tvdb}`].filter(Boolean).map((id) => ({ id }));
      out.push({
        type: "episode",
        traktId: e.ids.trakt,
        label: `${s.title} ${e.season}x${e.number}`,
        fileName: `${s.title.replace(/[^A-Za-z0-9]+/g, ".").replace(/\.+$/, "")}.S${String(e.season).padStart(2, "0")}E${String(e.number).padStart(2, "0")}.720p.WEB.x264.mkv`,
        plexMetadata: {
          librarySectionType: "show",
          type: "episode",
          title: e.title,
          grandparentTitle: s.title,
          parentIndex: e.season,
          index: e.number,
          year: s.year,
          duration: s.runtime * 60_000,
          Guid: guids,
        },
      });
    }
  }
  return out;
}

interface Watch {
  n: number;
  player: "mpv" | "plex";
  item: Item;
  startedAt: number;
  /** When playback really ended (ms since epoch); undefined if it never did. */
  endedAt?: number;
  /** The daemon could see the end (up from the end until shortly after): it must be delivered. */
  observable?: boolean;
  /** A Plex webhook of this watch failed: the daemon may or may not have acted on it, so it may be delivered or not. */
  uncertain?: boolean;
}

/** Media by ffmpeg: tiny, 1 fps, a keyframe each second, silent track so mpv has a clock. */
async function makeMedia(file: string, seconds: number): Promise<void> {
  await run("ffmpeg", [
    "-v", "error", "-y",
    "-f", "lavfi", "-i", `testsrc=size=64x36:rate=1:duration=${seconds}`,
    "-f", "lavfi", "-i", `anullsrc=r=8000:cl=mono`,
    "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "1", "-c:a", "aac", "-shortest",
    file,
  ]);
}

async function playMpv(socketDir: string, mediaFile: string, n: number, speed: number): Promise<number> {
  const socket = path.join(socketDir, `chaos-${n}.sock`);
  const mpv = spawn("mpv", [
    "--no-config", "--really-quiet", "--vo=null", "--ao=null", "--no-terminal", "--idle=no", "--keep-open=no",
    `--input-ipc-server=${socket}`, `--speed=${speed}`, mediaFile,
  ], { stdio: "ignore" });
  const [code] = (await once(mpv, "exit")) as [number | null];
  const endedAt = Date.now();
  if (code !== 0) throw new Error(`mpv exited with ${code}`);
  return endedAt;
}

class RefusedWebhook extends Error {}

async function postPlex(url: string, payload: unknown, daemon: DaemonProcess): Promise<void> {
  // Plex posts when the event happens; a daemon being restarted just then is waited for (as if Plex's event came a
  // moment later) and a connection that was refused is tried again — nothing was received. A post that got in and
  // then lost its answer (the daemon was killed meanwhile) is not repeated: Plex does not retry webhooks, and the
  // daemon may well have acted on it.
  for (let attempt = 0; attempt < 200; attempt++) {
    if (!daemon.running) {
      await sleep(100);
      continue;
    }
    const form = new FormData();
    form.set("payload", JSON.stringify(payload));
    try {
      const res = await fetch(url, { method: "POST", body: form, signal: AbortSignal.timeout(5_000) });
      await res.text();
      if (res.status === 200 || res.status === 204) return;
      throw new RefusedWebhook(`Plex webhook answered ${res.status}`);
    } catch (error) {
      if (error instanceof RefusedWebhook) throw error;
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      if (code !== "ECONNREFUSED") throw new RefusedWebhook(`Plex webhook lost its answer (${typeof code === "string" ? code : (error as Error).message})`);
      await sleep(100);
    }
  }
  throw new Error("Plex webhook: daemon unreachable for too long");
}

async function playPlex(url: string, item: Item, n: number, daemon: DaemonProcess, random: () => number): Promise<number> {
  const base = JSON.parse(await readFile(path.join(PLEX_FIXTURES, "movie.media.scrobble.plexagent-guidarray.json"), "utf8")) as Record<string, unknown>;
  const duration = item.plexMetadata.duration as number;
  const payload = (event: string, viewOffset: number): unknown => ({
    ...base,
    event,
    Account: { id: 1, title: "chaos" },
    Player: { local: true, title: `Chaos TV ${n}`, uuid: `chaos-player-${n}` },
    Metadata: { ...item.plexMetadata, ratingKey: `chaos-${n}`, viewOffset },
  });
  await postPlex(url, payload("media.play", 0), daemon);
  await sleep(500 + random() * 2_000);
  await postPlex(url, payload("media.scrobble", Math.round(duration * 0.91)), daemon);
  await sleep(200 + random() * 800);
  await postPlex(url, payload("media.stop", Math.round(duration * 0.96)), daemon);
  return Date.now();
}

// ---- faults ------------------------------------------------------------------------------------------------------

const WRITE_PATHS = /^\/(scrobble\/(start|pause|stop)|sync\/history)$/;

function randomFault(random: () => number): { fault: Fault; label: string } {
  const r = random();
  if (r < 0.25) {
    const status = [500, 502, 503, 504][Math.floor(random() * 4)]!;
    return { fault: { type: "status", status }, label: `${status}` };
  }
  if (r < 0.35) return { fault: { type: "cloudflare", status: 520 }, label: "520 html" };
  if (r < 0.5) {
    const sec = 1 + Math.floor(random() * 3);
    return { fault: { type: "rate_limit", retryAfterSec: sec }, label: `429 Retry-After ${sec}` };
  }
  if (r < 0.55) return { fault: { type: "rate_limit", retryAfterSec: null }, label: "429 bare" };
  if (r < 0.75) return { fault: { type: "drop" }, label: "drop" };
  const ms = 1_000 + Math.floor(random() * 9_000);
  return { fault: { type: "latency", ms }, label: ms > 5_000 ? "slow 5–10 s (past the client timeout)" : "slow 1–5 s" };
}

// ---- accounting --------------------------------------------------------------------------------------------------

function account(
  watches: Watch[],
  history: ReturnType<Emulator["history"]>,
  daemon: DaemonProcess,
): Omit<ChaosResult, "unobservable" | "refusedWebhooks" | "kills" | "faultsInjected" | "dir"> {
  const expected = watches.filter((w) => w.observable === true);
  const byItem = new Map<number, { watches: Watch[]; history: number[] }>();
  for (const w of expected) {
    const e = byItem.get(w.item.traktId) ?? { watches: [], history: [] };
    e.watches.push(w);
    byItem.set(w.item.traktId, e);
  }
  // Watches nobody could observe may still be delivered (the daemon saw most of it); they are not duplicates.
  const unobservedByItem = new Map<number, number>();
  for (const w of watches) if (w.endedAt !== undefined && w.observable === false) unobservedByItem.set(w.item.traktId, (unobservedByItem.get(w.item.traktId) ?? 0) + 1);
  for (const h of history) {
    const e = byItem.get(h.traktId) ?? { watches: [], history: [] };
    e.history.push(Date.parse(h.watchedAt));
    byItem.set(h.traktId, e);
  }
  let delivered = 0;
  let duplicated = 0;
  let lost = 0;
  let worst = 0;
  const lostWatches: string[] = [];
  const byPlayer: ChaosResult["byPlayer"] = {};
  const delivery = new Map<Watch, boolean>();
  const duplicateDetails: string[] = [];
  for (const [traktId, e] of byItem) {
    const ws = [...e.watches].sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    const hs = [...e.history].sort((a, b) => a - b);
    // Greedy in time order: each history entry takes the nearest unmatched watch of the same item.
    const used = new Set<number>();
    let unmatched = 0;
    for (const h of hs) {
      let best = -1;
      for (let i = 0; i < ws.length; i++) {
        if (used.has(i)) continue;
        if (best < 0 || Math.abs((ws[i]!.endedAt ?? 0) - h) < Math.abs((ws[best]!.endedAt ?? 0) - h)) best = i;
      }
      if (best < 0) {
        unmatched++;
        continue;
      }
      used.add(best);
      worst = Math.max(worst, Math.abs((ws[best]!.endedAt ?? 0) - h));
    }
    const unobserved = unobservedByItem.get(traktId) ?? 0;
    const extra = Math.max(0, unmatched - unobserved);
    duplicated += extra;
    if (extra > 0) {
      const iso = (t: number | undefined): string => new Date(t ?? 0).toISOString().slice(11, 23);
      duplicateDetails.push(
        `trakt id ${traktId}: watches ended ${ws.map((w) => `#${w.n} ${w.player} ${iso(w.endedAt)}`).join(", ")}; ${unobserved} unobserved; history watched_at ${hs.map((h) => iso(h)).join(", ")}`,
      );
    }
    ws.forEach((w, i) => delivery.set(w, used.has(i)));
  }
  for (const [w, ok] of delivery) {
    const p = (byPlayer[w.player] ??= { completed: 0, delivered: 0, lost: 0 });
    p.completed++;
    if (ok) {
      delivered++;
      p.delivered++;
    } else {
      lost++;
      p.lost++;
      const seen = daemon.upDuring(w.startedAt, w.endedAt ?? 0) ? "daemon up for the whole playback" : "daemon restarted during playback";
      lostWatches.push(`#${w.n} ${w.player} ${w.item.label} ${new Date(w.startedAt).toISOString()} → ${new Date(w.endedAt ?? 0).toISOString()} (${seen})`);
    }
  }
  return { completed: expected.length, delivered, duplicated, lost, worstWatchedAtErrorMs: worst, historyEntries: history.length, byPlayer, lostWatches, duplicateDetails };
}

// ---- the run -----------------------------------------------------------------------------------------------------

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log;
  const random = prng(options.seed);
  log(`seed ${options.seed}: ${options.watches} watches, ${options.kills} kills, ${options.parallel} at a time`);
  const dir = await mkdtemp(path.join(tmpdir(), "tsd-chaos-"));
  const stateDir = path.join(dir, "state");
  const socketDir = path.join(dir, "mpv-sockets");
  const mediaDir = path.join(dir, "media");
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await mkdir(mediaDir, { recursive: true });
  const emulator = await startTraktEmulator({ writeLimitMs: 200, duplicateScrobbleWindowMs: 0 });
  let daemon: DaemonProcess | undefined;
  const stopFaults = new AbortController();
  try {
    // Logged in: tokens in the file store, as `login` would leave them.
    await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens(), username: "alice", updatedAt: new Date().toISOString() });
    const port = await freePort();
    const secret = "chaos-webhook-secret-0123456789";
    const config = {
      stateDir,
      trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, timeoutMs: 5_000, writeSpacingMs: 200 },
      secrets: { store: "file" },
      log: { level: "debug" },
      server: { host: "127.0.0.1", port },
      // mpv plays at high speed and Plex jumps to 90 % within seconds: positions run ahead of the wall clock, so a
      // wide seek tolerance and no preview keep that from reading as seeking; no dedupe window, so every watch counts.
      scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0, seekDebounceSeconds: 0, seekToleranceSeconds: 86_400, dedupeWindowMinutes: 0 },
      mpv: { enabled: true, socketDir, progressIntervalSeconds: 1 },
      kodi: { enabled: false },
      plex: { enabled: true, webhookSecret: secret, defaultAccount: "default" },
    };
    const configFile = path.join(dir, "config.yaml");
    await writeFile(configFile, stringify(config));
    const base = `http://127.0.0.1:${port}`;
    daemon = new DaemonProcess(options.bin, configFile, path.join(dir, "daemon.log"), base);
    await daemon.start();
    log(`daemon up on ${base}; emulator ${emulator.url}; dir ${dir}`);

    // Media for the mpv watches: one 10-minute file per item, named so the identifier finds it.
    const all = items();
    const mpvItems = all.filter((i) => i.fileName !== undefined);
    const mediaSeconds = 600;
    const mediaFor = new Map<number, string>();
    const template = path.join(mediaDir, "template.mkv");
    await makeMedia(template, mediaSeconds);
    for (const item of mpvItems) {
      const file = path.join(mediaDir, item.fileName!);
      await run("cp", [template, file]);
      mediaFor.set(item.traktId, file);
    }

    // Faults: one every 1–4 s on the write paths (and history lookups), plus one long outage a third of the way in.
    let faultsInjected = 0;
    const faultLabels = new Map<string, number>();
    const faultLoop = (async () => {
      while (!stopFaults.signal.aborted) {
        await sleep(1_000 + random() * 3_000);
        if (stopFaults.signal.aborted) break;
        const { fault, label } = randomFault(random);
        emulator.injectFault(fault, { path: random() < 0.8 ? WRITE_PATHS : /^\/sync\/history/ });
        faultsInjected++;
        faultLabels.set(label, (faultLabels.get(label) ?? 0) + 1);
      }
    })();

    // Workload: `parallel` lanes, each playing watches one after another (mpv 60 %, Plex 40 %).
    const watches: Watch[] = [];
    let refusedWebhooks = 0;
    let next = 0;
    const mpvSpeed = 100;
    const lane = async (): Promise<void> => {
      while (next < options.watches) {
        const n = next++;
        const usePlex = random() < 0.4;
        // One list for both players, taken in turn: an item comes back only after all the others (a second watch of
        // the same item within minutes is a case the outbox's history check cannot tell apart; see docs/proof.md).
        const item = all[n % all.length]!;
        const watch: Watch = { n, player: usePlex ? "plex" : "mpv", item, startedAt: Date.now() };
        watches.push(watch);
        try {
          watch.endedAt = usePlex ? await playPlex(`${base}/plex/${secret}`, item, n, daemon!, random) : await playMpv(socketDir, mediaFor.get(item.traktId)!, n, mpvSpeed);
        } catch (error) {
          if (error instanceof RefusedWebhook) {
            refusedWebhooks++;
            watch.endedAt = Date.now();
            watch.uncertain = true;
          }
          log(`watch #${n} (${watch.player} ${item.label}) did not finish: ${(error as Error).message}`);
        }
        await sleep(random() * 1_000);
      }
    };
    const lanes = Promise.all(Array.from({ length: options.parallel }, () => lane()));

    // Kills: spread over the workload; the daemon comes back after 0.2–2 s. One long outage of Trakt meanwhile.
    let kills = 0;
    let outageOver: Promise<void> = Promise.resolve();
    const killer = (async () => {
      const expectedMs = (options.watches / options.parallel) * 9_000;
      const gap = expectedMs / (options.kills + 1);
      let outageDone = false;
      while (kills < options.kills) {
        await sleep(gap * (0.5 + random()));
        if (!outageDone && kills >= Math.floor(options.kills / 3)) {
          outageDone = true;
          log(`Trakt outage for ${options.outageMs / 1000} s`);
          await emulator.outage();
          outageOver = sleep(options.outageMs)
            .then(() => emulator.recover())
            .then(() => log("Trakt back"));
        }
        await daemon.kill("SIGKILL");
        kills++;
        log(`SIGKILL #${kills}`);
        await sleep(200 + random() * 1_800);
        await daemon.start();
      }
    })();
    await Promise.all([lanes, killer]);
    stopFaults.abort();
    await faultLoop;
    await outageOver;
    emulator.clearFaults();

    // Every watch whose end the daemon was up to see (and to persist: 300 ms after) must be delivered.
    for (const w of watches) if (w.endedAt !== undefined) w.observable = !w.uncertain && daemon.upDuring(w.endedAt - 200, w.endedAt + 300);
    const unobservable = watches.filter((w) => w.endedAt !== undefined && w.observable === false && !w.uncertain).length;

    // Let the outbox empty: a clean restart drains at once (any backoff from the faults is forgotten).
    log("workload done; restarting the daemon cleanly and waiting for the outbox to empty");
    await daemon.kill("SIGTERM");
    await daemon.start();
    const deadline = Date.now() + options.drainTimeoutMs;
    let depth: number | undefined;
    while (Date.now() < deadline) {
      depth = await daemon.metric("scrobblerd_outbox_depth");
      if (depth === 0) break;
      await sleep(500);
    }
    if (depth !== 0) log(`outbox still holds ${depth ?? "?"} after ${options.drainTimeoutMs / 1000} s`);
    const dead = await daemon.metric("scrobblerd_outbox_dead_letters");
    if (dead) log(`dead letters: ${dead}`);
    await daemon.kill("SIGTERM");

    const history = emulator.history();
    const figures = account(watches, history, daemon);
    log(`faults: ${[...faultLabels].map(([l, c]) => `${l}×${c}`).join(", ")}`);
    for (const line of figures.lostWatches) log(`LOST ${line}`);
    for (const line of figures.duplicateDetails) log(`DUPLICATE ${line}`);
    return { ...figures, unobservable, refusedWebhooks, kills, faultsInjected, dir };
  } finally {
    stopFaults.abort();
    await daemon?.kill("SIGKILL");
    await emulator.close();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

export function formatResult(r: ChaosResult): string {
  const lines = [
    `watches completed:       ${r.completed}`,
    `delivered:               ${r.delivered}`,
    `duplicated:              ${r.duplicated}`,
    `lost:                    ${r.lost}`,
    `worst watched_at error:  ${(r.worstWatchedAtErrorMs / 1000).toFixed(1)} s`,
    `daemon SIGKILLs:         ${r.kills}`,
    `faults injected:         ${r.faultsInjected} (+ one long outage)`,
    `ended while daemon down: ${r.unobservable} (not counted: nobody could see them)`,
    `Plex webhooks failed:    ${r.refusedWebhooks} (refused, e.g. 404 while the daemon was starting, or cut off by a kill; Plex does not retry; not counted)`,
    `by player:               ${Object.entries(r.byPlayer).map(([p, v]) => `${p} ${v.delivered}/${v.completed}`).join(", ")}`,
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const options = chaosOptionsFromEnv();
  for (const cmd of ["mpv", "ffmpeg"]) {
    if (!hasCommand(cmd)) {
      console.log(`SKIPPED: ${cmd} not installed (scripts/install-system-deps.sh)`);
      return;
    }
  }
  if (!(await runAvailable(options.bin))) {
    console.log("SKIPPED: `trakt-scrobblerd run` is not available in dist/ (run `npm run build`; issue 9 must have landed)");
    process.exitCode = 2;
    return;
  }
  const result = await runChaos(options);
  console.log(`\n${formatResult(result)}`);
  if (options.keep) console.log(`kept: ${result.dir}`);
  if (result.lost > 0 || result.duplicated > 0) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
