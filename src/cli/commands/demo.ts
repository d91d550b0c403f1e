import type { Command } from "commander";

// Filled in by issue #9.
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("watch a scrobble flow end to end against the bundled Trakt emulator")
    .action(() => {
      console.error("demo: not implemented yet");
      process.exitCode = 1;
    });
}
