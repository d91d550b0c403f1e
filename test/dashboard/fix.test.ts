// Fix the match, apart from the page: the rule is saved, the daemon reloads, and exactly the dead letters of unknown
// media that now identify go back to the queue; a file that cannot be written gives the YAML to paste by hand.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { DashboardHost } from "../../src/dashboard/host.js";
import { FixError, fixMatch } from "../../src/dashboard/fix.js";
import type { MediaHints } from "../../src/core/playback.js";
import type { QueueEntryView } from "../../src/outbox/index.js";
import { silentLogger } from "../../src/util/log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsd-fix-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function dead(id: string, kind: QueueEntryView["kind"], hints: MediaHints, reason: "unknown_media" | "not_found" = "unknown_media"): QueueEntryView {
  return {
    id,
    kind,
    account: "default",
    player: "mpv:tv",
    sessionKey: "s",
    playthroughId: id,
    label: hints.path ?? "?",
    hints,
    progress: 100,
    watch: kind !== "start",
    queuedAt: new Date().toISOString(),
    endedAt: undefined,
    ageMs: 0,
    attempts: 1,
    lastError: undefined,
    replayed: false,
    inFlight: false,
    dead: { reason, message: "not identified", at: new Date().toISOString() },
  };
}

function host(file: string | undefined, entries: QueueEntryView[], fixed: (hints: MediaHints) => boolean): { host: DashboardHost; retried: string[]; reloads: number[] } {
  const retried: string[] = [];
  const reloads: number[] = [];
  const stub = {
    log: silentLogger(),
    configTarget: () => file,
    reload: () => {
      reloads.push(Date.now());
      return Promise.resolve({ applied: true as const, restartNeeded: [], started: [], stopped: [], at: new Date().toISOString() });
    },
    outbox: {
      list: () => ({ pending: [], deadLetters: entries, counts: { pending: 0, deadLetters: entries.length, deadByReason: { not_found: 0, invalid: 0, account_limit: 0, unknown_media: entries.length } } }),
      retry: (id: string) => {
        retried.push(id);
        return Promise.resolve(entries.find((e) => e.id === id)!);
      },
    },
    identifier: { identify: (hints: MediaHints) => Promise.resolve(fixed(hints) ? { ok: true as const, items: [], source: "override" as const, confidence: 1, reason: "" } : { ok: false as const, retryable: false, reason: "no" }) },
  };
  return { host: stub as unknown as DashboardHost, retried, reloads };
}

const rule = { title: "Bladerunner Final Cut", to: { type: "movie" as const, trakt: 900001 } };
const film = { path: "/films/Bladerunner.Final.Cut.mkv" };

describe("fixMatch", () => {
  it("saves the rule, reloads, and sends again the watches that now identify (not a stale start, not other items)", async () => {
    const file = join(dir, "config.yaml");
    await writeFile(file, "# mine\nlog:\n  level: info\n");
    const entries = [dead("a", "stop", film), dead("b", "start", film), dead("c", "stop", { path: "/films/Other.mkv" }), dead("d", "stop", film, "not_found")];
    const { host: h, retried, reloads } = host(file, entries, (hints) => hints.path === film.path);
    const result = await fixMatch(h, { what: film.path, rule, picked: "Blade Runner 2049 (2017)" });
    expect(result).toMatchObject({ file, change: "added" });
    expect(retried).toEqual(["a"]);
    expect(reloads).toHaveLength(1);
    const text = await readFile(file, "utf8");
    expect(text.startsWith("# mine\nlog:\n  level: info\n")).toBe(true);
    expect(text).toContain('# Blade Runner 2049 (2017) — from the dashboard');
    expect(parse(text).identify.overrides).toEqual([rule]);
  });

  it("gives the YAML to paste when the file cannot be written, and changes nothing", async () => {
    const { host: h, retried, reloads } = host(join(dir, "no-such-dir", "config.yaml"), [dead("a", "stop", film)], () => true);
    const error = await fixMatch(h, { what: film.path, rule, picked: "Blade Runner 2049" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixError);
    expect((error as FixError).message).toMatch(/add this to the config file by hand/);
    expect(parse((error as FixError).snippet!)).toEqual({ identify: { overrides: [rule] } });
    expect(retried).toEqual([]);
    expect(reloads).toEqual([]);

    const none = host(undefined, [], () => true);
    await expect(fixMatch(none.host, { what: film.path, rule, picked: "x" })).rejects.toThrow(/no config file/);
  });

  it("refuses a rule that would make the config invalid", async () => {
    const file = join(dir, "config.yaml");
    await writeFile(file, "log:\n  level: info\n");
    const { host: h } = host(file, [], () => true);
    const bad = { title: "X", to: { type: "movie" as const, tvdb: 5 } };
    await expect(fixMatch(h, { what: "X.mkv", rule: bad, picked: "x" })).rejects.toThrow(/would make the config invalid/);
    expect(await readFile(file, "utf8")).toBe("log:\n  level: info\n");
  });
});
