// Saving a fixed match as an `identify.overrides` entry in the user's config file, keeping the file as the user
// wrote it. The yaml package's Document API finds where the list is (with source positions); the new entry is
// spliced into the text there, so every other byte — comments, blank lines, quoting, spacing — stays as it was.
// Where splicing does not fit (the list or the section written in flow style, `overrides: []`), the document is
// edited through the API and printed again, which still keeps comments and order. Either way the result is parsed
// back and must hold exactly the old settings plus the new rule, and must validate, before it replaces the file.
import { isDeepStrictEqual } from "node:util";
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import type { OverrideRule } from "../config/sections/identify.js";
import { compileOverrides, findOverride } from "../identify/overrides.js";

export interface OverrideEdit {
  /** The new file text. */
  text: string;
  /** "added" a new entry, or "updated" the target of an entry with the same path/title. */
  change: "added" | "updated";
  /** The entry's position in the list (0-based) after the edit. */
  index: number;
}

export class ConfigEditError extends Error {
  override readonly name = "ConfigEditError";
}

/** The rule as it is written: match first, then the target, without empty keys. */
function plainRule(rule: OverrideRule): Record<string, unknown> {
  const to: Record<string, unknown> = { type: rule.to.type };
  for (const key of ["trakt", "slug", "imdb", "tmdb", "tvdb"] as const) if (rule.to[key] !== undefined) to[key] = rule.to[key];
  return {
    ...(rule.path !== undefined ? { path: rule.path } : {}),
    ...(rule.title !== undefined ? { title: rule.title } : {}),
    to,
    ...(rule.season !== undefined ? { season: rule.season } : {}),
  };
}

/** The target as a one-line flow mapping: `{ type: movie, trakt: 28, slug: guardians-of-the-galaxy-2014 }`. */
function flowTarget(rule: OverrideRule): string {
  const doc = new Document(plainRule(rule).to);
  if (isMap(doc.contents)) doc.contents.flow = true;
  return doc.toString({ flowCollectionPadding: true }).trim();
}

/** The entry as block lines (without indentation), its target in flow style, a comment line first. */
function entryLines(rule: OverrideRule, comment: string | undefined): string[] {
  const { to: _to, ...match } = plainRule(rule);
  const head = new Document(match).toString().trimEnd().split("\n");
  return [...(comment ? [`# ${comment.replace(/[\r\n]+/g, " ")}`] : []), ...head, `to: ${flowTarget(rule)}`];
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

function sameMatch(entry: unknown, rule: OverrideRule): boolean {
  if (!isMap(entry)) return false;
  const path = entry.get("path");
  const title = entry.get("title");
  return (path ?? undefined) === rule.path && (title ?? undefined) === rule.title;
}

function isEmptyValue(node: unknown): boolean {
  return (isSeq(node) && node.flow === true && node.items.length === 0) || (isScalar(node) && node.value === null);
}

function isBlock(node: unknown): node is (YAMLMap | YAMLSeq) & { range: [number, number, number] } {
  return (isMap(node) || isSeq(node)) && !node.flow && Array.isArray((node as Node).range);
}

/** Splices the entry into the text where it belongs; undefined when the layout is not a plain block one. */
function splice(text: string, doc: Document, rule: OverrideRule, comment: string | undefined): { text: string; index: number } | undefined {
  const lines = entryLines(rule, comment);
  const atLineStart = (at: number): string => (at === 0 || text[at - 1] === "\n" ? "" : "\n");
  const root = doc.contents;
  const identify = doc.get("identify", true);
  const overrides = doc.getIn(["identify", "overrides"], true);

  if (isBlock(overrides) && isSeq(overrides) && overrides.items.length > 0) {
    const at = overrides.range[1];
    const indent = columnOf(text, overrides.range[0]);
    const entry = itemize(lines, indent);
    return { text: `${text.slice(0, at)}${atLineStart(at)}${entry}\n${text.slice(at)}`, index: overrides.items.length };
  }
  if (isBlock(identify) && isMap(identify) && isEmptyValue(overrides)) {
    // `overrides: []` (as in the example config) or `overrides:` with nothing: the value becomes a block list
    const pair = identify.items.find((p) => isScalar(p.key) && p.key.value === "overrides");
    const keyRange = (pair?.key as Node | undefined)?.range;
    const valueRange = (overrides as Node | null)?.range;
    if (keyRange && valueRange && valueRange[1] > valueRange[0]) {
      const indent = columnOf(text, keyRange[0]);
      const before = text.slice(0, valueRange[0]).replace(/[ \t]+$/, "");
      return { text: `${before}\n${itemize(lines, indent + 2)}${text.slice(valueRange[1])}`, index: 0 };
    }
  }
  if (overrides === undefined && isBlock(identify) && isMap(identify) && identify.items.length > 0) {
    const at = identify.range[1];
    const indent = columnOf(text, identify.range[0]);
    return { text: `${text.slice(0, at)}${atLineStart(at)}${" ".repeat(indent)}overrides:\n${itemize(lines, indent + 2)}\n${text.slice(at)}`, index: 0 };
  }
  if (identify === undefined && (root === null || (isBlock(root) && isMap(root) && columnOf(text, root.range[0]) === 0))) {
    const body = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
    const gap = body.trim() === "" ? "" : "\n";
    return { text: `${body}${gap}identify:\n  overrides:\n${itemize(lines, 4)}\n`, index: 0 };
  }
  return undefined;
}

/** Block sequence item lines at `indent`: comment lines as they are, `- ` before the first key, two spaces before the rest. */
function itemize(lines: string[], indent: number): string {
  const pad = " ".repeat(indent);
  let first = true;
  return lines
    .map((line) => {
      if (line.startsWith("#")) return `${pad}${line}`;
      const out = `${pad}${first ? "- " : "  "}${line}`;
      first = false;
      return out;
    })
    .join("\n");
}

/** Edits through the Document API (comments and order kept; spacing inside lines may change). */
function viaDocument(doc: Document, rule: OverrideRule, comment: string | undefined): number {
  const node = doc.createNode(plainRule(rule));
  if (isMap(node)) {
    const to = node.get("to", true);
    if (isMap(to)) to.flow = true;
    if (comment) node.commentBefore = ` ${comment}`;
  }
  const overrides = doc.getIn(["identify", "overrides"], true);
  if (isSeq(overrides)) {
    overrides.add(node);
    return overrides.items.length - 1;
  }
  if (overrides !== undefined && overrides !== null && !(isScalar(overrides) && overrides.value === null)) {
    throw new ConfigEditError("identify.overrides in the config file is not a list; fix it by hand first");
  }
  doc.setIn(["identify", "overrides"], doc.createNode([]));
  (doc.getIn(["identify", "overrides"], true) as YAMLSeq).add(node);
  return 0;
}

/**
 * The config text with `rule` saved: a rule with the same path/title gets the new target, otherwise the rule is
 * added at the end of identify.overrides. Throws ConfigEditError when the file cannot be edited safely.
 */
export function withOverride(text: string, rule: OverrideRule, comment?: string): OverrideEdit {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigEditError(`the config file is not valid YAML (${doc.errors[0]?.message.split("\n")[0] ?? "?"}); fix it first`);
  const before = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof before !== "object" || Array.isArray(before)) throw new ConfigEditError("the config file does not hold a mapping of settings");
  const identify = (before.identify ?? {}) as { overrides?: unknown };
  const existing = Array.isArray(identify.overrides) ? (identify.overrides as unknown[]) : [];
  const expected = structuredClone(before);
  const seq = doc.getIn(["identify", "overrides"], true);
  const sameIndex = isSeq(seq) ? seq.items.findIndex((item) => sameMatch(item, rule)) : -1;

  let result: { text: string; index: number };
  let change: OverrideEdit["change"];
  if (sameIndex >= 0 && isSeq(seq)) {
    change = "updated";
    const list = [...existing];
    list[sameIndex] = { ...(existing[sameIndex] as object), to: plainRule(rule).to };
    (expected.identify as Record<string, unknown>).overrides = list;
    const item = seq.items[sameIndex] as YAMLMap;
    const to = item.get("to", true) as Node | undefined;
    const range = to?.range;
    if (range) {
      result = { text: `${text.slice(0, range[0])}${flowTarget(rule)}${text.slice(range[1])}`, index: sameIndex };
    } else {
      item.set("to", doc.createNode(plainRule(rule).to));
      result = { text: doc.toString(), index: sameIndex };
    }
  } else {
    change = "added";
    expected.identify = { ...(typeof before.identify === "object" && before.identify !== null ? before.identify : {}), overrides: [...existing, plainRule(rule)] };
    result = splice(text, doc, rule, comment) ?? { text: "", index: -1 };
    if (!holds(text, result.text, expected)) {
      const index = viaDocument(doc, rule, comment);
      result = { text: doc.toString(), index };
    }
  }
  if (!holds(text, result.text, expected)) throw new ConfigEditError("could not add the override without changing other settings or losing a comment; add it by hand");
  return { text: result.text, change, index: result.index };
}

/** The edit holds exactly the expected settings and every comment line of the original (indentation aside). */
function holds(original: string, text: string, expected: unknown): boolean {
  if (text === "") return false;
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isDeepStrictEqual(doc.toJS() ?? {}, expected)) return false;
  const comments = (t: string): Set<string> => new Set(t.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("#")));
  const kept = comments(text);
  return [...comments(original)].every((c) => kept.has(c));
}

/**
 * Where the new rule should go so it is the one that applies: an earlier rule that also matches the item would win
 * (rules are checked in order). Returns the index of that earlier rule, or undefined when the new one applies.
 */
export function shadowedBy(rules: readonly OverrideRule[], index: number, subject: { paths: string[]; titles: string[] }): number | undefined {
  const hit = findOverride(compileOverrides(rules), subject);
  return hit && hit.override.index !== index ? hit.override.index : undefined;
}

/** The YAML a user can paste by hand when the file cannot be written. */
export function overrideSnippet(rule: OverrideRule): string {
  return `identify:\n  overrides:\n${itemize(entryLines(rule, undefined), 4)}\n`;
}
