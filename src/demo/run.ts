// `trakt-scrobblerd demo`: the bundled Trakt emulator and a simulated player, in-process, wired through the real
// daemon (engine, outbox, identification, Trakt client) in a throw-away state directory, narrated as it happens.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { stringify } from "yaml";
import { systemPathContext } from "../config/paths.js";
import { Daemon } from "../daemon/daemon.js";
import { startTraktEmulator, type Emulator, type RecordedRequest } from "../emulator/index.js";
import type { PlaybackEvent } from "../core/playback.js";
import { SimulatedPlayerAdapter } from "../players/simulated/adapter.js";
import { openSecretStore } from "../secrets/select.js";
import { createLogger } from "../util/log.js";
import { demoScenario, type ScenarioOptions } from "./scenario.js";

export interface DemoOptions extends ScenarioOptions {
  /** Where each narrative line goes (default console.log). */
  print?: (line: string) => void;
  /** Give up when the watch has not reached the emulator within this time (default 20 s). */
  timeoutMs?: number;
  /** Aborting ends the demo early (Ctrl-C); the temporary state is still removed. */
  signal?: AbortSignal;
}

export interface DemoWatch {
  title: string;
  watchedAt: string;
  action: string;
  traktId: number;
}

export interface DemoResult {
  ok: boolean;
  /** The watch the emulator recorded (when ok). */
  watch?: DemoWatch;
  /** Why it failed (when not ok). */
  error?: string;
  elapsedMs: number;
}

const ACCOUNT = "default";
const USER = "alice";

/** The demo's config: everything but the simulated player off, short debounces so the story fits in seconds. */
function demoConfig(emulator: Emulator): Record<string, unknown> {
  return {
    trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, timeoutMs: 5_000, writeSpacingMs: 1_000 },
    accounts: { default: ACCOUNT },
    secrets: { store: "file" },
    log: { level: "info" },
    server: { host: "127.0.0.1", port: 0 },
    scrobble: {
      pauseDebounceSeconds: 1,
      seekDebounceSeconds: 1,
      // The simulated clock runs ~10 000× faster than its positions: no position change counts as a seek, and a
      // file entered past the threshold needs no real preview time.
      seekToleranceSeconds: 86_400,
      previewSeconds: 0,
    },
    mpv: { enabled: false },
    kodi: { enabled: false },
    plex: { enabled: false },
  };
}

function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

function describeRequest(r: RecordedRequest): string {
  const query = new URLSearchParams(r.query).toString();
  const body = r.body as { progress?: unknown; movie?: { title?: unknown; ids?: Record<string, unknown> }; movies?: unknown[] } | undefined;
  const extra: string[] = [];
  if (body?.movie) {
    const ids = Object.entries(body.movie.ids ?? {})
      .filter(([key, value]) => key !== "slug" && (typeof value === "string" || typeof value === "number"))
      .map(([key, value]) => `${key} ${String(value as string | number)}`);
    extra.push(`${typeof body.movie.title === "string" ? `"${body.movie.title}" ` : "movie "}${ids.join(", ")}`);
  }
  if (typeof body?.progress === "number") extra.push(`progress ${body.progress}%`);
  if (Array.isArray(body?.movies)) extra.push(`${body.movies.length} movie(s)`);
  return `${r.method} ${r.path}${query ? `?${query}` : ""}${extra.length ? ` (${extra.join(", ")})` : ""} → ${r.status === 0 ? "dropped" : r.status}`;
}

function purpose(r: RecordedRequest): string {
  if (r.path.startsWith("/search/")) return "identification";
  if (r.path.startsWith("/scrobble/")) return "scrobble";
  if (r.path.startsWith("/sync/history")) return "history";
  if (r.path.startsWith("/oauth/")) return "token";
  return "";
}

/** Narrates the log lines worth showing: intents the engine decided, and anything that went wrong. */
function narratingStream(say: (who: string, text: string) => void): Writable {
  let buffered = "";
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        let entry: { level?: number; component?: string; msg?: string; kind?: string; progress?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.component === "scrobble" && typeof entry.kind === "string" && entry.msg?.startsWith("scrobble ")) {
          say("engine", `decides: ${entry.kind} at ${entry.progress ?? "?"}% — stored in the outbox before sending`);
        } else if ((entry.level ?? 0) >= 40 && entry.msg) {
          say("daemon", `! ${entry.msg}`);
        }
      }
      callback();
    },
  });
}

/** Runs the demo; resolves with what the emulator recorded. Never leaves its temporary directory behind. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 20_000;
  const started = Date.now();
  // Narration ends with the outcome: what the shutdown logs afterwards is not part of the story.
  let live = true;
  const say = (who: string, text: string): void => {
    if (live) print(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${who.padEnd(7)} ${text}`);
  };
  const scenario = demoScenario(options);
  const stateDir = await mkdtemp(join(tmpdir(), "trakt-scrobblerd-demo-"));
  let emulator: Emulator | undefined;
  let daemon: Daemon | undefined;
  const cleanups: (() => void)[] = [];
  try {
    emulator = await startTraktEmulator({ autoApproveDevices: USER, defaultUser: USER });
    const em = emulator;
    // A logged-in account, as `login` would leave it: the emulator's tokens in the file secret store.
    const store = await openSecretStore({ mode: "file", stateDir });
    await store.set(ACCOUNT, { tokens: em.issueTokens(USER), username: USER, updatedAt: new Date().toISOString() });
    const configFile = join(stateDir, "demo.yaml");
    await writeFile(configFile, stringify(demoConfig(em)), { mode: 0o600 });

    print("trakt-scrobblerd demo: a bundled Trakt emulator and a simulated player, no Trakt account needed.");
    print(`  "Trakt":  emulator on ${em.url}, user "${USER}" logged in as account "${ACCOUNT}"`);
    print(`  player:   plays ${scenario.hints.path ?? `${scenario.movie.title} (${scenario.movie.year}) with its ids ${JSON.stringify(scenario.hints.ids)}`}`);
    print(`            ${scenario.movie.runtime} min on a compressed clock; state in ${stateDir} (removed afterwards)`);
    print("");

    cleanups.push(em.onRequest((r) => say("trakt", `${describeRequest(r)}${purpose(r) ? `  [${purpose(r)}]` : ""}`)));
    const arrived = new Promise<DemoWatch>((resolve) => {
      const check = (): boolean => {
        const watch = em.history(USER)[0];
        if (watch) resolve({ title: watch.title, watchedAt: watch.watchedAt, action: watch.action, traktId: watch.traktId });
        return watch !== undefined;
      };
      cleanups.push(em.onRequest(() => void check()));
    });

    let captionIndex = 0;
    const narratePlayer = (event: PlaybackEvent): void => {
      const caption = scenario.captions[captionIndex++] ?? event.state;
      const at = event.positionMs === undefined ? "" : ` at ${clock(event.positionMs)} (${(event.progress ?? 0).toFixed(0)}%)`;
      say("player", `${caption}: ${event.state}${at}`);
    };
    const logger = createLogger({ level: "info", destination: narratingStream(say) });
    let player: SimulatedPlayerAdapter | undefined;
    daemon = await Daemon.start({
      configFile,
      stateDir,
      context: systemPathContext({}),
      watchConfig: false,
      logger,
      extraAdapters: [
        {
          name: "simulated:demo",
          fingerprint: "demo",
          create: (context) =>
            (player = new SimulatedPlayerAdapter("simulated:demo", scenario.playback, {
              ...context,
              emit: (event) => (narratePlayer(event), context.emit(event)),
            })),
        },
      ],
    });
    if (!player) throw new Error("the daemon did not start the simulated player");

    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no watch reached the emulator within ${timeoutMs / 1000} s`), timeoutMs);
      if (options.signal?.aborted) resolve("interrupted");
      else options.signal?.addEventListener("abort", () => resolve("interrupted"), { once: true });
    });
    const outcome = await Promise.race([arrived, failure]);
    live = false;
    clearTimeout(timer);
    if (typeof outcome === "string") {
      const outbox = daemon.status().outbox as { pending?: number; deadLetters?: number } | undefined;
      const left = `${outbox?.pending ?? 0} intent(s) still waiting in the outbox, ${outbox?.deadLetters ?? 0} dead letter(s)`;
      return { ok: false, error: `${outcome} (${left})`, elapsedMs: Date.now() - started };
    }
    print("");
    print(`Recorded on "Trakt" (the emulator's history of ${USER}):`);
    print(`  ${outcome.title} (trakt id ${outcome.traktId}), watched_at ${outcome.watchedAt}, via ${outcome.action}`);
    return { ok: true, watch: outcome, elapsedMs: Date.now() - started };
  } finally {
    for (const off of cleanups) off();
    await daemon?.stop(1_000).catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}
