import type { Command } from "commander";

// Filled in by issue #3.
export function registerAccountsCommand(program: Command): void {
  program
    .command("accounts")
    .description("list accounts and their token state")
    .action(() => {
      console.error("accounts: not implemented yet");
      process.exitCode = 1;
    });
}
