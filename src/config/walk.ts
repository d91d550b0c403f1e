// Walks the zod config schema and describes every key: its type in words, default, description, env var, and the
// `secret` / `restart` / `deprecated` flags. Docs, the example file, env overrides, unknown-key checks, masking and the restart
// diff are all derived from this one walk, so the schema stays the single source of truth.
import type { z } from "zod";

export type KeyKind = "object" | "record" | "array" | "string" | "number" | "boolean" | "enum" | "literal" | "other";

export interface KeyMeta {
  description?: string;
  env?: string;
  secret?: boolean;
  restart?: boolean;
  /**
   * For a secret that is more than its secret part (a service URL with a token in it): how to show it with only the
   * secret parts masked, and which values those are. Without it a secret is shown as ******** whole.
   */
  maskWith?: (value: string) => { shown: string; secrets: string[] };
  /** The key no longer does anything (its description says why and what to do); a file that sets it still loads,
   * with a warning. */
  deprecated?: boolean;
}

/** One key of the config, found by walking the schema. */
export interface KeyInfo extends KeyMeta {
  /** Path segments; array items are written as "[]" (e.g. kodi.instances[].url). */
  path: string[];
  /** Dotted form, e.g. "kodi.instances[].url". */
  name: string;
  kind: KeyKind;
  /** The type and its constraints in words, e.g. "integer 0–65535" or "one of: info, debug". */
  type: string;
  optional: boolean;
  hasDefault: boolean;
  default?: unknown;
  /** The unwrapped schema of the value. */
  schema: z.ZodType;
  /** For objects: their fields; for arrays/records: the element, under the name "[]"/"*". */
  children: KeyInfo[];
  /** True when an ancestor is an array or record (no env var, no single value). */
  inCollection: boolean;
}

interface CheckDef {
  check: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}

interface AnyDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  defaultValue?: unknown;
  format?: string;
  checks?: { _zod: { def: CheckDef } }[];
}

function defOf(schema: z.ZodType): AnyDef {
  return schema._zod.def;
}

function metaOf(schema: z.ZodType): KeyMeta {
  const raw = (schema as { meta?: () => unknown }).meta?.();
  if (raw === undefined || raw === null || typeof raw !== "object") return {};
  const m = raw as Record<string, unknown>;
  const out: KeyMeta = {};
  if (typeof m.description === "string") out.description = m.description;
  if (typeof m.env === "string") out.env = m.env;
  if (m.secret === true) out.secret = true;
  if (m.restart === true) out.restart = true;
  if (typeof m.maskWith === "function") out.maskWith = m.maskWith as NonNullable<KeyMeta["maskWith"]>;
  if (m.deprecated === true) out.deprecated = true;
  return out;
}

interface Unwrapped {
  schema: z.ZodType;
  meta: KeyMeta;
  optional: boolean;
  hasDefault: boolean;
  default?: unknown;
}

/** Strips optional/default/nullable/pipe wrappers, merging their metadata (outermost wins). */
export function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  let meta: KeyMeta = {};
  let optional = false;
  let hasDefault = false;
  let dflt: unknown;
  for (;;) {
    meta = { ...metaOf(current), ...meta };
    const def = defOf(current);
    if ((def.type === "default" || def.type === "prefault") && def.innerType) {
      if (!hasDefault) {
        hasDefault = true;
        dflt = structuredClone((current as unknown as { _zod: { def: { defaultValue: unknown } } })._zod.def.defaultValue);
      }
      current = def.innerType;
    } else if ((def.type === "optional" || def.type === "nullable" || def.type === "readonly" || def.type === "catch" || def.type === "nonoptional") && def.innerType) {
      if (def.type === "optional") optional = true;
      current = def.innerType;
    } else if (def.type === "pipe" && def.in) {
      current = def.in;
    } else {
      break;
    }
  }
  const out: Unwrapped = { schema: current, meta, optional, hasDefault };
  if (hasDefault) out.default = dflt;
  return out;
}

function range(min: number | undefined, minIncl: boolean, max: number | undefined, maxIncl: boolean): string {
  if (min !== undefined && max !== undefined && minIncl && maxIncl) return ` ${min}–${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${minIncl ? "≥" : ">"} ${min}`);
  if (max !== undefined) parts.push(`${maxIncl ? "≤" : "<"} ${max}`);
  return parts.length ? ` ${parts.join(", ")}` : "";
}

function describeType(schema: z.ZodType): { kind: KeyKind; type: string } {
  const def = defOf(schema);
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  switch (def.type) {
    case "string": {
      if (def.format === "url") return { kind: "string", type: "URL" };
      const minLen = checks.find((c) => c.check === "min_length")?.minimum;
      const regex = checks.find((c) => c.check === "string_format" && c.format === "regex")?.pattern;
      let type = "string";
      if (minLen !== undefined && minLen > 1) type += ` (at least ${minLen} characters)`;
      else if (minLen === 1) type += " (non-empty)";
      if (regex) type += ` matching ${String(regex)}`;
      return { kind: "string", type };
    }
    case "number": {
      const int = checks.some((c) => c.check === "number_format" && (c.format === "safeint" || c.format === "int32"));
      const lo = checks.find((c) => c.check === "greater_than");
      const hi = checks.find((c) => c.check === "less_than");
      const r = range(lo?.value as number | undefined, lo?.inclusive ?? true, hi?.value as number | undefined, hi?.inclusive ?? true);
      return { kind: "number", type: `${int ? "integer" : "number"}${r}` };
    }
    case "boolean":
      return { kind: "boolean", type: "boolean" };
    case "enum":
      return { kind: "enum", type: `one of: ${Object.values(def.entries ?? {}).join(", ")}` };
    case "literal":
      return { kind: "literal", type: `exactly ${(def.values ?? []).map((v) => JSON.stringify(v)).join(" or ")}` };
    case "object":
      return { kind: "object", type: "mapping" };
    case "record":
      return { kind: "record", type: `mapping of name → ${def.valueType ? describeType(unwrap(def.valueType).schema).type : "value"}` };
    case "array": {
      const el = def.element ? unwrap(def.element).schema : undefined;
      const elType = el ? describeType(el) : undefined;
      return { kind: "array", type: elType?.kind === "object" ? "list of mappings" : `list of ${elType?.type ?? "values"}` };
    }
    default:
      return { kind: "other", type: def.type };
  }
}

function build(schema: z.ZodType, path: string[], inCollection: boolean): KeyInfo {
  const u = unwrap(schema);
  const { kind, type } = describeType(u.schema);
  const def = defOf(u.schema);
  const children: KeyInfo[] = [];
  if (kind === "object" && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) children.push(build(child, [...path, key], inCollection));
  } else if (kind === "array" && def.element) {
    children.push(build(def.element, [...path, "[]"], true));
  } else if (kind === "record" && def.valueType) {
    children.push(build(def.valueType, [...path, "*"], true));
  }
  const info: KeyInfo = {
    ...u.meta,
    path,
    name: formatPath(path),
    kind,
    type,
    optional: u.optional,
    hasDefault: u.hasDefault,
    schema: u.schema,
    children,
    inCollection,
  };
  if (u.hasDefault) info.default = u.default;
  return info;
}

/** The tree of keys under a schema (the root itself has the empty path). */
export function describeSchema(schema: z.ZodType): KeyInfo {
  return build(schema, [], false);
}

/** Every key in depth-first order (the root excluded). */
export function flattenKeys(root: KeyInfo): KeyInfo[] {
  const out: KeyInfo[] = [];
  const visit = (k: KeyInfo): void => {
    for (const c of k.children) {
      out.push(c);
      visit(c);
    }
  };
  visit(root);
  return out;
}

/** "kodi.instances[0].url" from ["kodi","instances",0,"url"]. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (seg === "[]") out += "[]";
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** The schema key describing a concrete value path (array indexes and record keys matched to their element). */
export function findKey(root: KeyInfo, path: readonly (string | number | symbol)[]): KeyInfo | undefined {
  let current: KeyInfo | undefined = root;
  for (const seg of path) {
    if (!current) return undefined;
    if (current.kind === "array" || current.kind === "record") current = current.children[0];
    else current = current.children.find((c) => c.path[c.path.length - 1] === seg);
  }
  return current;
}
