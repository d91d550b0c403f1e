import type { Command } from "commander";

// Filled in by issue #9.
export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check config, Trakt, tokens and players")
    .action(() => {
      console.error("doctor: not implemented yet");
      process.exitCode = 1;
    });
}
