import { loadavg } from "node:os";
import type { BenchRow } from "./row.js";

/** The machine's 1-minute load average, so a reader can tell a noisy run (shared CI boxes) from a slow daemon. */
export function loadRow(when: string): BenchRow {
  return { metric: `  load average (1 min) ${when}`, value: loadavg()[0]!.toFixed(2), goal: "" };
}
