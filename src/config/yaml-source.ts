// YAML text → plain data, keeping the node positions so a bad value can be reported with its line.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from "yaml";
import type { ConfigProblem } from "./errors.js";

export interface YamlSource {
  /** The parsed document as plain data ({} for an empty file). */
  data: unknown;
  /** Syntax problems; when non-empty, `data` is not to be trusted. */
  problems: ConfigProblem[];
  /** Line/column of the key at `path`, or of its deepest existing ancestor. */
  locate: (path: readonly PropertyKey[]) => { line: number; column: number } | undefined;
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, path: "", message: `invalid YAML: ${e.message.split("\n")[0] ?? e.message}` };
  });

  const locate = (path: readonly PropertyKey[]): { line: number; column: number } | undefined => {
    let node: unknown = doc.contents;
    let best: number | undefined = isNodeWithRange(node) ? node.range[0] : undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) break;
        if (isNodeWithRange(pair.key)) best = pair.key.range[0];
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item: unknown = node.items[seg];
        if (!isNodeWithRange(item)) break;
        best = item.range[0];
        node = item;
      } else {
        break;
      }
    }
    if (best === undefined) return undefined;
    const pos = lineCounter.linePos(best);
    return { line: pos.line, column: pos.col };
  };

  let data: unknown = problems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) data = {};
  return { data, problems, locate };
}

function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return typeof value === "object" && value !== null && Array.isArray((value as { range?: unknown }).range);
}
