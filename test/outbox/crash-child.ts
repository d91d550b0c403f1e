// The process the crash test kills: the real scrobble engine + outbox + TraktClient against the emulator running in
// the parent. It plays a plan of watches (playing, then ended — or stopped at 70 % for a 60 % threshold, which is
// recorded through /sync/history); once the engine's stop/watched intent is durably submitted it appends
// "<watch> <endedAt>" to the submitted-log, so the next incarnation continues with the next watch. A watch whose
// intent was stored but not logged is played again: the outbox's dedupe must keep it from counting twice.
// When everything is submitted and delivered it prints "done <json status>" and exits 0.
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { defaultConfig } from "../../src/config/schema.js";
import { createIdentifier } from "../../src/identify/setup.js";
import { Outbox } from "../../src/outbox/outbox.js";
import { ScrobbleEngine } from "../../src/scrobble/engine.js";
import type { IntentSink } from "../../src/scrobble/intent.js";
import type { AccessTokenProvider } from "../../src/trakt/api.js";
import { TraktClient } from "../../src/trakt/client.js";

export interface PlannedWatch {
  /** `<account>-m<movie>` */
  key: string;
  account: string;
  sessionKey: string;
  movie: number;
  /** Stop at 70 % (counted through /sync/history by the 60 % threshold) instead of playing to the end. */
  viaHistory: boolean;
}

export interface ChildConfig {
  url: string;
  clientId: string;
  tokens: Record<string, string>;
  dir: string;
  submittedLog: string;
  plan: PlannedWatch[];
  /** Pause between two submits, so kills land while watches complete. */
  paceMs: number;
  replayAfterMinutes: number;
}

const config = JSON.parse(readFileSync(process.env.OUTBOX_CRASH_CHILD ?? "", "utf8")) as ChildConfig;

const tokens: AccessTokenProvider = {
  getAccessToken: (account) => Promise.resolve(config.tokens[account] ?? ""),
  refreshAfterUnauthorized: () => Promise.reject(new Error("no refresh in the crash test")),
};

const client = new TraktClient({ apiUrl: config.url, clientId: config.clientId, tokens, writeSpacingMs: 0, timeoutMs: 3_000, retry: { retries: 0 } });
// The real identification (ids → Trakt item through the emulator's search), cached in the state dir like the daemon.
const { identifier, cache } = createIdentifier({ config: defaultConfig().identify, stateDir: path.dirname(config.dir), api: client });
await cache?.load();

const submitted = new Set<string>();
try {
  for (const line of readFileSync(config.submittedLog, "utf8").split("\n")) if (line) submitted.add(line.split(" ")[0] ?? "");
} catch {
  // first run
}

const outbox = await Outbox.open({
  dir: config.dir,
  api: client,
  identifier,
  settings: { replayAfterMinutes: config.replayAfterMinutes, retryMaxDelaySeconds: 0.2, historyBatchSize: 100 },
});
process.stdout.write("ready\n");
await outbox.drain();

const watchOf = new Map<string, string>(); // "<account> <movie>" → plan key
for (const w of config.plan) watchOf.set(`${w.account} ${w.movie}`, w.key);
const sink: IntentSink = {
  async submit(intent) {
    await outbox.submit(intent);
    if (intent.kind === "stop" || intent.kind === "watched") {
      const key = watchOf.get(`${intent.account} ${intent.hints.ids?.trakt}`);
      if (key) appendFileSync(config.submittedLog, `${key} ${intent.endedAt ?? intent.createdAt}\n`);
    }
  },
};
const engine = new ScrobbleEngine({
  sink,
  settings: { watchedThreshold: 60, previewSeconds: 60, staleAfterSeconds: 300, closeAfterSeconds: 3600, pauseDebounceSeconds: 5, seekDebounceSeconds: 3, seekToleranceSeconds: 10 },
});

const DURATION = 6_000_000;
for (const w of config.plan) {
  if (submitted.has(w.key)) continue;
  const hints = { kind: "movie" as const, title: `movie ${w.movie}`, ids: { trakt: String(w.movie) } };
  const base = { player: "crash-test", sessionKey: w.sessionKey, account: w.account, hints, durationMs: DURATION };
  engine.handle({ ...base, state: "playing", positionMs: 60_000, observedAt: Date.now() });
  await new Promise((resolve) => setTimeout(resolve, config.paceMs));
  if (w.viaHistory) engine.handle({ ...base, state: "stopped", positionMs: 0.7 * DURATION, observedAt: Date.now() });
  else engine.handle({ ...base, state: "ended", observedAt: Date.now() });
  await engine.idle();
  await new Promise((resolve) => setTimeout(resolve, config.paceMs));
}
await engine.idle();

while (outbox.depth() > 0) {
  await outbox.drain();
  await outbox.idle();
  if (outbox.depth() > 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
const status = outbox.status();
await engine.stop();
await outbox.close();
process.stdout.write(`done ${JSON.stringify({ deadLetters: status.deadLetters, counters: status.counters })}\n`);
