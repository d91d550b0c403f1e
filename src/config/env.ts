// Environment overrides. The variable names live in the schema (`.meta({ env: "NAME" })`); this module only reads
// them off the walked schema, coerces the text to the key's type, and lays the value over the file's data.
import type { ConfigProblem } from "./errors.js";
import { flattenKeys, type KeyInfo } from "./walk.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvBinding {
  name: string;
  key: KeyInfo;
}

/** Every environment variable the schema declares, in schema order. */
export function envBindings(root: KeyInfo): EnvBinding[] {
  const out: EnvBinding[] = [];
  for (const key of flattenKeys(root)) {
    if (key.env !== undefined && !key.inCollection) out.push({ name: key.env, key });
  }
  return out;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** Text → the key's type, or an error message (which never repeats a secret's value). */
export function coerceEnvValue(key: KeyInfo, text: string): { value: unknown } | { error: string } {
  const shown = key.secret ? "(hidden)" : JSON.stringify(text);
  switch (key.kind) {
    case "number": {
      const trimmed = text.trim();
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return { error: `expected a number (${key.type}), got ${shown}` };
      return { value: Number(trimmed) };
    }
    case "boolean": {
      const lower = text.trim().toLowerCase();
      if (TRUE.has(lower)) return { value: true };
      if (FALSE.has(lower)) return { value: false };
      return { error: `expected a boolean (true/false, 1/0, yes/no, on/off), got ${shown}` };
    }
    case "array": {
      const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (!isNamedUrlList(key)) return { value: items };
      // A list of {name, url} (media servers): "home=http://192.168.1.10:32400,cabin=http://10.0.0.5:32400".
      const out: { name: string; url: string }[] = [];
      for (const item of items) {
        const eq = item.indexOf("=");
        if (eq <= 0) return { error: `expected comma-separated name=url pairs (e.g. "home=http://192.168.1.10:32400"), got ${shown}` };
        out.push({ name: item.slice(0, eq).trim(), url: item.slice(eq + 1).trim() });
      }
      return { value: out };
    }
    case "string":
    case "enum":
    case "literal":
    case "other":
      return { value: text };
    case "record": {
      // "alice=default, bob=bob" → { alice: "default", bob: "bob" }
      const out: Record<string, string> = {};
      for (const pair of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
        const eq = pair.indexOf("=");
        if (eq <= 0) return { error: `expected comma-separated name=value pairs (e.g. "alice=default,bob=bob"), got ${shown}` };
        out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      return { value: out };
    }
    case "object":
      return { error: `cannot be set from the environment (${key.type})` };
  }
}

/** A list whose items are mappings with a `name` and a `url` (and nothing else required). */
function isNamedUrlList(key: KeyInfo): boolean {
  const element = key.children[0];
  if (element?.kind !== "object") return false;
  const fields = element.children.map((c) => c.path[c.path.length - 1]);
  const required = element.children.filter((c) => !c.optional && !c.hasDefault).map((c) => c.path[c.path.length - 1]);
  return fields.includes("name") && fields.includes("url") && required.every((f) => f === "name" || f === "url");
}

export interface EnvOverlay {
  data: unknown;
  /** Names of the variables that were set (and applied). */
  used: string[];
  /** Key path (dotted) → variable name, for locating errors. */
  byPath: Map<string, string>;
  problems: ConfigProblem[];
}

/**
 * Lays the declared environment variables over `data` (a copy; the input is not changed). An empty variable counts
 * as unset, so `FOO=` in a compose file does not blank a setting.
 */
export function applyEnv(data: unknown, root: KeyInfo, env: Env): EnvOverlay {
  const out: unknown = structuredClone(data);
  const used: string[] = [];
  const byPath = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const { name, key } of envBindings(root)) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const coerced = coerceEnvValue(key, text);
    if ("error" in coerced) {
      problems.push({ envVar: name, path: key.name, message: coerced.error });
      continue;
    }
    if (setIn(out, key.path, coerced.value)) {
      used.push(name);
      byPath.set(key.name, name);
    }
  }
  return { data: out, used, byPath, problems };
}

function setIn(target: unknown, path: readonly string[], value: unknown): boolean {
  if (!isRecord(target)) return false;
  let node: Record<string, unknown> = target;
  for (const [i, seg] of path.entries()) {
    if (i === path.length - 1) {
      node[seg] = value;
      return true;
    }
    const next = node[seg];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      node[seg] = created;
      node = created;
    } else if (isRecord(next)) {
      node = next;
    } else {
      return false; // the file has a non-mapping here; the schema check reports it
    }
  }
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
