// What an error nobody caught does in `run`: it is logged in full (fatal level, stack and causes, secrets
// redacted), then the process exits with EXIT_UNCAUGHT so its supervisor starts a fresh one (systemd
// `Restart=on-failure`, Docker's restart policy). Nothing tries to carry on: after an uncaught exception the
// process state is unknown (Node's own advice), and a half-working daemon that no longer scrobbles is worse than a
// restart. Nothing is lost by exiting: every watch is in the outbox on disk before it is sent.
import type { Logger } from "../util/log.js";

/** EX_SOFTWARE from sysexits.h: "an internal software error". Distinct from 1 (could not start) and 2 (bad config). */
export const EXIT_UNCAUGHT = 70;

export type FatalKind = "uncaughtException" | "unhandledRejection";

/** Logs the error and exits. Never throws, even when logging itself fails. */
export function reportFatal(log: Logger, kind: FatalKind, error: unknown, exit: (code: number) => void): void {
  const what = kind === "uncaughtException" ? "an uncaught exception" : "an unhandled promise rejection";
  try {
    log.fatal({ err: error, kind }, `${what}; exiting with ${EXIT_UNCAUGHT} so the service manager restarts the daemon`);
    log.flush?.();
  } catch (logError) {
    // The logger itself failed: stderr still reaches the journal / `docker logs`.
    process.stderr.write(`trakt-scrobblerd: ${what} (and logging it failed: ${String(logError)}); exiting with ${EXIT_UNCAUGHT}\n`);
  }
  exit(EXIT_UNCAUGHT);
}

/** Installs the process-wide handlers; returns a function that removes them. */
export function installFatalHandlers(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onException = (error: unknown): void => reportFatal(log, "uncaughtException", error, exit);
  const onRejection = (reason: unknown): void => reportFatal(log, "unhandledRejection", reason, exit);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}
