// `npm run bench [-- name…]`: runs every bench module in this folder (each `bench/<name>.ts` exporting
// `run(): Promise<BenchRow[]>`) and prints its rows as a table. Targets live here, never in timed unit tests.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface BenchRow {
  metric: string;
  value: string;
  goal: string;
  /** Whether the goal is met; undefined when the row is informational. */
  ok?: boolean;
}

export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

function printTable(title: string, rows: BenchRow[]): void {
  const cells = [["metric", "value", "goal", ""], ...rows.map((r) => [r.metric, r.value, r.goal, r.ok === undefined ? "" : r.ok ? "ok" : "MISSED"])];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => (c[i] ?? "").length)));
  console.log(`\n## ${title}`);
  for (const c of cells) console.log(`| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`);
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const wanted = process.argv.slice(2);
  const names = (await readdir(here))
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .filter((n) => wanted.length === 0 || wanted.includes(n))
    .sort();
  let missed = 0;
  for (const name of names) {
    const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Partial<BenchModule>;
    if (typeof mod.run !== "function") {
      console.log(`\n## ${name}: no run() export, skipped`);
      continue;
    }
    const started = performance.now();
    try {
      const rows = await mod.run();
      printTable(`${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`, rows);
      missed += rows.filter((r) => r.ok === false).length;
    } catch (error) {
      console.error(`\n## ${name}: FAILED`, error);
      missed += 1;
    }
  }
  if (missed > 0) process.exitCode = 1;
}

await main();
