// `demo`: the scrobble flow end to end against the bundled emulator (src/demo/run.ts), with Ctrl-C handling.
import { runDemo } from "../../demo/run.js";

export async function demo(opts: { byIds?: boolean; timeout: string }): Promise<void> {
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    console.error(`demo: --timeout must be a positive number of seconds, not ${JSON.stringify(opts.timeout)}`);
    process.exitCode = 2;
    return;
  }
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once("SIGINT", onSignal);
  try {
    const result = await runDemo({ byIds: opts.byIds === true, timeoutMs: timeout * 1000, signal: interrupt.signal });
    if (result.ok) {
      console.log(`\nDemo finished in ${(result.elapsedMs / 1000).toFixed(1)} s. To scrobble for real: \`trakt-scrobblerd login\`, then \`trakt-scrobblerd run\`.`);
    } else {
      console.error(`\ndemo failed: ${result.error ?? "unknown reason"}`);
      process.exitCode = 1;
    }
  } catch (error) {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    process.off("SIGINT", onSignal);
  }
}
