// `login`, `logout`, `accounts`: the device login, revoking a token, and the accounts table.
import { formatAccounts, loginAccount, logoutAccount } from "../../accounts/session.js";
import type { GlobalOptions } from "../options.js";
import { createAccountsContext, defaultAccountsDeps, requireClientId, runAccountsCommand, type AccountsDeps } from "./accounts-context.js";

export async function login(globals: GlobalOptions, opts: { account?: string; qr: boolean }, overrides: Partial<AccountsDeps>): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const ctx = await createAccountsContext(globals, deps);
    track(ctx);
    requireClientId(ctx.config);
    const account = opts.account ?? ctx.config.accounts.default;
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(new Error("login cancelled"));
    process.once("SIGINT", onSigint);
    try {
      await loginAccount({ account, api: ctx.api, store: ctx.store, tokens: ctx.tokens, out: deps.out, logger: ctx.logger, signal: controller.signal, ...(opts.qr ? {} : { qr: false as const }) });
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      deps.out.write("\nLogin cancelled; nothing was stored.\n");
      process.exitCode = 130;
    } finally {
      process.off("SIGINT", onSigint);
    }
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
