// The two ways to get a user's access token from Jellyfin/Emby: a user name and password (both servers), or Quick
// Connect (Jellyfin 10.7+: the server shows nothing; the user types a six-digit code into a signed-in app, under
// profile → Quick Connect). Storing the token is the caller's job (the CLI keeps it with the other secrets).
import { setTimeout as delay } from "node:timers/promises";
import type { MediaServerClient } from "./client.js";
import { MediaServerError } from "./client.js";
import type { AuthenticationResult } from "./messages.js";

export interface QuickConnectOptions {
  /** Told the code to enter, once. */
  onCode: (code: string) => void;
  signal?: AbortSignal;
  /** How often the server is asked whether the code was approved (default 2 s). */
  pollMs?: number;
  /** Give up after this long (default 5 minutes; the server forgets the code after 10). */
  timeoutMs?: number;
}

export async function loginWithQuickConnect(client: MediaServerClient, options: QuickConnectOptions): Promise<AuthenticationResult> {
  const product = client.dialect.product;
  if (!client.dialect.quickConnect) throw new MediaServerError("http", `${product} has no Quick Connect: log in with a user name and password`);
  if (!(await client.quickConnectEnabled(options.signal))) {
    throw new MediaServerError("http", `Quick Connect is switched off on this ${product} server (Dashboard → General → Quick Connect): switch it on, or log in with --user`);
  }
  const started = await client.quickConnectInitiate(options.signal);
  if (!started.Code) throw new MediaServerError("bad-response", `${product} started Quick Connect without a code`);
  options.onCode(started.Code);
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  for (;;) {
    const state = await client.quickConnectState(started.Secret, options.signal);
    if (state.Authenticated === true) return client.authenticateWithQuickConnect(started.Secret, options.signal);
    if (Date.now() >= deadline) throw new MediaServerError("timeout", `the Quick Connect code ${started.Code} was not approved in time; run the login again`);
    await delay(options.pollMs ?? 2_000, undefined, options.signal ? { signal: options.signal } : {});
  }
}

export function loginWithPassword(client: MediaServerClient, user: string, password: string, signal?: AbortSignal): Promise<AuthenticationResult> {
  return client.authenticateByName(user, password, signal).catch((error: unknown) => {
    if (error instanceof MediaServerError && error.kind === "auth") {
      throw new MediaServerError("auth", `${client.dialect.product} refused the login of ${user} (HTTP ${error.status ?? "?"}): wrong user name or password, or the user is disabled`, { status: error.status });
    }
    throw error;
  });
}
