// One pino root logger to stdout; child loggers per component. Secrets are removed twice over:
// by key name at any depth (pino's own `redact` wildcards only match one level, so it is not enough on its own),
// and by value: every token, secret or device code the process learns is registered and scrubbed from any
// string that is logged, error messages and stacks included.
import { constants } from "node:os";
import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";

export type { Logger } from "pino";

const SECRET_KEY = /^(access_?token|refresh_?token|client_?secret|device_?code|user_?code|authorization|password|secret|webhook_?secret|api_?key|trakt-api-key|token|x-plex-token)$/i;
/** `code` is an OAuth code in Trakt's device-token body, but far more often an error code that must stay visible. */
const CODE_KEY = /^code$/i;
const ERRNO_NAMES = new Set(Object.keys(constants.errno));
/** Node (ERR_*), undici (UND_ERR_*), ws (WS_ERR_*), getaddrinfo (EAI_*) and AbortError codes. */
const LIBRARY_ERROR_CODE = /^(ERR|UND_ERR|WS_ERR|EAI)_[A-Z0-9_]+$|^ABORT_ERR$/;

/** An error code (ECONNREFUSED, ERR_INVALID_URL, a JSON-RPC -32601, an HTTP status), never a secret. */
export function isErrorCode(value: unknown): boolean {
  if (typeof value === "number") return true;
  return typeof value === "string" && (ERRNO_NAMES.has(value) || LIBRARY_ERROR_CODE.test(value));
}

function isSecretEntry(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (SECRET_KEY.test(key)) return true;
  return CODE_KEY.test(key) && !isErrorCode(value);
}
const REDACTED = "[redacted]";
const knownSecrets = new Set<string>();

/** Remember a secret value so it is scrubbed from every log line from now on. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === "string" && value.length >= 6) knownSecrets.add(value);
}

export function scrubString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/g, `$1${REDACTED}`);
}

/**
 * Bounds on what one log line copies out of a value. Logged values can come from peers (a Kodi error's `data`, a
 * webhook): without a depth bound a message nested a few thousand levels deep overflows the stack right here and
 * takes the process down; the other bounds keep one line from growing to megabytes.
 */
export const LOG_LIMITS = { depth: 16, arrayItems: 100, objectKeys: 100, stringChars: 8_192 } as const;

function truncateString(text: string): string {
  if (text.length <= LOG_LIMITS.stringChars) return text;
  return `${text.slice(0, LOG_LIMITS.stringChars)}…[${text.length - LOG_LIMITS.stringChars} more characters]`;
}

/** Deep copy with secret keys replaced and secret values scrubbed. Handles cycles and Errors; bounded by LOG_LIMITS. */
export function redactDeep(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === "string") return scrubString(truncateString(value));
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= LOG_LIMITS.depth) return `[nested deeper than ${LOG_LIMITS.depth} levels]`;
  seen.add(value);
  const inner = (v: unknown): unknown => redactDeep(v, seen, depth + 1);
  if (Array.isArray(value)) {
    const items = value.slice(0, LOG_LIMITS.arrayItems).map(inner);
    if (value.length > LOG_LIMITS.arrayItems) items.push(`[${value.length - LOG_LIMITS.arrayItems} more items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubString(truncateString(value.message));
    if (value.stack) out.stack = scrubString(truncateString(value.stack));
    if (value.cause !== undefined) out.cause = inner(value.cause);
  }
  const entries = Object.entries(value);
  for (const [key, v] of entries.slice(0, LOG_LIMITS.objectKeys)) {
    if (key === "cause" && value instanceof Error) continue; // done above (an enumerable one would read as circular)
    out[key] = isSecretEntry(key, v) ? REDACTED : inner(v);
  }
  if (entries.length > LOG_LIMITS.objectKeys) out["[more keys]"] = entries.length - LOG_LIMITS.objectKeys;
  return out;
}

export interface LogSettings {
  level?: string;
  /** Pretty output; defaults to "only when stdout is a terminal". */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(settings: LogSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { name: "trakt-scrobblerd" },
    // `err` goes through redactDeep like everything else instead of pino's std serializer.
    serializers: { err: (e: unknown) => redactDeep(e) },
    formatters: {
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubString(a) : a)) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
  };
  if (settings.destination) return pino(options, settings.destination);
  const pretty = settings.pretty ?? process.stdout.isTTY;
  if (pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:standard" } } });
  }
  return pino(options);
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
