import type { Command } from "commander";

// Filled in by issue #9.
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the daemon")
    .action(() => {
      console.error("run: not implemented yet");
      process.exitCode = 1;
    });
}
