// Text → validated Config, or every problem with its file, line, key path, what is wrong and what is allowed.
// Never throws on bad input: live reload uses this to refuse a bad edit and keep running.
import type { z } from "zod";
import { configSchema, type Config } from "./schema.js";
import { ConfigError, formatProblem, type ConfigProblem } from "./errors.js";
import { applyEnv, isRecord, type Env } from "./env.js";
import { closest } from "./suggest.js";
import { describeSchema, findKey, flattenKeys, formatPath, type KeyInfo } from "./walk.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";

let cachedTree: KeyInfo | undefined;
/** The walked config schema (computed once). */
export function configKeys(): KeyInfo {
  cachedTree ??= describeSchema(configSchema);
  return cachedTree;
}

/** `warnings`: keys the file sets that no longer do anything (deprecated in the schema), one line each. */
export type ValidationResult = { ok: true; config: Config; envVars: string[]; warnings: string[] } | { ok: false; error: ConfigError };

export interface ValidateOptions {
  /** Environment whose declared variables override the file (default: none). */
  env?: Env;
}

/** Validates YAML text as a config file named `file` (used in messages), with environment overrides. */
export function validateConfigText(text: string, file: string, options: ValidateOptions = {}): ValidationResult {
  let source: YamlSource;
  try {
    source = parseYamlSource(text, file);
  } catch (cause) {
    return { ok: false, error: new ConfigError([{ file, path: "", message: `cannot parse: ${String(cause)}` }], { cause }) };
  }
  if (source.problems.length) return { ok: false, error: new ConfigError(source.problems) };
  return validateData(source.data, { file, locate: source.locate }, options.env ?? {});
}

interface Origin {
  file?: string;
  locate?: YamlSource["locate"];
}

/** Validates already-parsed data (e.g. `{}` when there is no file). */
export function validateData(data: unknown, origin: Origin, env: Env): ValidationResult {
  const root = configKeys();
  const where = (path: readonly PropertyKey[]): Pick<ConfigProblem, "file" | "line" | "column"> => {
    const out: Pick<ConfigProblem, "file" | "line" | "column"> = {};
    if (origin.file !== undefined) out.file = origin.file;
    const pos = origin.locate?.(path);
    if (pos) {
      out.line = pos.line;
      out.column = pos.column;
    }
    return out;
  };

  if (!isRecord(data)) {
    return { ok: false, error: new ConfigError([{ ...where([]), path: "", message: `the file must be a mapping of keys (like "trakt:" and "server:"), not ${kindOf(data)}` }]) };
  }

  data = withoutNulls(data);
  const problems: ConfigProblem[] = [];
  for (const u of unknownKeys(data, root, [])) {
    problems.push({ ...where(u.path), path: formatPath(u.path), message: u.message });
  }

  const overlay = applyEnv(data, root, env);
  problems.push(...overlay.problems);

  const parsed = configSchema.safeParse(overlay.data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") continue; // reported above, with suggestions
      const path = issue.path;
      const name = formatPath(path.filter((s): s is string | number => typeof s !== "symbol"));
      const envVar = overlay.byPath.get(name);
      const key = findKey(root, path);
      const message = describeIssue(issue, key, valueAt(overlay.data, path));
      problems.push(envVar ? { envVar, path: name, message } : { ...where(path), path: name, message });
    }
  }
  if (problems.length) {
    // Environment first, then in file order: the way a user reads and fixes them.
    problems.sort((a, b) => (a.envVar ? -1 : 0) - (b.envVar ? -1 : 0) || (a.line ?? 0) - (b.line ?? 0));
    return { ok: false, error: new ConfigError(problems) };
  }
  if (!parsed.success) throw new Error("unreachable: a failed parse always has issues");
  // Keys that no longer do anything still load (an old file keeps working), with a line saying so.
  const warnings = flattenKeys(root)
    .filter((key) => key.deprecated === true && !key.inCollection && valueAt(data, key.path) !== undefined)
    .map((key) => formatProblem({ ...where(key.path), path: key.name, message: key.description ?? "no longer used" }));
  // zod hands out `.default()` values by reference; a clone keeps one config's edits out of every other.
  return { ok: true, config: structuredClone(parsed.data), envVars: overlay.used, warnings };
}

/** `key:` with no value (YAML null) means "not set": the default applies, as with the example's commented keys. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  // fromEntries defines own properties, so a "__proto__" key stays a key (and is reported as unknown).
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

interface Unknown {
  path: (string | number)[];
  message: string;
}

function unknownKeys(data: unknown, key: KeyInfo, path: (string | number)[]): Unknown[] {
  const out: Unknown[] = [];
  if (key.kind === "object" && isRecord(data)) {
    const known = key.children.map((c) => c.path[c.path.length - 1] ?? "");
    for (const [k, v] of Object.entries(data)) {
      const child = key.children.find((c) => c.path[c.path.length - 1] === k);
      if (!child) {
        const guess = closest(k, known);
        const where = path.length ? `under ${formatPath(path)}` : "at the top level";
        out.push({
          path: [...path, k],
          message: `unknown key "${k}"${guess ? `; did you mean "${guess}"?` : ""} Known keys ${where}: ${known.join(", ")}`,
        });
      } else {
        out.push(...unknownKeys(v, child, [...path, k]));
      }
    }
  } else if (key.kind === "array" && Array.isArray(data) && key.children[0]) {
    const element = key.children[0];
    data.forEach((item, i) => out.push(...unknownKeys(item, element, [...path, i])));
  } else if (key.kind === "record" && isRecord(data) && key.children[0]) {
    const element = key.children[0];
    for (const [k, v] of Object.entries(data)) out.push(...unknownKeys(v, element, [...path, k]));
  }
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === "number") node = node[seg];
    else if (isRecord(node) && typeof seg === "string") node = node[seg];
    else return undefined;
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

function shown(value: unknown, key: KeyInfo | undefined): string {
  if (key?.secret) return kindOf(value);
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return kindOf(value);
}

/** "80" where a number is expected: YAML read it as text because of the quotes. */
function quotedHint(value: unknown, expected: string): string {
  if (typeof value !== "string") return "";
  if (expected === "number" && value.trim() !== "" && !Number.isNaN(Number(value))) return " (remove the quotes)";
  if (expected === "boolean" && /^(true|false)$/i.test(value.trim())) return " (remove the quotes)";
  return "";
}

function describeIssue(issue: z.core.$ZodIssue, key: KeyInfo | undefined, value: unknown): string {
  const allowed = key ? ` Allowed: ${key.type}.` : "";
  const got = shown(value, key);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return `is required.${allowed}`;
      // A schema's own message (zod's start with "Invalid input") says more than the type, e.g. how to migrate a key.
      if (!issue.message.startsWith("Invalid input")) return `${issue.message}.`;
      return `expected ${key?.type ?? issue.expected}, got ${got}${quotedHint(value, issue.expected)}.`;
    case "invalid_value":
      return `got ${got}; expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of: ${issue.values.map(String).join(", ")}`}.`;
    case "too_small": {
      const min = String(issue.minimum);
      const bound = issue.inclusive === false ? `more than ${min}` : `at least ${min}`;
      if (issue.origin === "string") return `must be ${bound} characters long, got ${key?.secret ? "a shorter one" : got}.${allowed}`;
      if (issue.origin === "array") return `must have ${bound} items.${allowed}`;
      return `must be ${bound}, got ${got}.${allowed}`;
    }
    case "too_big": {
      const max = String(issue.maximum);
      const bound = issue.inclusive === false ? `less than ${max}` : `at most ${max}`;
      if (issue.origin === "string") return `must be ${bound} characters long.${allowed}`;
      if (issue.origin === "array") return `must have ${bound} items.${allowed}`;
      return `must be ${bound}, got ${got}.${allowed}`;
    }
    case "invalid_format":
      return `expected ${issue.format === "url" ? "a URL (like https://api.trakt.tv)" : issue.format === "regex" && "pattern" in issue ? `text matching ${String(issue.pattern)}` : `a valid ${issue.format}`}, got ${got}.`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}, got ${got}.`;
    case "unrecognized_keys":
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
    case "custom":
      return `${issue.message}.${allowed}`;
  }
}
