// `trakt-scrobblerd match "<path or name>"…`: what would be scrobbled, from which source, and why.
// `--parse-only --json` prints what the file-name parser reads, without any request (for accuracy scripts).
import { App } from "../../compose/app.js";
import { ConfigError } from "../../config/errors.js";
import { describeParsed } from "../../identify/identifier.js";
import { parseMediaName, type ParsedName } from "../../identify/parse/name.js";
import { createIdentifier } from "../../identify/setup.js";
import type { Identification } from "../../identify/types.js";
import type { MediaHints } from "../../core/playback.js";
import type { MediaItem } from "../../core/media.js";
import { silentLogger } from "../../util/log.js";
import type { GlobalOptions } from "../options.js";
import { EXIT_CONFIG_INVALID } from "./config.js";

export interface MatchOptions extends GlobalOptions {
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
  const se =
    e.season !== undefined && e.number !== undefined
      ? `S${String(e.season).padStart(2, "0")}E${String(e.number).padStart(2, "0")}`
      : e.number_abs !== undefined
        ? `absolute episode ${e.number_abs}`
        : "episode";
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

/** Parses (and, unless --parse-only, identifies) each name; exit 1 when one is not matched, 2 for a bad config. */
export async function match(names: string[], opts: MatchOptions): Promise<void> {
  if (opts.parseOnly) {
    for (const name of names) {
      const parsed = parseMediaName(name);
      console.log(opts.json ? JSON.stringify(parseOnlyRecord(name, parsed)) : `${name}\n  parsed:  ${describeParsed(parsed)}`);
    }
    return;
  }
  let app: App;
  try {
    // A quick preview: one retry of a failed search at most.
    app = await App.load({ configFile: opts.config, stateDir: opts.stateDir }, { logger: () => silentLogger(), traktRetries: 1 });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`invalid configuration (see \`trakt-scrobblerd config check\`):\n${error.message.replace(/^/gm, "  ")}`);
    process.exitCode = EXIT_CONFIG_INVALID;
    return;
  }
  // Unlike the daemon (whose watches wait in the outbox for a client id), a preview without one uses ids only.
  const api = app.config.trakt.clientId ? await app.trakt() : undefined;
  if (!api && !opts.json) console.error("note: no Trakt client id configured (trakt.clientId): ids are used, searches are skipped");
  const { identifier } = createIdentifier({ config: app.config.identify, stateDir: opts.cache === false ? undefined : app.stateDir, api });
  let unmatched = 0;
  for (const name of names) {
    const hints = hintsForName(name, opts.kind);
    const parsed = parseMediaName(hints.path ?? hints.mediaTitle ?? name);
    const result = await identifier.identify(hints);
    if (!result.ok) unmatched++;
    console.log(opts.json ? JSON.stringify({ name, parsed: parseOnlyRecord(name, parsed), result }) : formatMatch(name, parsed, result));
  }
  if (unmatched > 0) process.exitCode = 1;
}
