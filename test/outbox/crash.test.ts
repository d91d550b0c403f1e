// Crash test: a child process running the real scrobble engine + outbox + TraktClient against the emulator (here,
// on 127.0.0.1) is SIGKILLed at random moments while watches complete. Afterwards the emulator's history must hold every completed
// watch exactly once, with watched_at within a minute of the true end.
// Default: ≥ 50 kills, well under a minute. Longer: OUTBOX_CRASH_KILLS=500 npx vitest run test/outbox/crash.test.ts
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogue, startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import type { ChildConfig, PlannedWatch } from "./crash-child.js";

const KILLS = Number(process.env.OUTBOX_CRASH_KILLS ?? 50);
// Enough watches that the plan is still running when the last kill lands (~4 intents per incarnation, 2 per watch).
const USERS = Number(process.env.OUTBOX_CRASH_USERS ?? Math.max(8, Math.ceil((KILLS * 2) / 6)));
const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, "crash-child.ts");

let emulator: Emulator;
let dir: string;
/** How to start the child: a pre-bundled file when esbuild (already installed for tsx/vite) is there — a child then
 * starts in ~0.1 s instead of ~0.9 s through the tsx loader, which matters over 50+ restarts. */
let childArgs: string[] = ["--import", "tsx", childScript];

beforeAll(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), "outbox-crash-"));
  try {
    const { build } = await import("esbuild");
    // Directly in node_modules/ (ignored by git and lint): packages resolve from there, and src/version.ts finds
    // ../package.json one level up, as it does from src/.
    const outfile = path.join(here, "..", "..", "node_modules", `.outbox-crash-child-${process.pid}.mjs`);
    await build({ entryPoints: [childScript], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile, logLevel: "silent" });
    childArgs = [outfile];
    bundled = outfile;
  } catch {
    // tsx it is
  }
});
let bundled: string | undefined;

afterAll(async () => {
  await emulator?.close();
  if (bundled) await rm(bundled, { force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Seeded PRNG so a failing run can be repeated (OUTBOX_CRASH_SEED). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  child: ChildProcess;
  ready: Promise<boolean>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; done: string | undefined }>;
}

function startChild(configFile: string): Run {
  const child = spawn(process.execPath, childArgs, {
    env: { ...process.env, OUTBOX_CRASH_CHILD: configFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let done: string | undefined;
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<boolean>((resolve) => {
    lines.on("line", (line) => {
      if (line === "ready") resolve(true);
      if (line.startsWith("done ")) done = line.slice(5);
    });
    child.on("exit", () => resolve(false));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; done: string | undefined }>((resolve) => {
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) console.error(`crash child failed (${code}):\n${stderr}`);
      resolve({ code, signal, done });
    });
  });
  return { child, ready, exited };
}

describe("outbox crash safety", () => {
  it(
    `survives ${KILLS} SIGKILLs: every completed watch is on Trakt exactly once, at its real time`,
    async () => {
      const seed = Number(process.env.OUTBOX_CRASH_SEED ?? Date.now() % 1_000_000);
      const random = prng(seed);
      const tokens: Record<string, string> = {};
      const plan: PlannedWatch[] = [];
      const movies = catalogue.movies.map((m) => m.ids.trakt);
      for (let u = 0; u < USERS; u++) {
        const user = `crash${u}`;
        emulator.addUser(user);
        tokens[user] = emulator.issueTokens(user).access_token;
      }
      // Interleave users so several accounts deliver at once; every (user, movie) is one watch.
      for (const [m, movie] of movies.entries()) {
        for (let u = 0; u < USERS; u++) {
          const account = `crash${u}`;
          // Every third watch stops at 70 % under a 60 % threshold: recorded through /sync/history.
          plan.push({ key: `${account}-m${movie}`, account, sessionKey: `s${u}`, movie, viaHistory: (u + m) % 3 === 0 });
        }
      }
      const config: ChildConfig = {
        url: emulator.url,
        clientId: emulator.clientId,
        tokens,
        dir: path.join(dir, "outbox"),
        submittedLog: path.join(dir, "submitted.log"),
        plan,
        paceMs: 30,
        // Short, so watches delayed by kills are replayed through history (and checked for exactly-once).
        replayAfterMinutes: 0.03,
      };

      const configFile = path.join(dir, "child-config.json");
      await writeFile(configFile, JSON.stringify(config));
      let kills = 0;
      let finished: string | undefined;
      while (finished === undefined) {
        const run = startChild(configFile);
        if (kills < KILLS && random() < 0.15) {
          // Sometimes kill while the child is still starting: loading, cutting a torn tail, compacting.
          await new Promise((resolve) => setTimeout(resolve, Math.round(random() * 150)));
          if (run.child.exitCode === null && run.child.kill("SIGKILL")) kills += 1;
        } else if (kills < KILLS) {
          const isReady = await run.ready;
          if (isReady) {
            // Kill at a random moment of this incarnation's life; sometimes fault the emulator too.
            if (random() < 0.2) emulator.injectFault({ type: "latency", ms: Math.round(random() * 80) }, { method: "POST", times: 3 });
            if (random() < 0.1) emulator.injectFault({ type: "cloudflare", status: 502 }, { method: "POST" });
            const delay = Math.round(random() * 350);
            const timer = new Promise<"timer">((resolve) => setTimeout(() => resolve("timer"), delay));
            const first = await Promise.race([timer, run.exited.then(() => "exited" as const)]);
            if (first === "timer") {
              run.child.kill("SIGKILL");
              kills += 1;
            }
          }
        }
        const exit = await run.exited;
        if (exit.signal === null) {
          expect(exit.code, "the child ends cleanly when not killed").toBe(0);
          finished = exit.done;
        }
      }
      emulator.clearFaults();

      const status = JSON.parse(finished) as { deadLetters: number };
      expect(status.deadLetters).toBe(0);
      expect(kills).toBeGreaterThanOrEqual(KILLS);

      // The true end of each watch: when its stop/watched intent was submitted (last record wins on a resubmit).
      const ended = new Map<string, number>();
      for (const line of (await readFile(config.submittedLog, "utf8")).split("\n")) {
        const [id, at] = line.split(" ");
        if (id && at) ended.set(id, Number(at));
      }
      const problems: string[] = [];
      for (let u = 0; u < USERS; u++) {
        const account = `crash${u}`;
        const history = emulator.history(account);
        for (const movie of movies) {
          const plays = history.filter((h) => h.type === "movie" && h.traktId === movie);
          const end = ended.get(`${account}-m${movie}`);
          if (plays.length !== 1) problems.push(`${account} movie ${movie}: ${plays.length} plays`);
          else if (end === undefined || Math.abs(Date.parse(plays[0]!.watchedAt) - end) > 60_000) problems.push(`${account} movie ${movie}: watched_at ${plays[0]!.watchedAt} vs end ${end}`);
        }
        if (history.length !== movies.length) problems.push(`${account}: ${history.length} history entries for ${movies.length} watches`);
      }
      expect(problems, `seed ${seed}`).toEqual([]);
      console.log(`crash test: ${kills} kills, ${plan.length} watches, seed ${seed}`);
    },
    Math.max(120_000, KILLS * 3_000),
  );
});
