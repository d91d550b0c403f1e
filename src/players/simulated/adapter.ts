// A scripted player for `demo` and tests: plays one item through a list of steps on a compressed clock.
import { reportConnection, type AdapterContext, type AdapterStatus, type PlayerAdapter } from "../adapter.js";
import type { MediaHints, PlaybackState } from "../../core/playback.js";

export interface SimulatedStep {
  /** Delay before this step, in real milliseconds. */
  afterMs: number;
  state: PlaybackState;
  /** Position in the item, in milliseconds. */
  positionMs: number;
}

export interface SimulatedPlayback {
  hints: MediaHints;
  durationMs: number;
  steps: SimulatedStep[];
  account?: string;
}

export class SimulatedPlayerAdapter implements PlayerAdapter {
  readonly name: string;
  private timers: NodeJS.Timeout[] = [];
  private lastStep: SimulatedStep | undefined;
  private done = false;
  private readonly finished: Promise<void>;
  private resolveFinished: () => void = () => undefined;

  constructor(
    name: string,
    private readonly playback: SimulatedPlayback,
    private readonly context: AdapterContext,
  ) {
    this.name = name;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Resolves once the last step was emitted. */
  whenFinished(): Promise<void> {
    return this.finished;
  }

  start(_signal: AbortSignal): Promise<void> {
    reportConnection(this.context, { name: this.name, kind: "simulated", state: "connected" });
    let at = 0;
    this.playback.steps.forEach((step, index) => {
      at += step.afterMs;
      this.timers.push(
        setTimeout(() => {
          this.lastStep = step;
          this.emit(step.state, step.positionMs);
          if (index === this.playback.steps.length - 1) this.finish();
        }, at),
      );
    });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    const last = this.lastStep;
    if (!this.done && last !== undefined && (last.state === "playing" || last.state === "paused")) {
      this.emit("stopped", last.positionMs);
    }
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.resolveFinished();
    reportConnection(this.context, { name: this.name, kind: "simulated", state: "stopped" });
  }

  status(): AdapterStatus[] {
    return [{ name: this.name, kind: "simulated", state: this.done ? "stopped" : "connected" }];
  }

  private emit(state: PlaybackState, positionMs: number): void {
    this.context.emit({
      player: this.name,
      sessionKey: "demo",
      state,
      positionMs,
      durationMs: this.playback.durationMs,
      progress: (positionMs / this.playback.durationMs) * 100,
      observedAt: this.context.now(),
      hints: this.playback.hints,
      ...(this.playback.account === undefined ? {} : { account: this.playback.account }),
    });
  }
}
