import type { Command } from "commander";
import { createAccountsContext, defaultAccountsDeps, runAccountsCommand, type AccountsDeps, type GlobalOptionsLike } from "../../accounts/context.js";
import { formatAccounts } from "../../accounts/session.js";

export function registerAccountsCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("accounts")
    .description("list accounts: Trakt user, token expiry, where the tokens are stored, and state (ok / refresh due / needs login / locked)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const deps = defaultAccountsDeps(overrides);
      await runAccountsCommand(deps, async (track) => {
        const ctx = await createAccountsContext(command.optsWithGlobals<GlobalOptionsLike>(), deps);
        track(ctx);
        const statuses = await ctx.tokens.statuses([ctx.config.accounts.default]);
        if (opts.json) deps.out.write(`${JSON.stringify(statuses, null, 2)}\n`);
        else deps.out.write(`Tokens: ${ctx.store.description}\n\n${formatAccounts(statuses)}`);
      });
    });
}
