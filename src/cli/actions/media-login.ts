// `jellyfin login` and `emby login`: get an access token of a server user (Quick Connect on Jellyfin, or a user
// name and password) and keep it with the other secrets (App.serverTokens), where the daemon's adapter reads it.
// The password is asked without echo, or read from stdin (--password-stdin); it is sent to the server once and
// never stored. The DeviceId of an earlier login is reused, so a new login replaces the daemon's own older token
// and nobody else's.
//
// `read` (the prompt of the npm CLI itself, kept by npm) asks without echo; raw-mode input written by hand tends to
// get backspace, Ctrl-C and pasted text wrong.
import { read } from "read";
import { App } from "../../compose/app.js";
import type { MediaServerKind } from "../../players/mediabrowser/dialect.js";
import { dialectOf, parseVersion } from "../../players/mediabrowser/dialect.js";
import { MediaServerClient } from "../../players/mediabrowser/client.js";
import { clientIdentity, newDeviceId, serverTokenKey } from "../../players/mediabrowser/identity.js";
import { loginWithPassword, loginWithQuickConnect } from "../../players/mediabrowser/login.js";
import type { AuthenticationResult } from "../../players/mediabrowser/messages.js";
import type { ServerTokenStore } from "../../secrets/server-tokens.js";
import { createLogger, registerSecret } from "../../util/log.js";
import { maskUrlCredentials } from "../../util/url-credentials.js";
import type { GlobalOptions } from "../options.js";
import { cancelOnSigint } from "../cancel-on-sigint.js";

export interface MediaLoginOptions {
  user?: string;
  passwordStdin?: boolean;
  quickConnect?: boolean;
}

export interface MediaLoginDeps {
  /** Where the token goes; by default the composition root's store. */
  serverTokens?: () => Promise<ServerTokenStore>;
  /** Results (stdout). */
  out: { write(text: string): unknown };
  /** Prompts and errors (stderr): stdout stays clean for scripts. */
  err: NodeJS.WritableStream;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  signal?: AbortSignal;
  /** Quick Connect polling (tests). */
  pollMs?: number;
}

export async function mediaServerLogin(kind: MediaServerKind, globals: GlobalOptions, opts: MediaLoginOptions, overrides: Partial<MediaLoginDeps> = {}): Promise<void> {
  const deps: MediaLoginDeps = { out: process.stdout, err: process.stderr, input: process.stdin, ...overrides };
  try {
    await cancelOnSigint(deps.out, async (signal) => {
      const { loadConfig } = await import("../../config/load.js");
      const loaded = loadConfig({ configFile: globals.config, stateDir: globals.stateDir });
      const log = createLogger({ level: "warn", destination: deps.err });
      const store = deps.serverTokens ? await deps.serverTokens() : await new App({ config: loaded.config, stateDir: loaded.stateDir, log }).serverTokens();
      await loginTo(kind, loaded.config[kind], store, { ...deps, signal: deps.signal ?? signal }, opts);
    });
  } catch (error) {
    deps.err.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

interface Section {
  url?: string | undefined;
  token?: string | undefined;
  requestTimeoutSeconds: number;
  maxMessageBytes: number;
}

async function loginTo(kind: MediaServerKind, section: Section, store: ServerTokenStore, deps: MediaLoginDeps, opts: MediaLoginOptions): Promise<void> {
  const dialect = dialectOf(kind);
  const product = dialect.product;
  if (section.url === undefined) throw new Error(`${kind}.url is not set: put the ${product} server's address in the config file (${kind}.url) or ${kind.toUpperCase()}_URL first`);
  if (opts.quickConnect && !dialect.quickConnect) throw new Error(`${product} has no Quick Connect: log in with --user`);
  if (opts.quickConnect && (opts.user !== undefined || opts.passwordStdin)) throw new Error("--quick-connect logs in without a user name or password: leave out --user and --password-stdin");

  const key = serverTokenKey(kind);
  const earlier = await store.get(key).catch(() => undefined);
  const deviceId = earlier?.deviceId ?? newDeviceId();
  const client = new MediaServerClient({
    baseUrl: section.url,
    dialect,
    identity: clientIdentity(deviceId),
    timeoutMs: section.requestTimeoutSeconds * 1000,
    maxBytes: section.maxMessageBytes,
  });
  const { signal } = deps;
  const info = await client.systemInfo(signal);
  deps.out.write(`${product} ${info.Version} "${info.ServerName ?? "unnamed"}" at ${maskUrlCredentials(section.url)}\n`);

  const useQuickConnect = opts.quickConnect === true || (dialect.quickConnect && opts.user === undefined && !opts.passwordStdin && (await client.quickConnectEnabled(signal).catch(() => false)));
  let result: AuthenticationResult;
  if (useQuickConnect) {
    result = await loginWithQuickConnect(client, {
      ...(signal ? { signal } : {}),
      ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
      onCode: (code) => deps.out.write(`In ${product}, signed in as the user to log in (an administrator, to scrobble everyone), open your profile → Quick Connect and enter the code:\n\n    ${code}\n\nWaiting for the approval…\n`),
    });
  } else {
    const user = opts.user ?? (await ask(deps, "User name: ", false));
    if (user === "") throw new Error("no user name given");
    const password = opts.passwordStdin ? await firstLine(deps.input) : await ask(deps, `Password of ${user}: `, true);
    result = await loginWithPassword(client, user, password, signal);
  }
  registerSecret(result.AccessToken);
  await store.set(key, { token: result.AccessToken, user: result.User.Name, deviceId, updatedAt: new Date().toISOString() });

  const admin = result.User.Policy?.IsAdministrator === true;
  const access = { kind: "user" as const, id: result.User.Id, name: result.User.Name, admin };
  deps.out.write(`Logged in to ${product} as ${result.User.Name}${admin ? " (administrator)" : ""}; the token is stored with the other secrets.\n`);
  const refusal = dialect.sessionsFeedRefusal(parseVersion(info.Version), access);
  if (refusal) deps.out.write(`Warning: ${refusal}\n`);
  else if (dialect.visibility(parseVersion(info.Version), access) === "own") deps.out.write(`Note: ${result.User.Name} is not an administrator, so only ${result.User.Name}'s own playback is followed.\n`);
  if (section.token !== undefined) deps.out.write(`Note: ${kind}.token (config or ${kind.toUpperCase()}_TOKEN) is set and wins over this login: remove it to use the login.\n`);
  else deps.out.write("A running daemon uses it at its next connection to the server (restart it to use it now).\n");
}

async function ask(deps: MediaLoginDeps, prompt: string, silent: boolean): Promise<string> {
  if (!deps.input.isTTY) throw new Error(silent ? "no terminal to ask the password on: use --password-stdin" : "no terminal to ask the user name on: use --user");
  const answer = await read({ prompt, silent, replace: "", input: deps.input, output: deps.err });
  return String(answer).trim();
}

/** The first line of a stream (a password piped in: `echo "$PW" | … --password-stdin`), at most 4 KiB. */
async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const newline = text.search(/\r?\n/);
    if (newline >= 0) return text.slice(0, newline);
    if (text.length > 4096) throw new Error("the password on stdin is longer than 4 KiB");
  }
  if (text === "") throw new Error("--password-stdin: nothing on stdin");
  return text;
}
