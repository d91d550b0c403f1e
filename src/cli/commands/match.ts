// `trakt-scrobblerd match "<path or name>"…`: what would be scrobbled, from which source, and why.
// `--parse-only --json` prints what the file-name parser reads, without any request (for accuracy scripts).
import type { Command } from "commander";
import type { MatchOptions } from "../actions/match.js";

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
      const { match } = await import("../actions/match.js");
      await match(names, opts);
    });
}
