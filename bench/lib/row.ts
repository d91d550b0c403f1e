// The row shape of bench/run.ts's table (kept here too so bench modules do not import the runner, which runs main).
export interface BenchRow {
  metric: string;
  value: string;
  goal: string;
  /** Whether the goal is met; undefined when the row is informational. */
  ok?: boolean;
}

/** BENCH_QUICK=1 shortens measurement windows for development; the default is the full measurement. */
export const QUICK = process.env.BENCH_QUICK === "1";
