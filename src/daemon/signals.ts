// Signal handling: the first SIGTERM/SIGINT shuts down gracefully and exits 0; a second one forces the exit with
// 128 + the signal number, as shells and supervisors expect. SIGHUP reloads the config.
import { constants } from "node:os";
import type { Logger } from "../util/log.js";

export interface SignalHooks {
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  reload?: () => void;
  /** For tests; defaults to process.exit. */
  exit?: (code: number) => void;
}

export function installSignalHandlers(hooks: SignalHooks, log: Logger): () => void {
  const exit = hooks.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      const code = 128 + (constants.signals[signal] ?? 15);
      log.warn({ signal }, `second ${signal}: forcing exit`);
      exit(code);
      return;
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    hooks.shutdown(signal).then(
      () => exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        exit(1);
      },
    );
  };
  const onHup = (): void => hooks.reload?.();
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.on("SIGHUP", onHup);
  return () => {
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    process.off("SIGHUP", onHup);
  };
}
