// The HTTP server's password. Bound to loopback none is asked (unless server.token is set); bound anywhere else it is
// server.token, or else one generated on first start and kept in <stateDir>/server-token (0600). A generated token
// is shown once, in the log line that announces it; `trakt-scrobblerd status` shows it again to the daemon's user.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { SERVER_TOKEN_ENV, SERVER_TOKEN_FILE, isLoopbackBind } from "../config/server-address.js";
import type { ServerSection } from "../config/sections/runtime.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { registerSecret, type Logger } from "../util/log.js";
import { readRegularFile } from "../util/safe-fs.js";

export interface ServerToken {
  token: string | undefined;
  /** Where it came from, for the log and docs: the config, the state directory, or just generated. */
  from: "none" | "config" | "file" | "generated";
}

export async function serverToken(server: Pick<ServerSection, "host" | "port" | "token">, stateDir: string, log: Logger): Promise<ServerToken> {
  if (server.token !== undefined) {
    registerSecret(server.token);
    return { token: server.token, from: "config" };
  }
  if (isLoopbackBind(server.host)) return { token: undefined, from: "none" };
  const file = join(stateDir, SERVER_TOKEN_FILE);
  const stored = await readRegularFile(file, 4096).then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    },
  );
  if (stored.length >= 12) {
    registerSecret(stored);
    return { token: stored, from: "file" };
  }
  const token = randomBytes(24).toString("base64url");
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
  // The one time it is logged (before it is registered as a secret, which scrubs it from every later line).
  log.warn(
    { file },
    `server.host is ${server.host}, so the dashboard and the API ask for a password. Generated one: ${token} — open the dashboard and type it once (it is kept in ${file}; \`trakt-scrobblerd status\` shows it again; set server.token or ${SERVER_TOKEN_ENV} to choose your own)`,
  );
  registerSecret(token);
  return { token, from: "generated" };
}
