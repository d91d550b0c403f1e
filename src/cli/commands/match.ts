// `trakt-scrobblerd match "<path or name>"…`: what would be scrobbled, from which source, and why.
// `--parse-only --json` prints what the file-name parser reads, without any request (for accuracy scripts).
import type { Command } from "commander";
import { ConfigError } from "../../config/errors.js";
import { loadConfig, type LoadedConfig } from "../../config/load.js";
import { describeParsed } from "../../identify/identifier.js";
import { parseMediaName, type ParsedName } from "../../identify/parse/name.js";
import { createIdentifier } from "../../identify/setup.js";
import type { Identification } from "../../identify/types.js";
import type { MediaHints } from "../../core/playback.js";
import { TraktClient } from "../../trakt/client.js";
import type { MediaItem } from "../../core/media.js";
import { silentLogger } from "../../util/log.js";
import type { GlobalOptions } from "../options.js";
import { EXIT_CONFIG_INVALID } from "./config.js";

interface MatchOptions extends GlobalOptions {
  parseOnly?: boolean;
  json?: boolean;
  cache?: boolean;
  kind?: "movie" | "episode";
}

/** One JSON line per name: the fields accuracy scripts compare. */
export function parseOnlyRecord(name: string, parsed: ParsedName): Record<string, unknown> {
  const many = (v: number[] | undefined): number | number[] | undefined => (v === undefined ? undefined : v.length === 1 ? v[0] : v);
  return {
    name,
    type: parsed.type,
    title: parsed.title ?? null,
    year: parsed.year ?? null,
    season: many(parsed.seasons) ?? null,
    episode: many(parsed.episodes) ?? null,
    ...(parsed.absolute ? { absolute: true } : {}),
  };
}

/** A name is a path when it has a folder separator; otherwise it is what mpv would call a media-title. */
export function hintsForName(name: string, kind?: "movie" | "episode"): MediaHints {
  const hints: MediaHints = /[\\/]/.test(name) ? { path: name } : { mediaTitle: name };
  if (kind) hints.kind = kind;
  return hints;
}

function describeItem(item: MediaItem): string {
  const ids = (o: { ids?: object } | undefined): string =>
    Object.entries(o?.ids ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}:${String(v)}`)
      .join(" ");
  if (item.type === "movie") return `movie ${item.movie.title ? `"${item.movie.title}"${item.movie.year ? ` (${item.movie.year})` : ""} ` : ""}[${ids(item.movie)}]`;
  const e = item.episode;
  const se = e.season !== undefined && e.number !== undefined ? `S${String(e.season).padStart(2, "0")}E${String(e.number).padStart(2, "0")}` : "episode";
  const show = item.show ? ` of ${item.show.title ? `"${item.show.title}" ` : ""}[${ids(item.show)}]` : "";
  const own = e.ids && Object.keys(e.ids).length > 0 ? ` [episode ${ids(e)}]` : "";
  return `${se}${show}${own}`;
}

export function formatMatch(name: string, parsed: ParsedName, result: Identification): string {
  const lines = [name, `  parsed:  ${describeParsed(parsed)}`];
  if (result.ok) {
    for (const item of result.items) lines.push(`  scrobble: ${describeItem(item)}`);
    lines.push(`  source:  ${result.source} (confidence ${result.confidence.toFixed(2)})`, `  why:     ${result.reason}`);
  } else {
    lines.push(`  scrobble: nothing${result.retryable ? " for now (will retry)" : ""}`, `  why:     ${result.reason}`);
  }
  return lines.join("\n");
}

export function registerMatchCommand(program: Command): void {
  program
    .command("match")
    .description("show what a path or name would be scrobbled as, from which source, and why")
    .argument("<names...>", "file paths, file names or titles (quote each one)")
    .option("--parse-only", "only parse the names; no Trakt request, no config needed")
    .option("--json", "one JSON line per name")
    .option("--kind <kind>", "treat every name as a movie or an episode")
    .option("--no-cache", "ignore the identification cache in the state dir")
    .addHelpText(
      "after",
      `
Examples:
  trakt-scrobblerd match "/media/tv/The Office (US)/Season 05/The Office (US) - S05E14.mkv"
  trakt-scrobblerd match --parse-only --json "Show.Name.S02E01E02.720p.mkv" "[Group] Show - 123 [1080p].mkv"`,
    )
    .action(async (names: string[], _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<MatchOptions>();
      if (opts.kind !== undefined && opts.kind !== "movie" && opts.kind !== "episode") {
        command.error(`--kind must be "movie" or "episode", not "${String(opts.kind)}"`);
      }
      if (opts.parseOnly) {
        for (const name of names) {
          const parsed = parseMediaName(name);
          console.log(opts.json ? JSON.stringify(parseOnlyRecord(name, parsed)) : `${name}\n  parsed:  ${describeParsed(parsed)}`);
        }
        return;
      }
      let loaded: LoadedConfig;
      try {
        loaded = loadConfig({ configFile: opts.config, stateDir: opts.stateDir });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.error(`invalid configuration (see \`trakt-scrobblerd config check\`):\n${error.message.replace(/^/gm, "  ")}`);
        process.exitCode = EXIT_CONFIG_INVALID;
        return;
      }
      const { config } = loaded;
      const stateDir = opts.cache === false ? undefined : loaded.stateDir;
      const api = config.trakt.clientId
        ? new TraktClient({ apiUrl: config.trakt.apiUrl, authUrl: config.trakt.authUrl, clientId: config.trakt.clientId, timeoutMs: config.trakt.timeoutMs, retries: 1, logger: silentLogger() })
        : undefined;
      if (!api && !opts.json) console.error("note: no Trakt client id configured (trakt.clientId): ids are used, searches are skipped");
      const { identifier } = createIdentifier({ config: config.identify, stateDir, api });
      let unmatched = 0;
      for (const name of names) {
        const hints = hintsForName(name, opts.kind);
        const parsed = parseMediaName(hints.path ?? hints.mediaTitle ?? name);
        const result = await identifier.identify(hints);
        if (!result.ok) unmatched++;
        console.log(opts.json ? JSON.stringify({ name, parsed: parseOnlyRecord(name, parsed), result }) : formatMatch(name, parsed, result));
      }
      if (unmatched > 0) process.exitCode = 1;
    });
}
