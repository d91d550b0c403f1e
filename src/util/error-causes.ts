// Errors nest: a TraktError wraps fetch's TypeError("fetch failed"), whose `cause` may be an AggregateError (one
// error per address tried) of system errors that carry the `code` (ECONNREFUSED, CERT_HAS_EXPIRED …). Every place
// that looks inside an error walks it here, the same way: the error itself, then the errors an AggregateError
// holds, then its `cause`, depth first; each object once (cycles end), at most MAX_NODES of them.

const MAX_NODES = 64;

function* walk(error: unknown, intoAggregates: boolean): Generator<object> {
  const seen = new Set<object>();
  const stack: unknown[] = [error];
  while (stack.length > 0 && seen.size < MAX_NODES) {
    const current = stack.pop();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    yield current;
    // Pushed in reverse so inner errors come out before the cause.
    stack.push((current as { cause?: unknown }).cause);
    if (intoAggregates && current instanceof AggregateError) {
      const inner: unknown[] = Array.isArray(current.errors) ? current.errors : [];
      for (let i = inner.length - 1; i >= 0; i--) stack.push(inner[i]);
    }
  }
}

/** Every string `code` in the error's tree, in walking order (the outermost first). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (const node of walk(error, true)) {
    const code = (node as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** The first code in the error's tree that `accept`s (any code by default). */
export function firstErrorCode(error: unknown, accept: (code: string) => boolean = () => true): string | undefined {
  return errorCodes(error).find(accept);
}

/** The innermost message along the `cause` chain (fetch says only "fetch failed"; its cause says why). */
export function rootMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const node of walk(error, false)) {
    if (!(node instanceof Error)) break;
    if (node.message) message = node.message;
  }
  return message;
}
