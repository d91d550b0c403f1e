// The process the crash test kills: a real outbox + real TraktClient against the emulator running in the parent.
// It walks a plan of intents (start, then stop/watched, per watch), submitting each once; after `submit` resolves it
// appends "<intentId> <endedAt>" to the submitted-log so the next incarnation continues where this one stopped.
// When everything is submitted and delivered it prints "done <json status>" and exits 0.
import { appendFileSync, readFileSync } from "node:fs";
import type { Identification, Identifier } from "../../src/identify/types.js";
import { Outbox } from "../../src/outbox/outbox.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import type { AccessTokenProvider } from "../../src/trakt/api.js";
import { TraktClient } from "../../src/trakt/client.js";
import type { MediaHints } from "../../src/players/events.js";

export interface PlannedIntent {
  id: string;
  kind: ScrobbleIntent["kind"];
  account: string;
  sessionKey: string;
  playthroughId: string;
  progress: number;
  movie: number;
}

export interface ChildConfig {
  url: string;
  clientId: string;
  tokens: Record<string, string>;
  dir: string;
  submittedLog: string;
  plan: PlannedIntent[];
  /** Pause between two submits, so kills land while watches complete. */
  paceMs: number;
  replayAfterMinutes: number;
}

const config = JSON.parse(readFileSync(process.env.OUTBOX_CRASH_CHILD ?? "", "utf8")) as ChildConfig;

const tokens: AccessTokenProvider = {
  getAccessToken: (account) => Promise.resolve(config.tokens[account] ?? ""),
  refreshAfterUnauthorized: () => Promise.reject(new Error("no refresh in the crash test")),
};

// Identification is not under test here: the hints carry the Trakt id.
const identifier: Identifier = {
  identify(hints: MediaHints): Promise<Identification> {
    const trakt = Number(hints.ids?.trakt);
    return Promise.resolve({ ok: true, items: [{ type: "movie", movie: { ids: { trakt } } }], source: "trakt-ids", confidence: 1, reason: "ids" });
  },
};

const client = new TraktClient({ apiUrl: config.url, clientId: config.clientId, tokens, writeSpacingMs: 0, timeoutMs: 3_000, retry: { retries: 0 } });

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

for (const p of config.plan) {
  if (submitted.has(p.id)) continue;
  const now = Date.now();
  const watch = p.kind === "stop" || p.kind === "watched";
  await outbox.submit({
    id: p.id,
    kind: p.kind,
    account: p.account,
    player: "crash-test",
    sessionKey: p.sessionKey,
    playthroughId: p.playthroughId,
    progress: p.progress,
    hints: { kind: "movie", ids: { trakt: String(p.movie) } },
    createdAt: now,
    ...(watch ? { endedAt: now } : {}),
  });
  appendFileSync(config.submittedLog, `${p.id} ${now}\n`);
  await new Promise((resolve) => setTimeout(resolve, config.paceMs));
}

while (outbox.depth() > 0) {
  await outbox.drain();
  await outbox.idle();
  if (outbox.depth() > 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
const status = outbox.status();
await outbox.close();
process.stdout.write(`done ${JSON.stringify({ deadLetters: status.deadLetters, counters: status.counters })}\n`);
