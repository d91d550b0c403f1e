import type { Command } from "commander";

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("watch a scrobble flow end to end against the bundled Trakt emulator (no Trakt account needed)")
    .option("--by-ids", "the player reports the movie's imdb/tmdb ids instead of a file name")
    .option("--timeout <seconds>", "give up when the watch has not arrived within this time", "20")
    .action(async (opts: { byIds?: boolean; timeout: string }) => {
      const { demo } = await import("../actions/demo.js");
      await demo(opts);
    });
}
