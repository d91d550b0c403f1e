// Where the running daemon listens, for `status` and `healthcheck`, and the token it asks for beyond loopback. The
// environment decides alone when it sets both server.host and server.port (the Docker image does): then neither the
// config file nor the schema is loaded, which keeps Docker's healthcheck, run every 30 s, cheap. Otherwise the full
// config load decides.
import { clientServerToken, daemonBaseUrl, daemonBaseUrlFromEnv } from "../config/server-address.js";
import type { Env } from "../config/env.js";
import type { GlobalOptions } from "./options.js";

export interface RunningDaemon {
  url: string;
  /** The server token (server.token, or the one the daemon generated in its state directory), when known. */
  token: string | undefined;
}

export async function runningDaemon(globals: GlobalOptions, env: Env = process.env): Promise<RunningDaemon> {
  const fromEnv = daemonBaseUrlFromEnv(env);
  if (fromEnv !== undefined) return { url: fromEnv, token: clientServerToken(env, { stateDir: globals.stateDir }) };
  const { loadConfig } = await import("../config/load.js");
  const { config, stateDir } = loadConfig({ configFile: globals.config, stateDir: globals.stateDir });
  return { url: daemonBaseUrl(config.server.host, config.server.port), token: clientServerToken(env, { configToken: config.server.token, stateDir }) };
}

export async function runningDaemonUrl(globals: GlobalOptions, env: Env = process.env): Promise<string> {
  const fromEnv = daemonBaseUrlFromEnv(env);
  if (fromEnv !== undefined) return fromEnv;
  return (await runningDaemon(globals, env)).url;
}
