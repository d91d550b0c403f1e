// `login`, `logout`, `accounts`: the device login, revoking a token, and the accounts table.
import { formatAccounts, loginAccount, logoutAccount } from "../../accounts/session.js";
import { cancelOnSigint } from "../cancel-on-sigint.js";
import type { GlobalOptions } from "../options.js";
import { createAccountsContext, defaultAccountsDeps, requireClientId, runAccountsCommand, type AccountsDeps } from "./accounts-context.js";

export async function login(globals: GlobalOptions, opts: { account?: string; qr: boolean }, overrides: Partial<AccountsDeps>): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const ctx = await createAccountsContext(globals, deps);
    track(ctx);
    requireClientId(ctx.config);
    const account = opts.account ?? ctx.config.accounts.default;
    await cancelOnSigint(deps.out, (signal) =>
      loginAccount({ account, api: ctx.api, store: ctx.store, tokens: ctx.tokens, out: deps.out, logger: ctx.logger, signal, ...(opts.qr ? {} : { qr: false as const }) }),
    );
  });
}

export async function logout(globals: GlobalOptions, opts: { account?: string }, overrides: Partial<AccountsDeps>): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const ctx = await createAccountsContext(globals, deps);
    track(ctx);
    requireClientId(ctx.config);
    const account = opts.account ?? ctx.config.accounts.default;
    await logoutAccount({ account, api: ctx.api, store: ctx.store, tokens: ctx.tokens, out: deps.out, logger: ctx.logger });
  });
}

export async function accounts(globals: GlobalOptions, opts: { json?: boolean }, overrides: Partial<AccountsDeps>): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const ctx = await createAccountsContext(globals, deps);
    track(ctx);
    const statuses = await ctx.tokens.statuses([ctx.config.accounts.default]);
    if (opts.json) deps.out.write(`${JSON.stringify(statuses, null, 2)}\n`);
    else deps.out.write(`Tokens: ${ctx.store.description}\n\n${formatAccounts(statuses)}`);
  });
}
