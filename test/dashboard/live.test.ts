// Live updates: the page's EventSource gets the state at once, then again (coalesced) whenever the activity stream
// reports; the dashboard listens to the stream only while a page is open.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Activity } from "../../src/core/activity.js";
import { LiveUpdates } from "../../src/dashboard/live.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Reads `event: state` messages off an SSE response. */
async function* states(url: string, signal: AbortSignal): AsyncGenerator<unknown> {
  const res = await fetch(url, { signal });
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += Buffer.from(chunk).toString("utf8");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^event: state\ndata: (.*)$/m.exec(message);
      if (data?.[1]) yield JSON.parse(data[1]);
    }
  }
}

describe("LiveUpdates", () => {
  it("sends the state on connect and after reports, and listens only while a page is open", async () => {
    const activity = new Activity();
    let version = 0;
    const live = new LiveUpdates({ subscribe: (l) => activity.subscribe(l), render: () => JSON.stringify({ version }), coalesceMs: 20 });
    server = createServer((req, res) => live.open(req, res));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    expect(activity.listenerCount).toBe(0);

    const abort = new AbortController();
    const stream = states(url, abort.signal);
    expect((await stream.next()).value).toEqual({ version: 0 });
    expect(activity.listenerCount).toBe(1);
    expect(live.clients).toBe(1);

    // Three reports in a burst are one update.
    version = 1;
    activity.report({ type: "queue", at: 1, pending: 1, deadLetters: 0 });
    version = 2;
    activity.report({ type: "sessions", at: 2 });
    activity.report({ type: "sessions", at: 3 });
    expect((await stream.next()).value).toEqual({ version: 2 });

    await stream.return(undefined).catch(() => undefined);
    abort.abort();
    await expect.poll(() => live.clients).toBe(0);
    expect(activity.listenerCount).toBe(0);
    live.close();
  });
});
