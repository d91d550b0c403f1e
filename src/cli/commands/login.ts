import type { Command } from "commander";
import type { AccountsDeps } from "../actions/accounts-context.js";
import type { GlobalOptions } from "../options.js";

export function registerLoginCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("login")
    .description("log in to Trakt with the device flow (shows a code and a QR code to approve on trakt.tv)")
    .option("-a, --account <name>", "name of the account to log in (default: accounts.default, usually 'default')")
    .option("--no-qr", "do not print a QR code")
    .action(async (opts: { account?: string; qr: boolean }, command: Command) => {
      const { login } = await import("../actions/accounts.js");
      await login(command.optsWithGlobals<GlobalOptions>(), opts, overrides);
    });
}
