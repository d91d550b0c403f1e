// Reading a process's memory and CPU time from /proc (Linux), for the benchmarks.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Current and peak resident set size in bytes (VmRSS, VmHWM of /proc/<pid>/status). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * 1024;
  };
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

let ticksPerSecond: number | undefined;

/** User + system CPU time of the process in ms (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuMsOf(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; fields after it start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/**
 * CPU time of every thread of the process in ms, to the nanosecond: the sum of the first field of
 * /proc/<pid>/task/<tid>/schedstat (time on a CPU). /proc/<pid>/stat counts in clock ticks (10 ms), too coarse for a
 * process that should use a few ms a minute. Falls back to cpuMsOf where the kernel has no schedstat. Threads that
 * ended before the reading are not counted (Node's threads live as long as the process).
 */
export function preciseCpuMsOf(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    if (Number.isFinite(ns)) return ns / 1e6;
  } catch {
    // no schedstat (CONFIG_SCHED_INFO off) or a thread ended while we read: use the ticks
  }
  return cpuMsOf(pid);
}

export const MB = 1024 * 1024;
export const fmtMB = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
