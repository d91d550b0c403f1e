// The real daemon process (`trakt-scrobblerd run`) when a Trakt endpoint changes under it, against the emulator's
// fault modes: /scrobble/pause answering 400 (pauses go as stops below 80 %), and id lookups answering [] (the
// identification falls through to the next id kind). Plex webhooks drive it: no player process needed. What must
// hold: no watch lost, none invented, progress kept.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogue, startTraktEmulator, type Emulator, type RecordedRequest } from "../../src/emulator/index.js";
import { fixture, multipart } from "../players/plex/support.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, untilJson, writeConfig, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";

const SECRET = "trakt-changes-webhook-secret-0123456789";

let emulator: Emulator;
let dirs: DaemonDirs;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  emulator = await startTraktEmulator({ writeLimitMs: 0 });
  dirs = await makeDaemonDirs();
});

afterEach(async () => {
  await daemon?.stop("SIGKILL");
  daemon = undefined;
  await emulator.close();
  await dirs.remove();
});

async function startDaemon(scrobble: Record<string, unknown> = {}): Promise<string> {
  await seedLogin(emulator, dirs.stateDir);
  await writeConfig(
    dirs.configFile,
    emulatorConfig(emulator, dirs, {
      mpv: { enabled: false },
      plex: { enabled: true, webhookSecret: SECRET, defaultAccount: "default" },
      // Webhooks seconds apart stand for minutes of playing: no preview, no debounce.
      scrobble: { previewSeconds: 0, pauseDebounceSeconds: 0, seekDebounceSeconds: 0, seekToleranceSeconds: 86_400, ...scrobble },
    }),
  );
  daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
  const base = await daemon.baseUrl();
  await daemon.waitForLog((l) => l.msg === "ready");
  return base;
}

type Item = { traktId: number; metadata: Record<string, unknown> };

const movie = (title: string): Item => {
  const m = catalogue.movies.find((x) => x.title === title)!;
  const guids = [`imdb://${m.ids.imdb}`, `tmdb://${m.ids.tmdb}`].map((id) => ({ id }));
  return { traktId: m.ids.trakt, metadata: { librarySectionType: "movie", type: "movie", title: m.title, year: m.year, duration: m.runtime * 60_000, Guid: guids } };
};

const episode = (show: string, season: number, number: number): Item => {
  const s = catalogue.shows.find((x) => x.title === show)!;
  const e = s.episodes.find((x) => x.season === season && x.number === number)!;
  const guids = [e.ids.imdb && `imdb://${e.ids.imdb}`, e.ids.tmdb && `tmdb://${e.ids.tmdb}`, e.ids.tvdb && `tvdb://${e.ids.tvdb}`].filter(Boolean).map((id) => ({ id }));
  return {
    traktId: e.ids.trakt,
    metadata: { librarySectionType: "show", type: "episode", title: e.title, grandparentTitle: s.title, parentIndex: season, index: number, year: s.year, duration: s.runtime * 60_000, Guid: guids },
  };
};

/** Posts one Plex webhook for `item` on player `n` at `percent` of its runtime. */
async function plex(base: string, event: string, item: Item, percent: number, n: number): Promise<void> {
  const payload = {
    ...fixture("movie.media.scrobble.plexagent-guidarray.json"),
    event,
    Player: { local: true, title: `TV ${n}`, uuid: `player-${n}` },
    Metadata: { ...item.metadata, ratingKey: `item-${item.traktId}`, viewOffset: Math.round(((item.metadata.duration as number) * percent) / 100) },
  };
  const res = await fetch(`${base}/plex/${SECRET}`, { method: "POST", body: multipart(payload) });
  await res.text();
  expect(res.status).toBe(200);
}

const writes = (): RecordedRequest[] => emulator.requests.filter((r) => /^\/(scrobble\/|sync\/history$)/.test(r.path) && r.method === "POST");
const written = (): string[] => writes().map((r) => `${r.path} ${(r.body as { progress?: number }).progress ?? ""} ${r.status}`.trim());

async function settled(base: string, requests: number): Promise<void> {
  await expect
    .poll(() => writes().length, { timeout: 15_000, interval: 50 })
    .toBeGreaterThanOrEqual(requests)
    .catch((error: unknown) => {
      console.log("requests:", written(), "daemon log:", daemon?.logs.filter((l) => l.level >= 30).map((l) => l.msg));
      throw error;
    });
  await untilJson<{ outbox: { pending: number } }>(`${base}/api/status`, (s) => s.outbox.pending === 0);
}

describe("Trakt refuses /scrobble/pause (400), as in 2026", () => {
  it("pauses go as stops below 80 %: progress kept, the watch delivered, nothing invented — also between 80 % and a threshold of 90", async () => {
    emulator.refusePause();
    const base = await startDaemon({ watchedThreshold: 90 });
    const big = movie("Big Trouble in Little China");
    const barry = movie("Barry Lyndon");
    const tron = movie("TRON: Legacy");

    // Each webhook waits for what it sends to reach Trakt: the outbox rightly drops a start or pause of a session
    // that a later one supersedes before it went out, and this test wants to see every request.
    const steps: [string, Item, number, number, number][] = [
      // Paused at 30 %, resumed, finished at 96 %: one watch.
      ["media.play", big, 0, 1, 1],
      ["media.pause", big, 30, 1, 3],
      ["media.resume", big, 30, 1, 4],
      ["media.stop", big, 96, 1, 5],
      // Stopped at 40 %: progress saved, no watch.
      ["media.play", barry, 10, 2, 6],
      ["media.stop", barry, 40, 2, 7],
      // Stopped at 85 % with a threshold of 90: the machine decides "pause"; as a stop it must stay below 80 %.
      ["media.play", tron, 50, 3, 8],
      ["media.stop", tron, 85, 3, 9],
    ];
    for (const [event, item, percent, player, requests] of steps) {
      await plex(base, event, item, percent, player);
      await settled(base, requests);
    }

    expect(written()).toEqual([
      "/scrobble/start 1 201",
      "/scrobble/pause 30 400",
      "/scrobble/stop 30 201",
      "/scrobble/start 30 201",
      "/scrobble/stop 96 201",
      "/scrobble/start 10 201",
      "/scrobble/stop 40 201", // no /scrobble/pause tried again: the fallback holds
      "/scrobble/start 50 201",
      "/scrobble/stop 79.9 201",
    ]);
    const history = emulator.history("alice");
    expect(history.map((h) => h.traktId)).toEqual([big.traktId]);
    const progress = Object.fromEntries(emulator.playback("alice").map((p) => [p.traktId, p.progress]));
    expect(progress).toEqual({ [barry.traktId]: 40, [tron.traktId]: 79.9 });
    // Said once, and nothing became a dead letter.
    expect(daemon!.logs.filter((l) => String(l.msg).startsWith("Trakt refuses /scrobble/pause"))).toHaveLength(1);
    const status = await untilJson<{ outbox: { pending: number; deadLetters: number } }>(`${base}/api/status`, () => true);
    expect(status.outbox.deadLetters).toBe(0);
  });
});

describe("Trakt's id lookups answer [], as its IMDb episode lookups did in 2026", () => {
  it.each([
    ["imdb", { imdb: 1, tmdb: 0, tvdb: 0 }],
    ["every id kind", { imdb: 1, tmdb: 1, tvdb: 1 }],
  ] as const)("%s: the episode is still identified and its watch delivered; /metrics counts the empty lookups", async (which, counts) => {
    if (which === "imdb") emulator.emptyIdSearch("imdb");
    else emulator.emptyIdSearch();
    const base = await startDaemon();
    const pilot = episode("Breaking Bad", 1, 1);
    await plex(base, "media.play", pilot, 0, 1);
    await settled(base, 1);
    await plex(base, "media.stop", pilot, 97, 1);
    await settled(base, 2);

    expect(written()).toEqual(["/scrobble/start 1 201", "/scrobble/stop 97 201"]);
    expect(emulator.history("alice").map((h) => h.traktId)).toEqual([pilot.traktId]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const [idType, count] of Object.entries(counts)) {
      expect(metrics).toContain(`scrobblerd_identify_empty_id_lookups_total{id_type="${idType}"} ${count}`);
    }
  });
});
