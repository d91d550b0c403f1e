// Event → request latency through the real pipeline, on loopback: a Plex webhook payload handed to the Plex adapter
// → scrobble engine → outbox (journal fsync'd) → identification (real identifier, cache warm) → TraktClient → the
// emulator, timed until the request arrives there (before it is answered). 1,000 events: 500 plays (start) and 500
// stops at 95 % (stop, which is written to disk before it is sent).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { identifySection } from "../src/config/sections/identify.js";
import { scrobbleSection } from "../src/config/sections/scrobble.js";
import { startTraktEmulator } from "../src/emulator/index.js";
import { createIdentifier } from "../src/identify/setup.js";
import { Outbox } from "../src/outbox/outbox.js";
import { PlexAdapter } from "../src/players/plex/adapter.js";
import { parsePlexPayload } from "../src/players/plex/payload.js";
import { ScrobbleEngine } from "../src/scrobble/engine.js";
import type { AccessTokenProvider } from "../src/trakt/api.js";
import { TraktClient } from "../src/trakt/client.js";
import { silentLogger } from "../src/util/log.js";
import { loadRow } from "./lib/load-average.js";
import { QUICK, type BenchRow } from "./lib/row.js";
import { fixturePath } from "../test/support/fixtures.js";

const FIXTURE = fixturePath("plex", "movie.media.scrobble.plexagent-guidarray.json");
const EVENTS = QUICK ? 200 : 1_000;

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (v: number): string => `${v.toFixed(2)} ms`;

export async function run(): Promise<BenchRow[]> {
  const emulator = await startTraktEmulator({ writeLimitMs: 0, duplicateScrobbleWindowMs: 0 });
  const dir = await mkdtemp(path.join(tmpdir(), "tsd-bench-latency-"));
  const log = silentLogger();
  try {
    const token = emulator.issueTokens().access_token;
    const tokens: AccessTokenProvider = { getAccessToken: () => Promise.resolve(token), refreshAfterUnauthorized: () => Promise.resolve(token) };
    const client = new TraktClient({ apiUrl: emulator.url, clientId: emulator.clientId, tokens, writeSpacingMs: 0, logger: log });
    const identify = createIdentifier({ config: identifySection.parse({}), stateDir: dir, api: client, log });
    await identify.cache?.load();
    const outbox = await Outbox.open({ dir: path.join(dir, "outbox"), api: client, identifier: identify.identifier, logger: log, settings: { dedupeWindowMinutes: 0 } });
    const settings = { ...scrobbleSection.parse({}), dedupeWindowMinutes: 0 };
    const engine = new ScrobbleEngine({ sink: outbox, settings, logger: log });
    const adapter = new PlexAdapter({ users: {}, players: [], webhookServers: [], defaultAccount: "default", scrobbleGraceMs: 60_000 }, { emit: engine.listener, now: Date.now }, log);
    await adapter.start(new AbortController().signal);

    const base = JSON.parse(await readFile(FIXTURE, "utf8")) as Record<string, unknown>;
    const duration = 5_940_000;
    const payload = (event: string, n: number, viewOffset: number) => {
      const parsed = parsePlexPayload(
        JSON.stringify({
          ...base,
          event,
          Player: { local: true, title: `bench ${n}`, uuid: `bench-player-${n}` },
          Metadata: { ...(base.Metadata as object), ratingKey: `bench-${n}`, viewOffset, duration },
        }),
      );
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.payload;
    };

    /** One event, timed from the adapter taking it to the matching request arriving at the emulator. */
    const timed = async (event: string, n: number, viewOffset: number, requestPath: string): Promise<number> => {
      const arrived = emulator.waitForArrival((r) => r.path === requestPath, 10_000).then(() => performance.now());
      const t0 = performance.now();
      adapter.accept(payload(event, n, viewOffset));
      const t1 = await arrived;
      await engine.idle();
      await outbox.idle();
      return t1 - t0;
    };

    // Warm-up: identification of this item goes into the cache (one search), the code paths get compiled.
    for (let n = 0; n < 20; n++) {
      await timed("media.play", n, 600_000, "/scrobble/start");
      await timed("media.stop", n, Math.round(duration * 0.95), "/scrobble/stop");
    }
    const searchesBefore = emulator.requests.filter((r) => r.path.startsWith("/search")).length;
    const starts: number[] = [];
    const stops: number[] = [];
    for (let n = 1_000; n < 1_000 + EVENTS / 2; n++) {
      starts.push(await timed("media.play", n, 600_000, "/scrobble/start"));
      stops.push(await timed("media.stop", n, Math.round(duration * 0.95), "/scrobble/stop"));
    }
    const searches = emulator.requests.filter((r) => r.path.startsWith("/search")).length - searchesBefore;
    await adapter.stop();
    await engine.stop();
    await outbox.close();
    const all = [...starts, ...stops];
    return [
      { metric: `event → request p50, ${all.length} events (Plex adapter → emulator)`, value: ms(pct(all, 50)), goal: "" },
      { metric: `event → request p99, ${all.length} events`, value: ms(pct(all, 99)), goal: "≤ 5 ms", ok: pct(all, 99) <= 5 },
      { metric: "  play → /scrobble/start p50 / p99", value: `${ms(pct(starts, 50))} / ${ms(pct(starts, 99))}`, goal: "" },
      { metric: "  stop → /scrobble/stop p50 / p99 (fsync'd first)", value: `${ms(pct(stops, 50))} / ${ms(pct(stops, 99))}`, goal: "" },
      { metric: "  identification searches during the timed events", value: String(searches), goal: "0 (cached)", ok: searches === 0 },
      loadRow("at the end"),
    ];
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
