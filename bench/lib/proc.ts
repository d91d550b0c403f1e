// Reading a process's memory and CPU time from /proc (Linux), for the benchmarks.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

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

export const MB = 1024 * 1024;
export const fmtMB = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
