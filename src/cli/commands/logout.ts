import type { Command } from "commander";
import type { AccountsDeps } from "../actions/accounts-context.js";
import type { GlobalOptions } from "../options.js";

export function registerLogoutCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("logout")
    .description("revoke an account's token on Trakt and delete it here (deleted here even if Trakt cannot be reached)")
    .option("-a, --account <name>", "account to log out (default: accounts.default)")
    .action(async (opts: { account?: string }, command: Command) => {
      const { logout } = await import("../actions/accounts.js");
      await logout(command.optsWithGlobals<GlobalOptions>(), opts, overrides);
    });
}
