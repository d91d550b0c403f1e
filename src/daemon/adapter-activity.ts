// Adapters and the supervisor report connection states (src/players/adapter.ts `onConnectionChange`); this passes
// each one on to the activity stream once: a state repeated for the same adapter (the Kodi adapter and the
// supervisor both say "stopped" when one is removed) is not news.
import type { ActivitySink } from "../core/activity.js";
import type { AdapterStatus } from "../players/adapter.js";

export class AdapterActivity {
  readonly #last = new Map<string, string>();

  constructor(
    private readonly activity: ActivitySink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bound: hand it to adapters (their context) and to the supervisor. */
  readonly report = (status: AdapterStatus): void => {
    if (this.#last.get(status.name) === status.state) return;
    this.#last.set(status.name, status.state);
    this.activity.report({
      type: "adapter",
      at: this.now(),
      name: status.name,
      kind: status.kind,
      state: status.state,
      ...(status.detail === undefined ? {} : { detail: status.detail }),
    });
  };
}
