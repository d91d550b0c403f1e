// Spawning a TypeScript helper as a child process (node --import tsx) and waiting for its first JSON line.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface Child<T> {
  process: ChildProcess;
  pid: number;
  hello: T;
  stop(): Promise<void>;
}

export async function spawnTs<T>(script: string, args: string[], timeoutMs = 20_000): Promise<Child<T>> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, "line") as Promise<[string]>,
    once(child, "exit").then(([code]) => Promise.reject(new Error(`${script} exited with ${String(code)} before starting`))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
  const hello = JSON.parse(first[0]) as T;
  if (child.pid === undefined) throw new Error(`${script}: no pid`);
  return {
    process: child,
    pid: child.pid,
    hello,
    stop: () => stopChild(child, 3_000),
  };
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
