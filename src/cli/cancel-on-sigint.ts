// A login waits on a person (a code to approve, a PIN to enter): Ctrl-C cancels it. `run` gets a signal that aborts
// on SIGINT; a login ended that way says so, stores nothing (the caller stores only after `run` returns) and leaves
// exit code 130. Any other failure is thrown as it is.

export type LoginOutcome<T> = { cancelled: true } | { cancelled: false; value: T };

export async function cancelOnSigint<T>(out: { write(text: string): unknown }, run: (signal: AbortSignal) => Promise<T>): Promise<LoginOutcome<T>> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error("login cancelled"));
  process.once("SIGINT", onSigint);
  try {
    return { cancelled: false, value: await run(controller.signal) };
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    out.write("\nLogin cancelled; nothing was stored.\n");
    process.exitCode = 130;
    return { cancelled: true };
  } finally {
    process.off("SIGINT", onSigint);
  }
}
