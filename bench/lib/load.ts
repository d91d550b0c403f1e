// A bounded HTTP load generator for loopback benchmarks: keeps `concurrency` POSTs in flight over keep-alive
// sockets for a fixed time (and at most `maxRequests`), and counts answers.
import { Agent, request } from "node:http";

export interface LoadResult {
  completed: number;
  failed: number;
  seconds: number;
  perSecond: number;
  statuses: Map<number, number>;
}

export interface LoadOptions {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(options.url);
  const statuses = new Map<number, number>();
  let started = 0;
  let completed = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;

  const one = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST", headers: { ...options.headers, "content-length": String(options.body.length) } },
        (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume();
          res.on("end", () => {
            completed++;
            resolve();
          });
          res.on("error", () => {
            failed++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        failed++;
        resolve();
      });
      req.end(options.body);
    });

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && started < options.maxRequests) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { completed, failed, seconds, perSecond: completed / seconds, statuses };
}
