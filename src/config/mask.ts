import { isRecord } from "./env.js";
import { configKeys } from "./validate.js";
import type { KeyInfo } from "./walk.js";

export const MASK = "********";

/** A copy of `config` with every set value of a key marked `.meta({ secret: true })` replaced by ********. */
export function maskSecrets<T>(config: T, root: KeyInfo = configKeys()): T {
  return mask(config, root) as T;
}

function mask(value: unknown, key: KeyInfo): unknown {
  if (key.secret && value !== undefined && value !== null) return MASK;
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
