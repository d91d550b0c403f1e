import type { Command } from "commander";
import { createAccountsContext, defaultAccountsDeps, requireClientId, runAccountsCommand, type AccountsDeps, type GlobalOptionsLike } from "../../accounts/context.js";
import { logoutAccount } from "../../accounts/session.js";

export function registerLogoutCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("logout")
    .description("revoke an account's token on Trakt and delete it here (deleted here even if Trakt cannot be reached)")
    .option("-a, --account <name>", "account to log out (default: accounts.default)")
    .action(async (opts: { account?: string }, command: Command) => {
      const deps = defaultAccountsDeps(overrides);
      await runAccountsCommand(deps, async (track) => {
        const ctx = await createAccountsContext(command.optsWithGlobals<GlobalOptionsLike>(), deps);
        track(ctx);
        requireClientId(ctx.config);
        const account = opts.account ?? ctx.config.accounts.default;
        await logoutAccount({ account, api: ctx.api, store: ctx.store, tokens: ctx.tokens, out: deps.out, logger: ctx.logger });
      });
    });
}
