// Helpers shared by the Kodi tests: an event recorder that waits for events (never sleeps) and a log capture.
import type { PlaybackEvent } from "../../../src/players/events.js";
import { createLogger, type Logger } from "../../../src/util/log.js";
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
