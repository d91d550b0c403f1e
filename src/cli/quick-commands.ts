// `healthcheck` (Docker runs it every 30 s, forever) and `status` (monitoring scripts poll it) are dispatched without
// building the command-line program when their arguments are plain: commander alone costs about 20 ms of CPU per
// start, a quarter of a bare `node -e 0`. Plain means what util.parseArgs in strict mode accepts with exactly the
// options commands.ts declares for them; anything else (help, a typo, another command) goes to commander, which
// explains. test/cli/quick-commands.test.ts checks both paths agree.
import { parseArgs } from "node:util";
import type { GlobalOptions } from "./options.js";

const GLOBAL_OPTIONS = { config: { type: "string", short: "c" }, "state-dir": { type: "string" } } as const;
/** Options whose value is the next argument (`--config file`): that argument is no command name. */
const TAKES_VALUE = new Set(["-c", "--config", "--state-dir", "--url", "--timeout"]);

export type QuickCommand =
  | { name: "healthcheck"; globals: GlobalOptions; opts: { url?: string; timeout: string } }
  | { name: "status"; globals: GlobalOptions; opts: { json?: boolean; url?: string } };

/** The command when `args` (argv without node and the script) is a plain healthcheck or status, else undefined. */
export function quickCommand(args: readonly string[]): QuickCommand | undefined {
  const name = args.find((a, i) => !a.startsWith("-") && !TAKES_VALUE.has(args[i - 1] ?? ""));
  try {
    if (name === "healthcheck") {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: { ...GLOBAL_OPTIONS, url: { type: "string" }, timeout: { type: "string", default: "5000" } },
      });
      if (positionals.length !== 1) return undefined;
      return { name, globals: globalsOf(values), opts: { ...(values.url === undefined ? {} : { url: values.url }), timeout: values.timeout } };
    }
    if (name === "status") {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: { ...GLOBAL_OPTIONS, url: { type: "string" }, json: { type: "boolean" } },
      });
      if (positionals.length !== 1) return undefined;
      return { name, globals: globalsOf(values), opts: { ...(values.json ? { json: true } : {}), ...(values.url === undefined ? {} : { url: values.url }) } };
    }
  } catch {
    // Not plain (an unknown option, a missing value): commander says what is wrong.
  }
  return undefined;
}

function globalsOf(values: { config?: string; "state-dir"?: string }): GlobalOptions {
  return { ...(values.config === undefined ? {} : { config: values.config }), ...(values["state-dir"] === undefined ? {} : { stateDir: values["state-dir"] }) };
}
