// "Fix the match": the user picked the Trakt movie or show an unidentified item is. The choice is saved as an
// identify.overrides entry in the config file (config-edit.ts keeps the file as written), the daemon reloads it
// (the overrides apply live), and the dead letters that now identify go back to the queue — the same as
// `queue retry` — so the waiting watch is delivered.
import { realpath, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { OverrideRule } from "../config/sections/identify.js";
import { validateConfigText } from "../config/validate.js";
import { parseMediaName } from "../identify/parse/name.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ConfigEditError, overrideSnippet, shadowedBy, withOverride } from "./config-edit.js";
import type { DashboardHost } from "./host.js";

export interface FixRequest {
  /** The item as the page knows it (its path or name). */
  what: string;
  rule: OverrideRule;
  /** What the user picked, for the comment above the entry ("Blade Runner 2049 (2017)"). */
  picked: string;
}

export interface FixResult {
  file: string;
  change: "added" | "updated";
  /** Dead letters sent again, by label. */
  retried: string[];
  /** An earlier rule still wins for this item (rules are checked in order). */
  warning?: string;
}

export class FixError extends Error {
  override readonly name = "FixError";
  constructor(
    message: string,
    /** YAML to paste by hand when the file could not be written. */
    readonly snippet?: string,
  ) {
    super(message);
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined;
}

async function readConfig(file: string): Promise<{ text: string; target: string; mode: number }> {
  try {
    // A config file that is a symlink (dotfiles) is edited where it points, so the link stays.
    const target = await realpath(file);
    const info = await stat(target);
    return { text: await readFile(target, "utf8"), target, mode: info.mode & 0o777 };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { text: "", target: file, mode: 0o600 };
    throw error;
  }
}

export async function fixMatch(host: DashboardHost, request: FixRequest): Promise<FixResult> {
  const file = host.configTarget();
  const { rule } = request;
  if (!file) throw new FixError("there is no config file to save the match in, and none can be created here: add this to your config file by hand", overrideSnippet(rule));
  const { text, target, mode } = await readConfig(file);
  const comment = `${request.picked} — from the dashboard, ${new Date().toISOString().slice(0, 10)}, for "${path.basename(request.what)}"`;
  let edit;
  try {
    edit = withOverride(text, rule, comment);
  } catch (error) {
    if (error instanceof ConfigEditError) throw new FixError(`${error.message}: ${file}`, overrideSnippet(rule));
    throw error;
  }
  const checked = validateConfigText(edit.text, file, { env: process.env });
  if (!checked.ok) throw new FixError(`the override would make the config invalid: ${checked.error.message}`, overrideSnippet(rule));
  try {
    await writeFileAtomic(target, edit.text, { mode });
  } catch (error) {
    const code = errorCode(error);
    const why = code === "EACCES" || code === "EPERM" || code === "EROFS" ? `the daemon may not write ${target} (${code})` : `writing ${target} failed (${code ?? String(error)})`;
    throw new FixError(`${why}: add this to the config file by hand`, overrideSnippet(rule));
  }
  host.log.info({ file: target, rule, change: edit.change }, "identify override saved from the dashboard");

  const reload = await host.reload();
  if (!reload.applied) throw new FixError(`the override was saved to ${target}, but the daemon did not take the file: ${reload.error}`);

  const rules = checked.config.identify.overrides;
  const paths = /[\\/]/.test(request.what) ? [request.what] : [];
  const parsedTitle = parseMediaName(request.what).title;
  const shadow = shadowedBy(rules, edit.index, { paths, titles: [rule.title, parsedTitle].filter((t): t is string => t !== undefined) });

  // The dead letters of unknown media that now identify go back to the queue (a stale "start" is left alone).
  const retried: string[] = [];
  for (const entry of host.outbox.list().deadLetters) {
    if (entry.dead?.reason !== "unknown_media" || entry.kind === "start") continue;
    const result = await host.identifier.identify(entry.hints).catch(() => undefined);
    if (!result?.ok) continue;
    await host.outbox.retry(entry.id);
    retried.push(entry.label);
  }
  return {
    file: target,
    change: edit.change,
    retried,
    ...(shadow !== undefined ? { warning: `an earlier override (#${shadow + 1}) also matches this item and is checked first; edit or remove it in ${target}` } : {}),
  };
}
