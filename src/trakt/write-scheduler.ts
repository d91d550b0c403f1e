// Trakt allows one POST/PUT/DELETE per second per user. Writes of one account run one at a time, in order,
// and each starts at least `spacingMs` after the previous one *finished* (measured from the response, so two
// writes can never arrive at Trakt closer than that, whatever the latency). Reads are not spaced.
import type { Sleep } from "./retry.js";

interface Lane {
  tail: Promise<void>;
  lastDoneAt: number | undefined;
}

export class WriteScheduler {
  readonly #lanes = new Map<string, Lane>();

  constructor(
    private readonly spacingMs: number,
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {}

  #lane(account: string): Lane {
    let lane = this.#lanes.get(account);
    if (!lane) {
      lane = { tail: Promise.resolve(), lastDoneAt: undefined };
      this.#lanes.set(account, lane);
    }
    return lane;
  }

  /** Runs `job` when every earlier job of `account` has settled. `job` gets `spaced` to wrap each request. */
  serial<T>(account: string, job: (spaced: <R>(request: () => Promise<R>, signal?: AbortSignal) => Promise<R>) => Promise<T>): Promise<T> {
    const lane = this.#lane(account);
    const spaced = async <R>(request: () => Promise<R>, signal?: AbortSignal): Promise<R> => {
      if (lane.lastDoneAt !== undefined) {
        const wait = lane.lastDoneAt + this.spacingMs - this.now();
        if (wait > 0) await this.sleep(wait, signal);
      }
      try {
        return await request();
      } finally {
        lane.lastDoneAt = this.now();
      }
    };
    const run = lane.tail.then(() => job(spaced));
    lane.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
