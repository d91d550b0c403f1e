import type { Command } from "commander";

// Filled in by issue #2.
export function registerConfigCommand(program: Command): void {
  program
    .command("config")
    .description("check and print the effective configuration")
    .action(() => {
      console.error("config: not implemented yet");
      process.exitCode = 1;
    });
}
