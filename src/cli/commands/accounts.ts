import type { Command } from "commander";
import type { AccountsDeps } from "../actions/accounts-context.js";
import type { GlobalOptions } from "../options.js";

export function registerAccountsCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("accounts")
    .description("list accounts: Trakt user, token expiry, where the tokens are stored, and state (ok / refresh due / needs login / locked)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { accounts } = await import("../actions/accounts.js");
      await accounts(command.optsWithGlobals<GlobalOptions>(), opts, overrides);
    });
}
