// The import boundaries (.dependency-cruiser.mjs, run by `npm run lint`) hold on the tree, and they are not
// toothless: in a copy of src/ with violations planted into it (a cycle made of `import type` only, an adapter
// importing the outbox, …), each rule reports its violation and the check fails.
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../cli/install.js";

const execFileP = promisify(execFile);
const DEPCRUISE = join(repoRoot, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

async function depcruise(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await execFileP(process.execPath, [DEPCRUISE, "src", "--config", ".dependency-cruiser.mjs", "--output-type", "err"], { cwd, timeout: 60_000 });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

let copy: string;
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "tsd-boundaries-"));
  for (const entry of ["src", "tsconfig.json", ".dependency-cruiser.mjs", "package.json"]) cpSync(join(repoRoot, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"), "dir");
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("import boundaries", () => {
  it("hold on the tree", async () => {
    const result = await depcruise(repoRoot);
    expect(result.output).toContain("no dependency violations found");
    expect(result.code).toBe(0);
  });

  it("fail on a type-only cycle, an adapter importing the outbox, a busy util, an eager command, a heavy status, a main that builds the program and an eager notifier", async () => {
    // Two core modules that only share types, each importing the other: erased at runtime, still a cycle.
    writeFileSync(join(copy, "src/core/planted-a.ts"), 'import type { B } from "./planted-b.js";\nexport interface A {\n  b?: B;\n}\n');
    writeFileSync(join(copy, "src/core/planted-b.ts"), 'import type { A } from "./planted-a.js";\nexport interface B {\n  a?: A;\n}\n');
    writeFileSync(join(copy, "src/players/mpv/planted.ts"), 'import type { Outbox } from "../../outbox/outbox.js";\nexport type Sink = Outbox;\n');
    writeFileSync(join(copy, "src/util/planted.ts"), 'export { VERSION } from "../version.js";\n');
    appendFileSync(join(copy, "src/cli/commands.ts"), 'export { Outbox } from "../outbox/index.js";\n');
    appendFileSync(join(copy, "src/cli/actions/status.ts"), 'export { runDoctor } from "../../doctor/run.js";\n');
    appendFileSync(join(copy, "src/cli/main.ts"), 'export { buildProgram } from "./program.js";\n');
    writeFileSync(join(copy, "src/daemon/planted-notify.ts"), 'export { Notifier } from "../notify/index.js";\n');
    const result = await depcruise(copy);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(/no-cycle: src\/core\/planted-(a|b)\.ts/);
    expect(result.output).toContain("adapters-only-use-the-contract: src/players/mpv/planted.ts → src/outbox/outbox.ts");
    expect(result.output).toContain("util-is-a-leaf: src/util/planted.ts → src/version.ts");
    expect(result.output).toContain("commands-load-their-work-lazily: src/cli/commands.ts → src/outbox/index.ts");
    expect(result.output).toContain("short-commands-stay-short: src/cli/actions/status.ts → src/doctor/run.ts");
    expect(result.output).toContain("notifications-load-lazily: src/daemon/planted-notify.ts → src/notify/index.ts");
    expect(result.output).toContain("quick-commands-skip-commander: src/cli/main.ts → src/cli/program.ts");
    // Only what was planted is reported.
    const rules = new Set([...result.output.matchAll(/^\s+error ([\w-]+):/gm)].map((m) => m[1]));
    expect([...rules].sort()).toEqual(["adapters-only-use-the-contract", "commands-load-their-work-lazily", "no-cycle", "notifications-load-lazily", "quick-commands-skip-commander", "short-commands-stay-short", "util-is-a-leaf"]);
  });
});
