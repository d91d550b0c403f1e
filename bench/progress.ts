// Progress error at stop per adapter, as measured by the adapters' own integration tests against real players
// (mpv and a headless Kodi 20), for Plex's notification socket through the whole daemon against the fake Plex Media
// Server (what Trakt is told vs the server's viewOffset), and for Jellyfin and Emby against the fake server
// (test/players/mediabrowser/fake-server.ts: the position on the server's clock where the client stopped, vs what the
// adapter reported; the server no longer says where a playback ended, so the adapter keeps the last position
// itself): this runs just those tests and reads the figure each prints. Plex webhooks carry the position itself in
// media.stop (viewOffset), passed on unchanged.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO } from "./lib/child.js";
import type { BenchRow } from "./lib/row.js";

const TESTS = [
  { player: "mpv", file: "test/players/mpv/adapter.test.ts", name: "reports stop at about 40 %", pattern: /progress error at stop: .*→ ([\d.]+) points/ },
  { player: "Kodi 20 (headless)", file: "test/players/kodi/adapter.kodi20.test.ts", name: "stop at ~40 %", pattern: /progress at stop: .*→ error (-?[\d.]+) points/ },
  {
    player: "Plex notification socket (fake PMS, through the daemon)",
    file: "test/players/plex/socket-pipeline.test.ts",
    name: "a stop below the threshold is a pause on Trakt",
    pattern: /plex socket progress error at stop: .*→ ([\d.]+) points/,
  },
  ...(["jellyfin", "emby"] as const).map((kind) => ({
    player: `${kind === "jellyfin" ? "Jellyfin" : "Emby"} (fake server)`,
    file: "test/players/mediabrowser/adapter.test.ts",
    name: `${kind} adapter stops below the threshold`,
    pattern: new RegExp(`${kind} progress error at stop: .*→ ([\\d.]+) points`),
  })),
];

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const t of TESTS) {
    let out = "";
    try {
      const result = await promisify(execFile)("npx", ["vitest", "run", t.file, "-t", t.name], { cwd: REPO, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
      out = result.stdout + result.stderr;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      out = (e.stdout ?? "") + (e.stderr ?? "");
    }
    const match = t.pattern.exec(out);
    const skipped = /SKIPPED: [^\n]*/.exec(out)?.[0];
    if (match?.[1] === undefined) {
      rows.push({ metric: `progress error at stop, ${t.player}`, value: skipped ?? `not measured (see ${t.file})`, goal: "≤ 1 point" });
      continue;
    }
    const points = Math.abs(Number(match[1]));
    rows.push({ metric: `progress error at stop, ${t.player}`, value: `${points.toFixed(3)} points`, goal: "≤ 1 point", ok: points <= 1 });
  }
  rows.push({ metric: "progress error at stop, Plex webhooks", value: "0 (media.stop carries viewOffset; test/players/plex/adapter.test.ts)", goal: "≤ 1 point", ok: true });
  return rows;
}
