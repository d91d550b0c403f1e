// A small Dockerfile reader for the contract test: enough for our own file (continuations, comments, ARG defaults,
// stages, exec-form JSON arrays, ENV key=value pairs). Not a general parser.

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (pending === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    if (pending !== "" && line.trim().startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line.trim()}`);
    pending = "";
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (keyword === "ARG" && stages.length === 0) {
      const [k, v] = rest.split("=", 2);
      args.set(k!, v ?? "");
      continue;
    }
    if (keyword === "FROM") {
      const [image, as, name] = rest.split(/\s+/);
      const from = image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? "");
      stages.push({ from, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    stage.instructions.push({ keyword, args: rest });
  }
  return { args, stages };
}

export function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

export function last(stage: Stage, keyword: string): string | undefined {
  return all(stage, keyword).at(-1);
}

/** Exec form (JSON array) only: that is what the contract requires for ENTRYPOINT, CMD and HEALTHCHECK CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** ENV a=b c=d (and the legacy `ENV a b`). Values here are unquoted or double-quoted. */
export function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const args of all(stage, "ENV")) {
    if (!args.includes("=")) {
      const [k, ...v] = args.split(/\s+/);
      env.set(k!, v.join(" "));
      continue;
    }
    for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
      env.set(m[1]!, value);
    }
  }
  return env;
}

/** HEALTHCHECK [--opt=v ...] CMD [...] → the command array. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const hc = last(stage, "HEALTHCHECK");
  if (!hc) return undefined;
  const m = /\bCMD\s+(\[.*\])\s*$/.exec(hc);
  if (!m) throw new Error(`HEALTHCHECK must use CMD in exec form: ${hc}`);
  return execForm(m[1]!);
}
