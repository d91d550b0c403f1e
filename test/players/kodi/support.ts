// Helpers shared by the Kodi tests: an event recorder that waits for events (never sleeps) and a log capture.
import type { PlaybackEvent } from "../../../src/core/playback.js";
import { createLogger, type Logger } from "../../../src/util/log.js";
import { KodiClient } from "../../../src/players/kodi/client.js";
import { vi } from "vitest";
import type { DestinationStream } from "pino";

export class EventRecorder {
  readonly events: PlaybackEvent[] = [];
  private readonly waiters = new Set<() => void>();

  readonly emit = (event: PlaybackEvent): void => {
    this.events.push(event);
    for (const w of [...this.waiters]) w();
  };

  mark(): number {
    return this.events.length;
  }

  /** Resolves with the first event at index ≥ `from` that matches. */
  waitFor(match: (e: PlaybackEvent) => boolean, from = 0, timeoutMs = 15_000, what = "a matching event"): Promise<PlaybackEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.slice(from).find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(from).map((e) => [e.state, e.progress, e.sessionKey]))}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  since(from: number): PlaybackEvent[] {
    return this.events.slice(from);
  }
}

export interface CapturedLog {
  logger: Logger;
  lines: () => { level: number; msg: string; [key: string]: unknown }[];
}

export function captureLog(level = "info"): CapturedLog {
  const raw: string[] = [];
  const destination: DestinationStream = { write: (s: string) => void raw.push(s) };
  const logger = createLogger({ level, destination, pretty: false });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

/**
 * Lets real I/O run (one event-loop turn at a time, setImmediate is never faked in these tests) until `cond` holds.
 * For tests with fake timers, where waiting on a timer would never end.
 */
export async function ioUntil(cond: () => boolean, what = "condition", maxTurns = 20_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (cond()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${what} did not happen within ${maxTurns} event-loop turns`);
}

/**
 * Watches every request the Kodi client sends. `settled()` resolves once all of them are answered (or failed):
 * with fake timers this is how a test knows the adapter has seen Kodi's answers before moving time on.
 */
export function trackRequests(): { sent: (method?: string) => number; settled: () => Promise<void> } {
  const calls: { method: string; done: Promise<unknown> }[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply below
  const original = KodiClient.prototype.request;
  vi.spyOn(KodiClient.prototype, "request").mockImplementation(function (this: KodiClient, ...args: Parameters<KodiClient["request"]>) {
    const promise = original.apply(this, args);
    calls.push({ method: args[0], done: promise.catch(() => undefined) });
    return promise;
  });
  return {
    sent: (method) => (method ? calls.filter((c) => c.method === method).length : calls.length),
    settled: async () => {
      let seen = -1;
      while (seen !== calls.length) {
        seen = calls.length;
        await Promise.all(calls.map((c) => c.done));
      }
    },
  };
}
