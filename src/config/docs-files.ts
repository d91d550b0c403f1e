// Writes (or checks) the generated files: config/config.example.yaml, the reference in docs/config.md, and
// optionally the same reference in README.md — each between the config-reference markers.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig } from "./schema.js";
import { ENV_END, ENV_START, generateEnvMarkdown, generateExampleYaml, generateReferenceMarkdown, replaceBetweenMarkers } from "./docs.js";

export interface DocsTarget {
  path: string;
  /** Whole file, or only between the markers. */
  mode: "whole" | "markers";
}

export interface DocsResult {
  path: string;
  changed: boolean;
}

export function docsTargets(repoRoot: string, extraMarked: string[] = []): DocsTarget[] {
  return [
    { path: join(repoRoot, "config", "config.example.yaml"), mode: "whole" },
    { path: join(repoRoot, "docs", "config.md"), mode: "markers" },
    { path: join(repoRoot, "README.md"), mode: "markers" },
    ...extraMarked.map((path) => ({ path, mode: "markers" as const })),
  ];
}

/** Generates every target; writes those that differ unless `check` (then only reports them). */
export function syncConfigDocs(targets: DocsTarget[], check: boolean): DocsResult[] {
  const example = generateExampleYaml(defaultConfig());
  const reference = generateReferenceMarkdown();
  const envTable = generateEnvMarkdown();
  // The reference markers are required in a marked file; the env-table markers are optional.
  const marked = (text: string): string => {
    const withReference = replaceBetweenMarkers(text, reference);
    return withReference.includes(ENV_START) ? replaceBetweenMarkers(withReference, envTable, ENV_START, ENV_END) : withReference;
  };
  return targets.map((t) => {
    let current = "";
    try {
      current = readFileSync(t.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || t.mode === "markers") throw e;
    }
    const wanted = t.mode === "whole" ? example : marked(current);
    const changed = wanted !== current;
    if (changed && !check) writeFileSync(t.path, wanted);
    return { path: t.path, changed };
  });
}
