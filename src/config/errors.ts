/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** The file the problem is in (absent for environment variables and command-line flags). */
  file?: string;
  /** 1-based line and column in `file`. */
  line?: number;
  column?: number;
  /** The environment variable the bad value came from. */
  envVar?: string;
  /** Key path, e.g. "kodi.instances[0].url" ("" for the whole document). */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  let where = "";
  if (p.envVar) where = `environment variable ${p.envVar}`;
  else if (p.file) where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const parts = [where, p.path, p.message].filter((s) => s !== "");
  return parts.join(": ");
}

/** An invalid configuration: every problem found, each on its own line in `message`. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], options?: ErrorOptions) {
    super(problems.map(formatProblem).join("\n"), options);
    this.problems = problems;
  }
}
