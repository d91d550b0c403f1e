// Reading an HTTP response body from a peer without trusting its size: at most `maxBytes` are read, the rest is
// cancelled. Used for Trakt and for the media servers the players talk to.

/**
 * The body as text, at most `maxBytes` of it; the rest is not read (the stream is cancelled). Each read also races
 * the request's signal: Node 20's fetch retries a 421 on a new connection and then ignores the signal while the
 * retried body stalls (found by test/fuzz/trakt-responses.fuzz.test.ts), so a stalled body must not hang us.
 */
export async function readBoundedText(response: Response, maxBytes: number, signal: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const declared = Number(response.headers.get("content-length"));
  if (!response.body) return { text: "", truncated: false };
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.cancel().catch(() => undefined);
    return { text: "", truncated: true };
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) return { text: text + decoder.decode(), truncated: false };
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        reader.cancel().catch(() => undefined);
        return { text: text + decoder.decode(), truncated: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
