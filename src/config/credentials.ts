// Secrets from systemd credentials. `LoadCredential=TRAKT_CLIENT_SECRET:/etc/trakt-scrobblerd/client-secret` in
// the unit makes systemd copy that file into a directory only the service can read and point
// $CREDENTIALS_DIRECTORY at it; unlike `Environment=`, the value is not visible to other local users (systemctl
// show, /proc/<pid>/environ of a root-run process). A credential is named exactly like the environment variable it
// stands for and is read for every secret key (TRAKT_CLIENT_SECRET, PLEX_WEBHOOK_SECRET). The environment variable
// wins when both are set.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { envBindings, type Env } from "./env.js";
import type { ConfigProblem } from "./errors.js";
import type { KeyInfo } from "./walk.js";

export const CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY";
/** A secret is a line of text; a larger file is not one. */
const MAX_CREDENTIAL_BYTES = 64 * 1024;

export interface CredentialOverlay {
  /** The environment with the credentials added where the variable itself is not set. */
  env: Env;
  /** Variable names whose value came from a credential file. */
  fromCredentials: string[];
  problems: ConfigProblem[];
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined;
}

/** Adds the secrets found in $CREDENTIALS_DIRECTORY to `env` (a copy). Without that variable, `env` is unchanged. */
export function withCredentials(env: Env, root: KeyInfo, read: (file: string) => Buffer = (file) => readFileSync(file)): CredentialOverlay {
  const dir = env[CREDENTIALS_ENV];
  if (dir === undefined || dir === "") return { env, fromCredentials: [], problems: [] };
  const out: Record<string, string | undefined> = { ...env };
  const fromCredentials: string[] = [];
  const problems: ConfigProblem[] = [];
  for (const { name, key } of envBindings(root)) {
    if (!key.secret || (env[name] ?? "") !== "") continue;
    const file = join(dir, name);
    let data: Buffer;
    try {
      data = read(file);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue;
      problems.push({ envVar: name, path: key.name, message: `credential ${file} cannot be read (${errorCode(error) ?? String(error)})` });
      continue;
    }
    if (data.length > MAX_CREDENTIAL_BYTES) {
      problems.push({ envVar: name, path: key.name, message: `credential ${file} is larger than ${MAX_CREDENTIAL_BYTES} bytes; it should hold the secret alone` });
      continue;
    }
    // `echo secret > file` adds a newline; the secret itself never ends in one.
    const value = data.toString("utf8").replace(/\r?\n$/, "");
    if (value === "") continue;
    out[name] = value;
    fromCredentials.push(name);
  }
  return { env: out, fromCredentials, problems };
}
