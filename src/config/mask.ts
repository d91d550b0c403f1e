import { registerSecret } from "../util/log.js";
import { maskUrlCredentials, urlCredential } from "../util/url-credentials.js";
import { isRecord } from "./env.js";
import { configKeys } from "./validate.js";
import type { KeyInfo } from "./walk.js";

export const MASK = "********";

/**
 * A copy of `config` with every set value of a key marked `.meta({ secret: true })` replaced by ********, and the
 * password in any URL (`ws://kodi:pass@host`) masked too.
 */
export function maskSecrets<T>(config: T, root: KeyInfo = configKeys()): T {
  return mask(config, root) as T;
}

function mask(value: unknown, key: KeyInfo): unknown {
  if (key.secret && typeof value === "string" && key.maskWith) return key.maskWith(value).shown;
  if (key.secret && value !== undefined && value !== null) return MASK;
  if (typeof value === "string") return maskUrlCredentials(value);
  if (key.kind === "object" && isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const child = key.children.find((c) => c.path[c.path.length - 1] === k);
      out[k] = child ? mask(v, child) : v;
    }
    return out;
  }
  const element = key.children[0];
  if (key.kind === "array" && Array.isArray(value) && element) return value.map((v) => mask(v, element));
  if (key.kind === "record" && isRecord(value) && element) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, element)]));
  }
  return value;
}

/** The values of every set secret key and every password in a URL (for registering with the log scrubber). */
export function secretValues(config: unknown, root: KeyInfo = configKeys()): string[] {
  const out: string[] = [];
  const visit = (value: unknown, key: KeyInfo): void => {
    if (key.secret) {
      if (typeof value === "string" && value !== "") out.push(value, ...(key.maskWith?.(value).secrets ?? []));
      return;
    }
    if (typeof value === "string") {
      const credential = urlCredential(value);
      if (credential !== undefined) out.push(credential);
      return;
    }
    const element = key.children[0];
    if (key.kind === "object" && isRecord(value)) {
      for (const child of key.children) visit(value[child.path[child.path.length - 1] ?? ""], child);
    } else if (key.kind === "array" && Array.isArray(value) && element) {
      for (const v of value) visit(v, element);
    } else if (key.kind === "record" && isRecord(value) && element) {
      for (const v of Object.values(value)) visit(v, element);
    }
  };
  visit(config, root);
  return out;
}

/** Registers every secret in `config` with the logger, so its value is scrubbed from any log line or error. */
export function registerConfigSecrets(config: unknown): void {
  for (const value of secretValues(config)) registerSecret(value);
}
