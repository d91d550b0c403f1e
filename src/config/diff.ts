// Which keys differ between two configs, and which of those cannot apply live (`.meta({ restart: true })` on the key
// or on any section above it). Live reload applies the rest and says "restart required" for these.
import { isDeepStrictEqual } from "node:util";
import { isRecord } from "./env.js";
import { configKeys } from "./validate.js";
import type { KeyInfo } from "./walk.js";

export interface ConfigDiff {
  /** Dotted paths of changed keys (lists and maps compare as a whole), e.g. ["kodi.instances", "server.port"]. */
  changed: string[];
  /** The subset of `changed` that needs a restart to take effect. */
  restartRequired: string[];
  /** Top-level sections with any change, e.g. ["kodi", "server"]. */
  sections: string[];
}

export function diffConfigs(before: unknown, after: unknown, root: KeyInfo = configKeys()): ConfigDiff {
  const changed: string[] = [];
  const restartRequired: string[] = [];
  const visit = (key: KeyInfo, a: unknown, b: unknown, restart: boolean): void => {
    const needsRestart = restart || key.restart === true;
    if (key.kind === "object" && (isRecord(a) || isRecord(b))) {
      const ao = isRecord(a) ? a : {};
      const bo = isRecord(b) ? b : {};
      for (const child of key.children) {
        const k = child.path[child.path.length - 1] ?? "";
        visit(child, ao[k], bo[k], needsRestart);
      }
      return;
    }
    if (!isDeepStrictEqual(a, b)) {
      changed.push(key.name);
      if (needsRestart) restartRequired.push(key.name);
    }
  };
  visit(root, before, after, false);
  const sections = [...new Set(changed.map((p) => p.split(/[.[]/)[0] ?? p))];
  return { changed, restartRequired, sections };
}

/**
 * The config to run on after a reload: `next`, except that every changed key that needs a restart keeps its running
 * value (until the restart). `diff` says what changed and what waits for the restart.
 */
export function liveConfig<T>(running: T, next: T, root: KeyInfo = configKeys()): { config: T; diff: ConfigDiff } {
  const diff = diffConfigs(running, next, root);
  const keep = new Set(diff.restartRequired);
  const merge = (key: KeyInfo, a: unknown, b: unknown): unknown => {
    if (key.kind !== "object" || !isRecord(b)) return keep.has(key.name) ? a : b;
    const ao = isRecord(a) ? a : {};
    const out: Record<string, unknown> = { ...b };
    for (const child of key.children) {
      const k = child.path[child.path.length - 1] ?? "";
      const value = merge(child, ao[k], b[k]);
      if (value === undefined) delete out[k];
      else out[k] = value;
    }
    return out;
  };
  return { config: merge(root, running, next) as T, diff };
}
