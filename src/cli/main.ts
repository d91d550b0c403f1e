// The CLI entry: a plain `healthcheck` or `status` runs at once (./quick-commands.ts); everything else goes through
// the command-line program (./program.ts), loaded only then.
import { quickCommand } from "./quick-commands.js";

export async function main(argv: string[]): Promise<void> {
  const quick = quickCommand(argv.slice(2));
  if (quick?.name === "healthcheck") {
    const { healthcheck } = await import("./actions/healthcheck.js");
    return healthcheck(quick.globals, quick.opts);
  }
  if (quick?.name === "status") {
    const { status } = await import("./actions/status.js");
    return status(quick.globals, quick.opts);
  }
  const { buildProgram } = await import("./program.js");
  await buildProgram().parseAsync(argv);
}
