import type { Command } from "commander";

// Filled in by issue #9.
export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("ask the running daemon what it is doing")
    .action(() => {
      console.error("status: not implemented yet");
      process.exitCode = 1;
    });
}
