import type { Command } from "commander";
import { createAccountsContext, defaultAccountsDeps, requireClientId, runAccountsCommand, type AccountsDeps, type GlobalOptionsLike } from "../../accounts/context.js";
import { loginAccount } from "../../accounts/session.js";

export function registerLoginCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("login")
    .description("log in to Trakt with the device flow (shows a code and a QR code to approve on trakt.tv)")
    .option("-a, --account <name>", "name of the account to log in (default: accounts.default, usually 'default')")
    .option("--no-qr", "do not print a QR code")
    .action(async (opts: { account?: string; qr: boolean }, command: Command) => {
      const deps = defaultAccountsDeps(overrides);
      await runAccountsCommand(deps, async (track) => {
        const ctx = await createAccountsContext(command.optsWithGlobals<GlobalOptionsLike>(), deps);
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
    });
}
