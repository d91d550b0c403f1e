// When each account's queue is delivered. One delivery loop per account (accounts run in parallel, an account's
// entries in order); an account Trakt is failing for waits — exponential backoff or Retry-After while Trakt is
// unreachable, a hold while a person must act — and, with autoWake, wakes itself when the wait ends (and a minute
// after a loop failed, e.g. on a full disk). Nothing runs while there is nothing to send: `nextWakeAt()` says when
// there next is.
import type { Logger } from "../util/log.js";
import { MINUTE, type OutboxSettings } from "./options.js";
import { backoffMs } from "../util/backoff.js";
import { retryBackoff } from "./policy.js";
import type { AccountView } from "./status.js";
import type { Entry, OutboxState } from "./state.js";

/** Delivers `head` (and whatever it can batch with it from `queue`); the loop calls it until nothing is ready. */
export type DeliverStep = (account: string, head: Entry, queue: Map<string, Entry>, now: number) => Promise<void>;

export interface SchedulerOptions {
  state: OutboxState;
  settings: Pick<OutboxSettings, "retryMaxDelaySeconds" | "accountHoldMinutes">;
  log: Logger;
  now: () => number;
  /** Aborted when the outbox closes: loops stop and no timer is set after that. */
  signal: AbortSignal;
  /** Set a timer to run an account again when its wait ends. */
  autoWake: boolean;
  /** False for a read-only outbox: nothing is ever delivered. */
  active: boolean;
  deliver: DeliverStep;
  /** A delivery loop has ended (the queue may have changed: delivered, dead-lettered, waiting). */
  onSettled?: () => void;
}

/** After a delivery loop failed for a reason of its own (not Trakt's: the journal could not be written, a bug). */
const LOOP_RETRY_MS = MINUTE;

interface AccountRun {
  /** The whole account waits until then (backoff or hold). */
  notBefore: number;
  failures: number;
  problem: string | undefined;
  running: Promise<void> | undefined;
  /** Asked to look again while running. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  loggedProblem: boolean;
}

export class AccountScheduler {
  private readonly runs = new Map<string, AccountRun>();

  constructor(private readonly options: SchedulerOptions) {}

  private get stopped(): boolean {
    return this.options.signal.aborted;
  }

  private run(account: string): AccountRun {
    let run = this.runs.get(account);
    if (!run) {
      run = { notBefore: 0, failures: 0, problem: undefined, running: undefined, again: false, timer: undefined, loggedProblem: false };
      this.runs.set(account, run);
    }
    return run;
  }

  /** Starts the account's delivery loop, or asks the running one to look again. Never rejects. */
  kick(account: string): Promise<void> {
    const run = this.run(account);
    if (this.stopped || !this.options.active) return Promise.resolve();
    if (run.running) {
      run.again = true;
      return run.running;
    }
    run.running = (async () => {
      try {
        do {
          run.again = false;
          await this.loop(account, run);
        } while (run.again && !this.stopped);
      } catch (error) {
        if (!this.stopped) {
          this.options.log.error({ err: error, account }, "outbox delivery loop failed; it runs again in a minute");
          this.wakeAt(account, run, this.options.now() + LOOP_RETRY_MS);
        }
      } finally {
        run.running = undefined;
        this.options.onSettled?.();
      }
    })();
    return run.running;
  }

  /** Kicks every account that has something pending. */
  async kickAll(): Promise<void> {
    const accounts = [...this.options.state.pending].filter(([, queue]) => queue.size > 0).map(([account]) => account);
    await Promise.all(accounts.map((account) => this.kick(account)));
  }

  /** Resolves when no account is delivering. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.runs.values()].map((r) => r.running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** The first entry that may go now, or when the earliest parked one may. */
  private static ready(queue: Map<string, Entry>, now: number): { head: Entry | undefined; earliest: number } {
    let earliest = Infinity;
    for (const e of queue.values()) {
      if (e.inFlight) continue;
      if (e.notBefore > now) {
        earliest = Math.min(earliest, e.notBefore);
        continue;
      }
      return { head: e, earliest };
    }
    return { head: undefined, earliest };
  }

  private async loop(account: string, run: AccountRun): Promise<void> {
    while (!this.stopped) {
      const now = this.options.now();
      if (run.notBefore > now) return this.wakeAt(account, run, run.notBefore);
      const queue = this.options.state.pending.get(account);
      if (!queue || queue.size === 0) return;
      const { head, earliest } = AccountScheduler.ready(queue, now);
      if (!head) {
        if (earliest < Infinity) this.wakeAt(account, run, earliest);
        return;
      }
      await this.options.deliver(account, head, queue, now);
    }
  }

  private wakeAt(account: string, run: AccountRun, at: number): void {
    if (!this.options.autoWake || this.stopped) return;
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(
      () => {
        run.timer = undefined;
        void this.kick(account);
      },
      Math.max(0, at - this.options.now()) + 10,
    );
    run.timer.unref();
  }

  /**
   * When `drain()` next has something to send without being told: now for an account with a ready entry and no
   * loop running, else the earliest end of an account's wait or of an entry's retry delay. Undefined when no
   * account holds anything (only a submit brings work then). A running loop looks after its own account.
   */
  nextWakeAt(): number | undefined {
    const now = this.options.now();
    let next: number | undefined;
    for (const [account, queue] of this.options.state.pending) {
      if (queue.size === 0) continue;
      const run = this.runs.get(account);
      if (run?.running) continue;
      const { head, earliest } = AccountScheduler.ready(queue, now);
      const entryReady = head ? now : earliest;
      if (entryReady === Infinity) continue; // everything in flight
      const at = Math.max(run?.notBefore ?? 0, entryReady);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** A request came back: the account is fine again. */
  ok(account: string): void {
    const run = this.run(account);
    if (run.problem && run.loggedProblem) this.options.log.info({ problem: run.problem }, "Trakt answers again for this account; delivering the queue");
    run.failures = 0;
    run.problem = undefined;
    run.loggedProblem = false;
  }

  /** Trakt is unreachable, failing or rate limiting: the account waits (Retry-After when given, else backoff). */
  backOff(account: string, retryAfterMs: number | undefined, problem: string, error: unknown): void {
    const run = this.run(account);
    const wait = retryAfterMs ?? backoffMs(run.failures, retryBackoff(this.options.settings.retryMaxDelaySeconds * 1000));
    run.failures += 1;
    run.notBefore = this.options.now() + wait;
    run.problem = problem;
    if (!run.loggedProblem) {
      this.options.log.warn({ account, err: error, retryInMs: wait, pending: this.options.state.pending.get(account)?.size }, "Trakt is not answering; the queue waits and retries");
      run.loggedProblem = true;
    }
  }

  /** The account cannot send until a person acts: it is tried again every accountHoldMinutes. */
  hold(account: string, problem: string): void {
    const run = this.run(account);
    const holdMinutes = this.options.settings.accountHoldMinutes;
    run.notBefore = this.options.now() + holdMinutes * MINUTE;
    run.problem = problem;
    if (!run.loggedProblem) {
      this.options.log.error({ account, pending: this.options.state.pending.get(account)?.size }, `${problem}; the queue is kept and retried every ${holdMinutes} min`);
      run.loggedProblem = true;
    }
  }

  /** Ends the waits of one account (or all) and of their entries, so the next drain sends at once. */
  clearWaits(account?: string): void {
    for (const [name, run] of this.runs) {
      if (account !== undefined && name !== account) continue;
      run.notBefore = 0;
      run.problem = undefined;
    }
    for (const q of this.options.state.pending.values()) for (const e of q.values()) if (account === undefined || e.account === account) e.notBefore = 0;
  }

  /** Per account: how much waits, until when, and why. */
  accounts(): AccountView[] {
    const now = this.options.now();
    const { pending } = this.options.state;
    return [...new Set([...pending.keys(), ...this.runs.keys()])].map((account) => {
      const run = this.runs.get(account);
      const waiting = run && run.notBefore > now ? new Date(run.notBefore).toISOString() : undefined;
      return { account, pending: pending.get(account)?.size ?? 0, waitingUntil: waiting, problem: run?.problem };
    });
  }

  /** Cancels the wake-up timers (the signal stops the loops). */
  stop(): void {
    for (const run of this.runs.values()) if (run.timer) clearTimeout(run.timer);
  }
}
