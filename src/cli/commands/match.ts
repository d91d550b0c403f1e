import type { Command } from "commander";

// Filled in by issue #5.
export function registerMatchCommand(program: Command): void {
  program
    .command("match")
    .description("show what a path or name would be scrobbled as")
    .action(() => {
      console.error("match: not implemented yet");
      process.exitCode = 1;
    });
}
