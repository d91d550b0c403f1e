// A plain `healthcheck` or `status` skips commander (src/cli/quick-commands.ts). Whatever the quick path accepts,
// commander must read the same way; whatever it is unsure of, it must leave to commander.
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { quickCommand } from "../../src/cli/quick-commands.js";

/** What commander hands the command's action for these arguments (the action is swapped for a recorder). */
async function commanderReads(args: string[]): Promise<{ name: string; globals: unknown; opts: unknown }> {
  const program = buildProgram().exitOverride();
  let seen: { name: string; globals: unknown; opts: unknown } | undefined;
  for (const command of program.commands) {
    command.action((opts: Record<string, unknown>, cmd: Command) => {
      const { config, stateDir } = cmd.optsWithGlobals<{ config?: string; stateDir?: string }>();
      seen = { name: cmd.name(), globals: { ...(config === undefined ? {} : { config }), ...(stateDir === undefined ? {} : { stateDir }) }, opts: { ...opts } };
    });
  }
  await program.parseAsync(["node", "trakt-scrobblerd", ...args]);
  if (!seen) throw new Error(`commander ran no command for ${args.join(" ")}`);
  return seen;
}

describe("quick healthcheck and status", () => {
  const plain = [
    ["healthcheck"],
    ["healthcheck", "--timeout", "2000"],
    ["healthcheck", "--timeout=250", "--url", "http://127.0.0.1:7788/healthz"],
    ["--config", "/etc/trakt-scrobblerd/config.yaml", "healthcheck"],
    ["-c", "/config/config.yaml", "--state-dir", "/data", "healthcheck"],
    ["healthcheck", "--config", "/c.yaml"],
    ["status"],
    ["status", "--json"],
    ["--state-dir=/var/lib/x", "status", "--url", "http://[::1]:7788", "--json"],
    ["-c", "status", "status"], // a config file named "status"
  ];
  for (const args of plain) {
    it(`reads ${JSON.stringify(args)} as commander does`, async () => {
      const quick = quickCommand(args);
      expect(quick).toBeDefined();
      expect(quick).toEqual(await commanderReads(args));
    });
  }

  const leftToCommander = [
    [],
    ["run"],
    ["--help"],
    ["-V"],
    ["healthcheck", "--help"],
    ["healthcheck", "--timout", "5"],
    ["healthcheck", "--url"],
    ["healthcheck", "extra"],
    ["status", "--json=yes"],
    ["status", "healthcheck"],
    ["queue", "list"],
    ["match", "status"],
  ];
  for (const args of leftToCommander) {
    it(`leaves ${JSON.stringify(args)} to commander`, () => {
      expect(quickCommand(args)).toBeUndefined();
    });
  }
});
