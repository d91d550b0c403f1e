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
