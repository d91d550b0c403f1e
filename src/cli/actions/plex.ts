// `plex login` / `plex logout`: the plex.tv PIN login for a server under plex.servers, its token kept with the other
// secrets (src/secrets/server-token-stores.ts), and a check of what the token may see on that server.
import { randomUUID } from "node:crypto";
import { App } from "../../compose/app.js";
import type { Config } from "../../config/schema.js";
import { PlexHttpError, PlexServerApi } from "../../players/plex/server-api.js";
import { runPlexPinLogin } from "../../accounts/plex-pin.js";
import { createLogger } from "../../util/log.js";
import { cancelOnSigint } from "../cancel-on-sigint.js";
import type { GlobalOptions } from "../options.js";
import { defaultAccountsDeps, runAccountsCommand, type AccountsDeps } from "./accounts-context.js";

type PlexServer = Config["plex"]["servers"][number];

/** The server a token is for: --server, else the only one configured. */
export function chooseServer(servers: readonly PlexServer[], wanted: string | undefined): { name: string; server: PlexServer | undefined } {
  if (wanted !== undefined) return { name: wanted, server: servers.find((s) => s.name === wanted) };
  if (servers.length === 1 && servers[0]) return { name: servers[0].name, server: servers[0] };
  if (servers.length === 0) {
    throw new Error("no Plex server is configured: add one under plex.servers (name and url, e.g. { name: home, url: http://192.168.1.10:32400 }), or name it with --server");
  }
  throw new Error(`several Plex servers are configured: say which one with --server (${servers.map((s) => s.name).join(", ")})`);
}

async function context(globals: GlobalOptions, deps: AccountsDeps): Promise<{ config: Config; app: App }> {
  const config = await deps.loadConfig(globals);
  const stateDir = globals.stateDir ?? config.stateDir;
  if (!stateDir) throw new Error("no state directory: pass --state-dir or set stateDir in the config file");
  const level = config.log.level === "debug" || config.log.level === "trace" ? config.log.level : "warn";
  return { config, app: new App({ config, stateDir, log: createLogger({ level, destination: deps.logDestination }) }) };
}

export async function plexLogin(globals: GlobalOptions, opts: { server?: string; qr: boolean }, overrides: Partial<AccountsDeps> = {}): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const { config, app } = await context(globals, deps);
    const { name, server } = chooseServer(config.plex.servers, opts.server);
    const store = await app.secretStore();
    track({ store });
    const key = { kind: "plex", server: name } as const;
    // The same client identifier as the last login of this server: plex.tv lists one device, not one per login.
    const previous = await store.serverTokens.get(key).catch(() => undefined);
    const clientIdentifier = previous?.deviceId ?? `trakt-scrobblerd-${randomUUID()}`;
    const login = await cancelOnSigint(deps.out, (signal) =>
      runPlexPinLogin({
        plexTvUrl: config.plex.plexTvUrl,
        clientIdentifier,
        out: deps.out,
        signal,
        logger: app.log,
        ...(opts.qr ? {} : { qr: false as const }),
      }),
    );
    if (login.cancelled) return;
    const token = login.value;
    await store.serverTokens.set(key, { token, deviceId: clientIdentifier, updatedAt: new Date().toISOString() });
    deps.out.write(`\nLogged in: the Plex token for server "${name}" is stored (${store.description}).\n`);
    if (server === undefined) {
      deps.out.write(`Note: no server named "${name}" is under plex.servers yet; add it (name: ${name}, url: http://<host>:32400) to follow it.\n`);
      return;
    }
    if (server.token !== undefined || config.plex.token !== undefined) {
      deps.out.write(`Note: ${server.token !== undefined ? `plex.servers[${name}].token` : "plex.token (PLEX_TOKEN)"} is set and is used instead of the stored token; remove it to use this one.\n`);
    }
    deps.out.write(`${await describeAccess(server, token)}\n`);
  });
}

/** What the token may do on the server: the owner's token lists every user's sessions. */
async function describeAccess(server: PlexServer, token: string): Promise<string> {
  const api = new PlexServerApi({ url: server.url, token, timeoutMs: 5_000 });
  let friendly: string;
  try {
    const identity = await api.identity();
    friendly = identity.friendlyName ?? server.url;
  } catch (error) {
    if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
      return `Warning: ${server.url} refused this token: sign in at plex.tv/link with the Plex account that owns that server, then run this again.`;
    }
    return `Could not check the token against ${server.url} now (${(error as Error).message}); the daemon will use it when the server answers.`;
  }
  try {
    await api.sessions();
  } catch (error) {
    if (error instanceof PlexHttpError && (error.kind === "unauthorized" || error.kind === "forbidden")) {
      return `Warning: this token works on "${friendly}" but may not list its sessions (/status/sessions needs the server owner's token): log in with the owner's Plex account.`;
    }
    return `The token works on "${friendly}"; listing its sessions failed just now (${(error as Error).message}).`;
  }
  return `The token works on "${friendly}" and sees every user's sessions there. A running daemon picks it up by itself.`;
}

export async function plexLogout(globals: GlobalOptions, opts: { server?: string }, overrides: Partial<AccountsDeps> = {}): Promise<void> {
  const deps = defaultAccountsDeps(overrides);
  await runAccountsCommand(deps, async (track) => {
    const { config, app } = await context(globals, deps);
    const { name } = chooseServer(config.plex.servers, opts.server);
    const store = await app.secretStore();
    track({ store });
    const deleted = await store.serverTokens.delete({ kind: "plex", server: name });
    deps.out.write(deleted ? `The stored Plex token for server "${name}" is deleted. (To revoke it, remove "trakt-scrobblerd" under Settings → Authorized Devices in Plex.)\n` : `No Plex token was stored for server "${name}".\n`);
  });
}
