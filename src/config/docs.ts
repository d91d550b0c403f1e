// The example config file and the Markdown reference, both generated from the schema walk.
import { stringify } from "yaml";
import { envBindings, isRecord } from "./env.js";
import { configKeys } from "./validate.js";
import type { KeyInfo } from "./walk.js";

export const REFERENCE_START = "<!-- config-reference:start -->";
export const REFERENCE_END = "<!-- config-reference:end -->";
export const ENV_START = "<!-- config-env:start -->";
export const ENV_END = "<!-- config-env:end -->";
const GENERATOR = "npm run config:docs";

function notes(key: KeyInfo, withType: boolean): string {
  const parts: string[] = [];
  if (withType) parts.push(`type: ${key.type}`);
  if (key.env) parts.push(`env: ${key.env}`);
  if (key.restart) parts.push("restart required");
  if (key.secret) parts.push("secret (masked in output)");
  return parts.join(" · ");
}

function scalar(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function leafName(key: KeyInfo): string {
  return key.path[key.path.length - 1] ?? "";
}

function commentBlock(key: KeyInfo, indent: string): string[] {
  const lines: string[] = [];
  if (key.description) lines.push(`${indent}# ${key.description}`);
  const n = notes(key, key.kind !== "object");
  if (n) lines.push(`${indent}# ${n}`);
  return lines;
}

/** Compact field list for the items of a list (or values of a map) of mappings. */
function itemFields(element: KeyInfo, indent: string, depth = 1): string[] {
  const lines: string[] = [];
  for (const f of element.children) {
    const extra = [f.type, f.hasDefault ? `default ${JSON.stringify(f.default)}` : f.optional ? "optional" : "required"].join(", ");
    const text = f.description ? `${f.description} (${extra})` : `(${extra})`;
    lines.push(`${indent}#${"  ".repeat(depth)}${leafName(f)}: ${text}`);
    if (f.kind === "object") lines.push(...itemFields(f, indent, depth + 1));
  }
  return lines;
}

function emitKey(key: KeyInfo, value: unknown, indent: string): string[] {
  const lines = commentBlock(key, indent);
  const name = leafName(key);
  if (value === undefined) {
    lines.push(`${indent}# ${name}:`);
    return lines;
  }
  if (key.kind === "object" && isRecord(value)) {
    lines.push(`${indent}${name}:`);
    lines.push(...emitChildren(key, value, `${indent}  `));
    return lines;
  }
  const element = key.children[0];
  if ((key.kind === "array" || key.kind === "record") && element?.kind === "object") {
    if (isEmpty(value)) lines.push(`${indent}${name}: ${key.kind === "array" ? "[]" : "{}"}`);
    else {
      lines.push(`${indent}${name}:`);
      const body = stringify(value, { lineWidth: 0 }).trimEnd().split("\n");
      lines.push(...body.map((l) => `${indent}  ${l}`));
    }
    lines.push(`${indent}# ${key.kind === "array" ? "Each item" : "Each value"}:`);
    lines.push(...itemFields(element, indent));
    return lines;
  }
  if (Array.isArray(value) || isRecord(value)) {
    lines.push(`${indent}${name}: ${stringify(value, { flow: true, lineWidth: 0 }).trimEnd()}`);
    return lines;
  }
  lines.push(`${indent}${name}: ${scalar(value)}`);
  return lines;
}

function isEmpty(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
}

/** Keys that no longer do anything are left out of the example (a new file should not have them). */
function emitChildren(key: KeyInfo, value: Record<string, unknown>, indent: string): string[] {
  const out: string[] = [];
  for (const child of key.children) if (!child.deprecated) out.push(...emitKey(child, value[leafName(child)], indent));
  return out;
}

/**
 * Every key with its default, description, type and env var as comments. `defaults` is the parsed empty config,
 * so the example is exactly what an empty file means (a test checks it parses back to the same).
 */
export function generateExampleYaml(defaults: Record<string, unknown>, root: KeyInfo = configKeys()): string {
  const lines = [
    "# trakt-scrobblerd configuration: every key, with its default.",
    `# Generated from the schema (src/config/schema.ts) by \`${GENERATOR}\`; do not edit by hand.`,
    "# All keys are optional: this file means the same as an empty one. Copy what you want to change.",
    "# Keys shown commented out have no default. \"env:\" names the environment variable that overrides a key;",
    "# \"restart required\" marks keys a live reload cannot apply. Reference: docs/config.md.",
  ];
  for (const child of root.children) {
    if (child.deprecated) continue;
    lines.push("");
    lines.push(...emitKey(child, defaults[leafName(child)], ""));
  }
  return `${lines.join("\n")}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function defaultCell(key: KeyInfo): string {
  if (!key.hasDefault || key.kind === "object") return "";
  const v = key.default;
  if (typeof v === "string") return `\`${cell(v)}\``;
  return `\`${cell(JSON.stringify(v))}\``;
}

/** The reference table: key, type, default, env var, description. */
export function generateReferenceMarkdown(root: KeyInfo = configKeys()): string {
  const rows = [
    `<!-- Generated from src/config/schema.ts by \`${GENERATOR}\`; do not edit by hand. -->`,
    "",
    "| Key | Type | Default | Env | Description |",
    "|---|---|---|---|---|",
  ];
  const visit = (key: KeyInfo): void => {
    for (const child of key.children) {
      const flags = [child.restart ? "*Restart required.*" : "", child.secret ? "*Secret: masked in output.*" : "", child.deprecated ? "*Deprecated: a file that sets it loads, with a warning.*" : ""].filter(Boolean);
      const desc = [child.description ?? "", ...flags].filter(Boolean).join(" ");
      const name = child.kind === "object" && !child.inCollection && child.path.length === 1 ? `**\`${child.name}\`**` : `\`${child.name}\``;
      rows.push(`| ${name} | ${cell(child.type)} | ${defaultCell(child)} | ${child.env ? `\`${child.env}\`` : ""} | ${cell(desc)} |`);
      visit(child);
    }
  };
  visit(root);
  return `${rows.join("\n")}\n`;
}

/** The environment variables: name, key, type. */
export function generateEnvMarkdown(root: KeyInfo = configKeys()): string {
  const rows = ["| Variable | Key | Type |", "|---|---|---|"];
  for (const { name, key } of envBindings(root)) rows.push(`| \`${name}\` | \`${key.name}\` | ${cell(key.type)} |`);
  return `${rows.join("\n")}\n`;
}

/** Replaces what is between the start and end markers (exclusive). Throws when they are missing or out of order. */
export function replaceBetweenMarkers(text: string, content: string, start = REFERENCE_START, end = REFERENCE_END): string {
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  if (i < 0 || j < 0) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, i + start.length)}\n${content}${text.slice(j)}`;
}
