// Every command the CLI has: its name, arguments, options and help — and nothing else. The work of a command is in
// actions/<name>.ts and is loaded only when that command runs, so `healthcheck` (Docker runs it every 30 s) never
// pays for the daemon, the doctor or the demo, and `--help` lists every command without loading any of them. One
// module, not one per command: each module a command loads costs start-up time (bench/startup.ts).
import type { Command } from "commander";
import type { AccountsDeps } from "./actions/accounts-context.js";
import type { MatchOptions } from "./actions/match.js";
import type { GlobalOptions } from "./options.js";

const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the daemon: follow the configured players and scrobble to Trakt (SIGTERM/SIGINT stop it, SIGHUP reloads the config)")
    .action(async (_opts: unknown, command: Command) => {
      const { run } = await import("./actions/run.js");
      await run(globals(command));
    });
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("ask the running daemon what it is doing (its /api/status)")
    .option("--json", "print the raw JSON")
    .option("--url <url>", "the daemon's base URL instead of the one derived from server.host/server.port")
    .action(async (opts: { json?: boolean; url?: string }, command: Command) => {
      const { status } = await import("./actions/status.js");
      await status(globals(command), opts);
    });
}

export function registerLoginCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("login")
    .description("log in to Trakt with the device flow (shows a code and a QR code to approve on trakt.tv)")
    .option("-a, --account <name>", "name of the account to log in (default: accounts.default, usually 'default')")
    .option("--no-qr", "do not print a QR code")
    .action(async (opts: { account?: string; qr: boolean }, command: Command) => {
      const { login } = await import("./actions/accounts.js");
      await login(globals(command), opts, overrides);
    });
}

export function registerLogoutCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("logout")
    .description("revoke an account's token on Trakt and delete it here (deleted here even if Trakt cannot be reached)")
    .option("-a, --account <name>", "account to log out (default: accounts.default)")
    .action(async (opts: { account?: string }, command: Command) => {
      const { logout } = await import("./actions/accounts.js");
      await logout(globals(command), opts, overrides);
    });
}

export function registerAccountsCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  program
    .command("accounts")
    .description("list accounts: Trakt user, token expiry, where the tokens are stored, and state (ok / refresh due / needs login / locked)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { accounts } = await import("./actions/accounts.js");
      await accounts(globals(command), opts, overrides);
    });
}

export function registerPlexCommand(program: Command, overrides: Partial<AccountsDeps> = {}): void {
  const plex = program.command("plex").description("Plex Media Servers followed through their notification socket (plex.servers)");
  plex
    .command("login")
    .description("get the server owner's Plex token with the plex.tv PIN login (shows a code to enter at plex.tv/link) and store it with the other secrets")
    .option("-s, --server <name>", "the server under plex.servers the token is for (default: the only one configured)")
    .option("--no-qr", "do not print a QR code")
    .action(async (opts: { server?: string; qr: boolean }, command: Command) => {
      const { plexLogin } = await import("./actions/plex.js");
      await plexLogin(globals(command), opts, overrides);
    });
  plex
    .command("logout")
    .description("delete the stored Plex token of a server")
    .option("-s, --server <name>", "the server under plex.servers (default: the only one configured)")
    .action(async (opts: { server?: string }, command: Command) => {
      const { plexLogout } = await import("./actions/plex.js");
      await plexLogout(globals(command), opts, overrides);
    });
}

/** `jellyfin login`, `emby login`: a server user's access token for the daemon (an API key in the config works too). */
export function registerMediaServerCommands(program: Command): void {
  const servers = [
    { kind: "jellyfin", product: "Jellyfin", quickConnect: true },
    { kind: "emby", product: "Emby", quickConnect: false },
  ] as const;
  for (const { kind, product, quickConnect } of servers) {
    const server = program.command(kind).description(`${product}: log in to the server the daemon follows (${kind}.url)`);
    const login = server
      .command("login")
      .description(
        `log in as a ${product} user (an administrator, to scrobble every user) and store the token with the other secrets${quickConnect ? ": Quick Connect when the server has it on, else user name and password" : ""}`,
      )
      .option("-u, --user <name>", "the user name (the password is asked without echo)")
      .option("--password-stdin", "read the password from the first line of stdin (scripts, Docker secrets)");
    if (quickConnect) login.option("--quick-connect", "log in with a Quick Connect code approved in a signed-in Jellyfin app");
    login.addHelpText(
      "after",
      `
An API key works as well and needs no login: ${product} dashboard → API Keys, then set ${kind}.token (${kind.toUpperCase()}_TOKEN).${kind === "jellyfin" ? " Jellyfin 10.9.0–10.10.5 does not send its sessions feed to API keys: log in as an administrator there." : ""}`,
    );
    login.action(async (opts: { user?: string; passwordStdin?: boolean; quickConnect?: boolean }, command: Command) => {
      const { mediaServerLogin } = await import("./actions/media-login.js");
      await mediaServerLogin(kind, globals(command), opts);
    });
  }
}

export function registerConfigCommand(program: Command): void {
  const config = program.command("config").description("check and print the effective configuration");
  config
    .command("check", { isDefault: true })
    .description("validate the config (file + environment) and print it with secrets masked; exit 2 if invalid")
    .action(async (_opts: unknown, command: Command) => {
      const { configCheck } = await import("./actions/config.js");
      configCheck(globals(command));
    });
  config
    .command("example")
    .description("print an example config file with every key, its default and its description")
    .action(async () => {
      const { configExample } = await import("./actions/config.js");
      configExample();
    });
}

export function registerQueueCommand(program: Command): void {
  const queueCommand = program.command("queue").description("inspect and manage the outbox and its dead letters");
  const run = async (command: Command, op: "list" | "retry" | "drop", id?: string): Promise<void> => {
    const { queue } = await import("./actions/queue.js");
    await queue(command.optsWithGlobals<GlobalOptions & { json?: boolean }>(), op, id);
  };
  queueCommand
    .command("list")
    .description("show what waits to be sent and the dead letters, with reason and age")
    .option("--json", "machine-readable output")
    .action((_opts: unknown, command: Command) => run(command, "list"));
  queueCommand
    .command("retry <id>")
    .description("move a dead letter back to the queue (an id prefix is enough)")
    .action((id: string, _opts: unknown, command: Command) => run(command, "retry", id));
  queueCommand
    .command("drop <id>")
    .description("remove a dead letter or a pending intent for good (an id prefix is enough)")
    .action((id: string, _opts: unknown, command: Command) => run(command, "drop", id));
}

export function registerMatchCommand(program: Command): void {
  program
    .command("match")
    .description("show what a path or name would be scrobbled as, from which source, and why")
    .argument("<names...>", "file paths, file names or titles (quote each one)")
    .option("--parse-only", "only parse the names; no Trakt request, no config needed")
    .option("--json", "one JSON line per name")
    .option("--kind <kind>", "treat every name as a movie or an episode")
    .option("--no-cache", "ignore the identification cache in the state dir")
    .addHelpText(
      "after",
      `
Examples:
  trakt-scrobblerd match "/media/tv/The Office (US)/Season 05/The Office (US) - S05E14.mkv"
  trakt-scrobblerd match --parse-only --json "Show.Name.S02E01E02.720p.mkv" "[Group] Show - 123 [1080p].mkv"`,
    )
    .action(async (names: string[], _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<MatchOptions>();
      if (opts.kind !== undefined && opts.kind !== "movie" && opts.kind !== "episode") {
        command.error(`--kind must be "movie" or "episode", not "${String(opts.kind)}"`);
      }
      const { match } = await import("./actions/match.js");
      await match(names, opts);
    });
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check config, state dir, Trakt, tokens, players and the daemon; each line with a hint (exit 1 if any check failed)")
    .option("--timeout <ms>", "timeout of each network check", "5000")
    .option("--url <url>", "the running daemon's base URL instead of the one from server.host/server.port")
    .option("--json", "print the results as JSON ([{check, status, message, hint}])")
    .action(async (opts: { timeout: string; url?: string; json?: boolean }, command: Command) => {
      const { doctor } = await import("./actions/doctor.js");
      await doctor(globals(command), opts);
    });
}

export function registerNotifyCommand(program: Command): void {
  const notify = program.command("notify").description("notification targets (ntfy, Gotify, Discord, Telegram, JSON webhooks)");
  notify
    .command("test")
    .description("send a test message to every notification target (or one) now, and say how each answered; exit 1 if any failed")
    .option("-t, --target <name>", "only the target with this name (notify.targets[].name, or as `doctor` lists it)")
    .option("--timeout <ms>", "give up on a target after this many milliseconds", "10000")
    .option("--json", "print the results as JSON")
    .action(async (opts: { target?: string; json?: boolean; timeout: string }, command: Command) => {
      const { notifyTest } = await import("./actions/notify.js");
      await notifyTest(globals(command), opts);
    });
}

export function registerHealthcheckCommand(program: Command): void {
  program
    .command("healthcheck")
    .description("exit 0 if the running daemon answers GET /healthz, else 1 (for Docker HEALTHCHECK)")
    .option("--url <url>", "check this URL instead of the one derived from server.host/server.port")
    .option("--timeout <ms>", "give up after this many milliseconds", "5000")
    .action(async (opts: { url?: string; timeout: string }, command: Command) => {
      const { healthcheck } = await import("./actions/healthcheck.js");
      await healthcheck(globals(command), opts);
    });
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("watch a scrobble flow end to end against the bundled Trakt emulator (no Trakt account needed)")
    .option("--by-ids", "the player reports the movie's imdb/tmdb ids instead of a file name")
    .option("--timeout <seconds>", "give up when the watch has not arrived within this time", "20")
    .action(async (opts: { byIds?: boolean; timeout: string }) => {
      const { demo } = await import("./actions/demo.js");
      await demo(opts);
    });
}

/** Every command, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerRunCommand(program);
  registerStatusCommand(program);
  registerLoginCommand(program);
  registerLogoutCommand(program);
  registerAccountsCommand(program);
  registerPlexCommand(program);
  registerMediaServerCommands(program);
  registerConfigCommand(program);
  registerQueueCommand(program);
  registerMatchCommand(program);
  registerDoctorCommand(program);
  registerNotifyCommand(program);
  registerHealthcheckCommand(program);
  registerDemoCommand(program);
}
