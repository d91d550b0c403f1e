// Starts a real Kodi 20 headless for integration tests, as test/fixtures/kodi/HEADLESS.md describes:
// a scratch HOME with guisettings.xml + advancedsettings.xml (free JSON-RPC port), a PulseAudio null sink with its
// own runtime path (without an audio device Kodi stalls), Xvfb via -displayfd, kodi.bin started directly, an
// LD_PRELOAD shim that caps the render loop (compiled with gcc when present), media made by ffmpeg, and library
// items with ids via .nfo files + `path` rows inserted into the video DB + VideoLibrary.Scan.
//
// Every process started here is killed by `close()`, and on process exit as a last resort.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { freePort } from "./free-port.js";

export const KODI_BIN = "/usr/lib/x86_64-linux-gnu/kodi/kodi.bin";

function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Why real Kodi cannot run here, or undefined when it can. */
export function headlessKodiUnavailableReason(): string | undefined {
  if (process.env.KODI_TESTS === "0") return "KODI_TESTS=0";
  if (process.platform !== "linux") return `Kodi integration tests need Linux (this is ${process.platform})`;
  if (!existsSync(KODI_BIN)) return `${KODI_BIN} not found (Debian package kodi not installed)`;
  for (const cmd of ["Xvfb", "pulseaudio", "ffmpeg"]) {
    if (!onPath(cmd)) return `${cmd} not found (install Debian packages xvfb pulseaudio ffmpeg)`;
  }
  if (!sqliteRunner()) return "neither sqlite3 nor python3 found (needed to add library paths to Kodi's DB; install Debian package sqlite3)";
  return undefined;
}

/** How library rows get into Kodi's SQLite DB: the sqlite3 CLI, or python3's sqlite3 module. */
function sqliteRunner(): ((db: string, sql: string) => void) | undefined {
  if (onPath("sqlite3")) {
    return (db, sql) => {
      const r = spawnSync("sqlite3", [db, sql], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
    };
  }
  if (onPath("python3")) {
    return (db, sql) => {
      const script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1]);c.executescript(sys.argv[2]);c.commit()";
      const r = spawnSync("python3", ["-c", script, db, sql], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`python3 sqlite3 failed: ${r.stderr}`);
    };
  }
  return undefined;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function killHard(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited(child);
}

/** Waits for a condition by polling it (used for files and ports that give no event). */
async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
}

export interface KodiNotification {
  method: string;
  params: { data: unknown; sender: string };
}

/** A minimal JSON-RPC connection owned by the test (deliberately not the client under test). */
class DriverConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly notifications: KodiNotification[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("error", () => undefined); // Kodi 20 sends a malformed close frame; ws reports it as an error.
    ws.on("message", (raw: WebSocket.RawData) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      const msg = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string; code: number }; method?: string; params?: KodiNotification["params"] };
      if (typeof msg.id === "number") {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`Kodi error ${msg.error.code}: ${msg.error.message}`));
        else p?.resolve(msg.result);
      } else if (msg.method && msg.params) {
        this.notifications.push({ method: msg.method, params: msg.params });
        for (const w of this.waiters) w();
      }
    });
    ws.on("close", () => {
      for (const p of this.pending.values()) p.reject(new Error("connection closed"));
      this.pending.clear();
    });
  }

  static open(url: string): Promise<DriverConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(new DriverConnection(ws)));
      ws.once("error", reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  rpc<T>(method: string, params?: unknown, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  /** Resolves with the first notification (received from `fromIndex` on) that matches. */
  waitFor(method: string, fromIndex: number, timeoutMs: number, match: (n: KodiNotification) => boolean = () => true): Promise<KodiNotification> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.notifications.slice(fromIndex).find((n) => n.method === method && match(n));
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${method} notification within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}

export interface HeadlessKodiMedia {
  /** Library movie "Blade Runner 2049" (uniqueid imdb tt1856101, tmdb 335984). */
  movie: string;
  /** Library episode The Office (US) S05E14 (uniqueid imdb tt1355876, tmdb 62799, tvdb 447981; show tvdb 73244). */
  episode: string;
  /** A plain file outside the library. */
  loose: string;
}

export interface HeadlessKodi {
  readonly port: number;
  readonly url: string;
  readonly home: string;
  readonly media: HeadlessKodiMedia;
  readonly libraryMovieId: number;
  rpc<T>(method: string, params?: unknown): Promise<T>;
  /** Index to pass to `waitForNotification` to only see notifications from now on. */
  mark(): number;
  waitForNotification(method: string, fromIndex: number, timeoutMs?: number, match?: (n: KodiNotification) => boolean): Promise<KodiNotification>;
  /** Opens a file and waits until Kodi reports the stream started (Player.OnAVStart). */
  play(file: string): Promise<void>;
  /** Application.Quit; waits for System.OnQuit, then kills kodi.bin (a clean exit takes 6–8 s more). */
  quit(): Promise<void>;
  /** Starts kodi.bin again on the same HOME and port and waits until JSON-RPC answers. */
  restart(): Promise<void>;
  /** Restarts kodi.bin if it died on its own (real Kodi 20 crashes now and then under load; the log says so). */
  ensureRunning(): Promise<void>;
  /**
   * Leaves Kodi idle for the next test: stops any playback and waits until no player is active. Cleanup is not
   * what a test checks, so a Kodi that does not let go in time (it happens under load) is restarted, and says so.
   */
  stopAllPlayback(): Promise<void>;
  /** Kills Kodi, PulseAudio and Xvfb and removes the scratch directory. Safe to call twice. */
  close(): Promise<void>;
}

const MOVIE_NFO = `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>Blade Runner 2049</title>
  <year>2017</year>
  <runtime>1</runtime>
  <uniqueid type="imdb" default="true">tt1856101</uniqueid>
  <uniqueid type="tmdb">335984</uniqueid>
</movie>
`;
const SHOW_NFO = `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<tvshow>
  <title>The Office (US)</title>
  <premiered>2005-03-24</premiered>
  <uniqueid type="tvdb" default="true">73244</uniqueid>
  <uniqueid type="imdb">tt0386676</uniqueid>
  <uniqueid type="tmdb">2316</uniqueid>
</tvshow>
`;
const EPISODE_NFO = `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<episodedetails>
  <title>Lecture Circuit (1)</title>
  <season>5</season>
  <episode>14</episode>
  <aired>2009-02-05</aired>
  <uniqueid type="tvdb" default="true">447981</uniqueid>
  <uniqueid type="imdb">tt1355876</uniqueid>
  <uniqueid type="tmdb">62799</uniqueid>
</episodedetails>
`;

const GUI_SETTINGS = `<settings version="2">
  <setting id="services.esenabled">true</setting>
  <setting id="services.esallinterfaces">false</setting>
  <setting id="services.webserver">false</setting>
  <setting id="services.zeroconf">false</setting>
  <setting id="services.upnp">false</setting>
  <setting id="services.airplay">false</setting>
  <setting id="services.wsdiscovery">false</setting>
  <setting id="general.addonupdates">2</setting>
</settings>
`;

export interface HeadlessKodiOptions {
  /** Seconds of test media (default 60). */
  mediaSeconds?: number;
  log?: (line: string) => void;
}

export async function startHeadlessKodi(options: HeadlessKodiOptions = {}): Promise<HeadlessKodi> {
  const log = options.log ?? (() => undefined);
  const seconds = options.mediaSeconds ?? 60;
  const root = mkdtempSync(join(tmpdir(), "kodi-headless-"));
  const home = join(root, "home");
  const userdata = join(home, ".kodi", "userdata");
  const pulseDir = join(root, "pulse");
  const mediaDir = join(root, "media");
  mkdirSync(userdata, { recursive: true });
  mkdirSync(pulseDir, { recursive: true, mode: 0o700 });

  let xvfb: ChildProcess | undefined;
  let pulse: ChildProcess | undefined;
  let kodi: ChildProcess | undefined;
  let driver: DriverConnection | undefined;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    driver?.close();
    await killHard(kodi);
    await killHard(pulse);
    await killHard(xvfb);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    // Media and library files.
    const master = join(root, "master.mkv");
    run("ffmpeg", [
      "-hide_banner", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", `testsrc=duration=${seconds}:size=320x240:rate=10`,
      "-f", "lavfi", "-i", `sine=duration=${seconds}`,
      "-c:v", "libx264", "-g", "10", "-c:a", "aac", master,
    ]);
    const movieDir = join(mediaDir, "movies", "Blade Runner 2049 (2017)");
    const showDir = join(mediaDir, "tv", "The Office (US)");
    const seasonDir = join(showDir, "Season 05");
    const looseDir = join(mediaDir, "loose");
    for (const d of [movieDir, seasonDir, looseDir]) mkdirSync(d, { recursive: true });
    const media: HeadlessKodiMedia = {
      movie: join(movieDir, "Blade Runner 2049 (2017).mkv"),
      episode: join(seasonDir, "The Office (US) - S05E14.mkv"),
      loose: join(looseDir, "The Office (US) - S05E14.mkv"),
    };
    for (const f of Object.values(media)) linkSync(master, f);
    writeFileSync(join(movieDir, "Blade Runner 2049 (2017).nfo"), MOVIE_NFO);
    writeFileSync(join(showDir, "tvshow.nfo"), SHOW_NFO);
    writeFileSync(join(seasonDir, "The Office (US) - S05E14.nfo"), EPISODE_NFO);

    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/jsonrpc`;
    writeFileSync(join(userdata, "guisettings.xml"), GUI_SETTINGS);
    writeFileSync(join(userdata, "advancedsettings.xml"), `<advancedsettings version="1.0"><jsonrpc><tcpport>${port}</tcpport></jsonrpc></advancedsettings>\n`);

    // The render-loop cap: without it Kodi takes ~130 % of a core while playing.
    let shim: string | undefined;
    if (onPath("gcc")) {
      const out = join(root, "swap-throttle.so");
      const source = join(dirname(fileURLToPath(import.meta.url)), "kodi-swap-throttle.c");
      const built = spawnSync("gcc", ["-shared", "-fPIC", "-O2", "-o", out, source, "-ldl"], { encoding: "utf8" });
      if (built.status === 0) shim = out;
      else log(`could not build the render cap (Kodi will use more CPU while playing): ${built.stderr.slice(-500)}`);
    } else {
      log("gcc not found: Kodi runs without the render cap (more CPU while playing)");
    }

    // Xvfb tells us its display number on fd 3.
    xvfb = track(spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "640x360x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "pipe", "pipe"] }));
    const xvfbProc = xvfb;
    const display = await new Promise<string>((resolve, reject) => {
      let buf = "";
      const fd3 = xvfbProc.stdio[3] as NodeJS.ReadableStream;
      fd3.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.includes("\n")) resolve(`:${buf.trim()}`);
      });
      xvfbProc.once("exit", (code) => reject(new Error(`Xvfb exited early (${code})`)));
    });
    log(`Xvfb on ${display}`);

    const pulseEnv = { ...process.env, HOME: home, PULSE_RUNTIME_PATH: pulseDir, XDG_RUNTIME_DIR: pulseDir };
    const pulseSocket = join(pulseDir, "native");
    pulse = track(spawn("pulseaudio", [
      "--daemonize=no", "-n", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm",
      "--load=module-null-sink sink_name=kodi_null",
      `--load=module-native-protocol-unix socket=${pulseSocket} auth-anonymous=1`,
    ], { env: pulseEnv, stdio: ["ignore", "ignore", "pipe"] }));
    const pulseProc = pulse;
    let pulseErr = "";
    pulseProc.stderr?.on("data", (c: Buffer) => (pulseErr += c.toString()));
    await until("PulseAudio socket", 10_000, () => {
      if (pulseProc.exitCode !== null) throw new Error(`pulseaudio exited (${pulseProc.exitCode}): ${pulseErr.slice(-500)}`);
      return existsSync(pulseSocket) ? true : undefined;
    });

    const kodiEnv: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      DISPLAY: display,
      KODI_AE_SINK: "PULSE",
      PULSE_SERVER: `unix:${pulseSocket}`,
      PULSE_RUNTIME_PATH: pulseDir,
      XDG_RUNTIME_DIR: pulseDir,
      LIBGL_ALWAYS_SOFTWARE: "1",
      ...(shim ? { LD_PRELOAD: shim } : {}),
    };

    const kodiLogTail = (): string => {
      try {
        return readFileSync(join(home, ".kodi", "temp", "kodi.log"), "utf8").split("\n").slice(-25).join("\n");
      } catch {
        return "(no kodi.log)";
      }
    };

    const connectDriver = async (): Promise<DriverConnection> => {
      const startedAt = Date.now();
      const conn = await until("Kodi JSON-RPC", 30_000, async () => {
        if (kodi && kodi.exitCode !== null) throw new Error(`kodi.bin exited (${kodi.exitCode})`);
        try {
          const c = await DriverConnection.open(url);
          const pong = await c.rpc<string>("JSONRPC.Ping", undefined, 5_000);
          if (pong === "pong") return c;
          c.close();
        } catch {
          // not listening yet
        }
        return undefined;
      });
      log(`Kodi JSON-RPC up after ${Date.now() - startedAt} ms`);
      return conn;
    };

    let expectingExit = false;
    const startKodi = async (): Promise<void> => {
      expectingExit = false;
      const child = track(spawn(KODI_BIN, ["--standalone", "--windowing=x11"], { env: kodiEnv, stdio: "ignore", cwd: home }));
      kodi = child;
      child.once("exit", (code, signal) => {
        if (expectingExit || closed || kodi !== child) return;
        log(`kodi.bin died on its own (exit ${code} signal ${signal}); end of kodi.log:\n${kodiLogTail()}`);
      });
      const conn = await connectDriver();
      driver = conn;
      // JSON-RPC answers before the GUI is up; a Player.Open sent too early can be lost. Wait for the home window.
      await until("Kodi's home window", 15_000, async () => {
        const gui = await conn.rpc<{ currentwindow?: { id?: number } }>("GUI.GetProperties", { properties: ["currentwindow"] });
        return gui.currentwindow?.id === 10000 ? true : undefined;
      });
    };
    await startKodi();

    // Library: the path rows give the folders a content type and the local .nfo scraper; then scan.
    const dbDir = join(userdata, "Database");
    const db = await until("video database", 20_000, () => {
      const name = existsSync(dbDir) ? readdirSync(dbDir).find((f) => /^MyVideos\d+\.db$/.test(f)) : undefined;
      return name ? join(dbDir, name) : undefined;
    });
    const sqlite = sqliteRunner();
    if (!sqlite) throw new Error("neither sqlite3 nor python3 found to add library paths");
    const esc = (s: string): string => s.replace(/'/g, "''");
    sqlite(db, `INSERT INTO path (strPath,strContent,strScraper,scanRecursive,useFolderNames,strSettings,noUpdate,exclude,allAudio,dateAdded) VALUES
      ('${esc(join(mediaDir, "movies"))}/','movies','metadata.local',2147483647,1,'',0,0,0,datetime('now')),
      ('${esc(join(mediaDir, "tv"))}/','tvshows','metadata.local',0,0,'',0,0,0,datetime('now'));`);
    const scanMark = driver!.notifications.length;
    await driver!.rpc("VideoLibrary.Scan", { showdialogs: false });
    await driver!.waitFor("VideoLibrary.OnScanFinished", scanMark, 30_000);
    const movies = await driver!.rpc<{ movies?: { movieid: number; file: string }[] }>("VideoLibrary.GetMovies", { properties: ["file"] });
    const episodes = await driver!.rpc<{ episodes?: unknown[] }>("VideoLibrary.GetEpisodes", {});
    const movie = movies.movies?.[0];
    if (!movie || (episodes.episodes?.length ?? 0) !== 1) {
      throw new Error(`library scan found ${movies.movies?.length ?? 0} movies and ${episodes.episodes?.length ?? 0} episodes (want 1 and 1)`);
    }

    const kodiHandle: HeadlessKodi = {
      port,
      url,
      home,
      media,
      libraryMovieId: movie.movieid,
      rpc: (method, params) => {
        if (!driver?.open) return Promise.reject(new Error("Kodi is not running"));
        return driver.rpc(method, params);
      },
      mark: () => driver?.notifications.length ?? 0,
      waitForNotification: (method, fromIndex, timeoutMs = 15_000, match) => {
        if (!driver) return Promise.reject(new Error("Kodi is not running"));
        return driver.waitFor(method, fromIndex, timeoutMs, match);
      },
      play: async (file) => {
        // Under load, Kodi 20 now and then never finishes opening a stream (VideoPlayer logs
        // "CDVDMessageQueue(player)::Get MSGQ_NOT_INITIALIZED" and no OnAVStart follows) or dies in Player.Open.
        // That is Kodi, not the code under test: stop (or restart) it and open the file again, once.
        for (let attempt = 1; ; attempt++) {
          if (!driver?.open || (kodi && kodi.exitCode !== null)) {
            log(`kodi.bin is gone (exit ${kodi?.exitCode} signal ${kodi?.signalCode}); restarting it`);
            await kodiHandle.restart();
          }
          // Let a previous playback finish tearing down first (OnStop comes before the player is gone).
          await until("no active player", 10_000, async () => ((await kodiHandle.rpc<unknown[]>("Player.GetActivePlayers")).length === 0 ? true : undefined));
          const from = kodiHandle.mark();
          const answer = await kodiHandle.rpc("Player.Open", { item: { file }, options: { resume: false } }).catch((e: unknown) => String(e));
          try {
            await kodiHandle.waitForNotification("Player.OnAVStart", from, 10_000);
            return;
          } catch (error) {
            const seen = driver?.notifications.slice(from).map((n) => n.method) ?? [];
            const players = await kodiHandle.rpc<unknown[]>("Player.GetActivePlayers").catch((e: unknown) => String(e));
            const exit = kodi ? `kodi.bin exit code ${kodi.exitCode} signal ${kodi.signalCode}` : "";
            const detail = `${String(error)}; Player.Open answered ${JSON.stringify(answer)}; since then: ${seen.join(", ")}; active players ${JSON.stringify(players)}; ${exit}`;
            if (attempt >= 2) throw new Error(`${detail}; kodi.log: ${kodiLogTail()}`);
            log(`Kodi did not start playback (${detail}); trying once more`);
            if (Array.isArray(players) && players.length > 0) {
              const stopFrom = kodiHandle.mark();
              await kodiHandle.rpc("Player.Stop", { playerid: 1 }).catch(() => undefined);
              await kodiHandle.waitForNotification("Player.OnStop", stopFrom, 10_000).catch(() => undefined);
            }
          }
        }
      },
      quit: async () => {
        const from = kodiHandle.mark();
        await kodiHandle.rpc("Application.Quit");
        await kodiHandle.waitForNotification("System.OnQuit", from, 15_000);
        expectingExit = true;
        driver?.close();
        driver = undefined;
        await killHard(kodi);
      },
      restart: async () => {
        expectingExit = true;
        await killHard(kodi);
        await startKodi();
      },
      ensureRunning: async () => {
        if (kodi && kodi.exitCode === null && kodi.signalCode === null && driver?.open) return;
        log("kodi.bin is not running; starting it again");
        await kodiHandle.restart();
      },
      stopAllPlayback: async () => {
        try {
          const players = await kodiHandle.rpc<{ playerid: number }[]>("Player.GetActivePlayers");
          for (const p of players) await kodiHandle.rpc("Player.Stop", { playerid: p.playerid });
          await until("no active player", 20_000, async () => ((await kodiHandle.rpc<unknown[]>("Player.GetActivePlayers")).length === 0 ? true : undefined));
        } catch (error) {
          log(`Kodi did not stop playback (${String(error)}); restarting it`);
          await kodiHandle.restart();
        }
      },
      close,
    };
    return kodiHandle;
  } catch (error) {
    await close();
    throw error;
  }
}
