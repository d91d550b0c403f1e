// Starts the Trakt emulator and a TraktClient wired to it, with an in-memory token provider that refreshes like
// the real accounts module (single-flight, persists the new pair). Other areas' tests use this too.
import { Writable } from "node:stream";
import type { AccessTokenProvider } from "../../src/trakt/api.js";
import { TraktClient, type TraktClientOptions } from "../../src/trakt/client.js";
import type { TokenSet } from "../../src/core/tokens.js";
import { startTraktEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { createLogger, type Logger } from "../../src/util/log.js";

/** Tokens per account in memory; refreshes through the client after a 401, one refresh per account at a time. */
export class MemoryTokens implements AccessTokenProvider {
  readonly sets = new Map<string, TokenSet>();
  readonly #inflight = new Map<string, Promise<string>>();
  refreshCount = 0;
  client: TraktClient | undefined;

  set(account: string, tokens: TokenSet): void {
    this.sets.set(account, tokens);
  }

  getAccessToken(account: string): Promise<string> {
    const set = this.sets.get(account);
    if (!set) return Promise.reject(new Error(`no tokens for account ${account}`));
    return Promise.resolve(set.access_token);
  }

  refreshAfterUnauthorized(account: string, rejectedAccessToken: string, signal?: AbortSignal): Promise<string> {
    const current = this.sets.get(account);
    if (!current) return Promise.reject(new Error(`no tokens for account ${account}`));
    if (current.access_token !== rejectedAccessToken) return Promise.resolve(current.access_token);
    let running = this.#inflight.get(account);
    if (!running) {
      const client = this.client;
      if (!client) return Promise.reject(new Error("MemoryTokens.client is not set"));
      running = (async () => {
        try {
          this.refreshCount++;
          const next = await client.refreshToken(current.refresh_token, { signal });
          this.sets.set(account, next);
          return next.access_token;
        } finally {
          this.#inflight.delete(account);
        }
      })();
      this.#inflight.set(account, running);
    }
    return running;
  }
}

export interface Harness {
  emulator: Emulator;
  client: TraktClient;
  tokens: MemoryTokens;
  /** The account name logged in to the emulator's default user ("alice"). */
  account: string;
  /** Every log line the client wrote (debug level, JSON). */
  logLines: string[];
  logger: Logger;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  /** Overrides for the client; by default writes are not spaced and retries back off by only a few ms. */
  client?: Partial<TraktClientOptions>;
  /** Log the default account in (default true). */
  login?: boolean;
}

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger({ destination: stream, level: "debug" }), lines };
}

/** Emulator (write limit off unless asked) + client + tokens for account "default" mapped to user "alice". */
export async function startEmulatorHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startTraktEmulator({ writeLimitMs: 0, ...options.emulator });
  const tokens = new MemoryTokens();
  const { logger, lines } = captureLogger();
  const client = new TraktClient({
    apiUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    tokens,
    logger,
    writeSpacingMs: 0,
    timeoutMs: 5_000,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options.client,
  });
  tokens.client = client;
  const account = "default";
  if (options.login !== false) tokens.set(account, emulator.issueTokens());
  return { emulator, client, tokens, account, logLines: lines, logger, close: () => emulator.close() };
}
