import type { Command } from "commander";

// Filled in by issue #3.
export function registerLogoutCommand(program: Command): void {
  program
    .command("logout")
    .description("revoke and forget an account's tokens")
    .action(() => {
      console.error("logout: not implemented yet");
      process.exitCode = 1;
    });
}
