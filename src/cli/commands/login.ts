import type { Command } from "commander";

// Filled in by issue #3.
export function registerLoginCommand(program: Command): void {
  program
    .command("login")
    .description("log in to Trakt with the device flow")
    .action(() => {
      console.error("login: not implemented yet");
      process.exitCode = 1;
    });
}
