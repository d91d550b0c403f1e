// Where the running daemon listens, for `status` and `healthcheck`. The environment decides alone when it sets
// both server.host and server.port (the Docker image does): then neither the config file nor the schema is loaded,
// which keeps Docker's healthcheck, run every 30 s, cheap. Otherwise the full config load decides.
import { daemonBaseUrl, daemonBaseUrlFromEnv } from "../config/server-address.js";
import type { Env } from "../config/env.js";
import type { GlobalOptions } from "./options.js";

export async function runningDaemonUrl(globals: GlobalOptions, env: Env = process.env): Promise<string> {
  const fromEnv = daemonBaseUrlFromEnv(env);
  if (fromEnv !== undefined) return fromEnv;
  const { loadConfig } = await import("../config/load.js");
  const { server } = loadConfig({ configFile: globals.config, stateDir: globals.stateDir }).config;
  return daemonBaseUrl(server.host, server.port);
}
