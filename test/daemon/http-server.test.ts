import { afterEach, describe, expect, it } from "vitest";
import { HttpServer, type HttpRoutes } from "../../src/daemon/http-server.js";
import { Metrics } from "../../src/daemon/metrics.js";
import { silentLogger } from "../../src/util/log.js";

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(routes: Partial<HttpRoutes> = {}): Promise<string> {
  server = new HttpServer(
    { readiness: () => ({ ready: true, reasons: [] }), status: () => ({ ok: 1 }), metrics: () => "", ...routes },
    silentLogger(),
  );
  const address = await server.listen("127.0.0.1", 0);
  expect(address.address).toBe("127.0.0.1");
  return `http://127.0.0.1:${address.port}`;
}

describe("HttpServer", () => {
  it("answers liveness, readiness with reasons, status and metrics", async () => {
    let ready = false;
    const metrics = new Metrics();
    const events = metrics.counter("scrobblerd_events_total", "Playback events received");
    events({ player: "mpv" }, 3);
    metrics.gauge("scrobblerd_outbox_depth", "Intents waiting", () => 7);
    const url = await start({
      readiness: () => (ready ? { ready: true, reasons: [] } : { ready: false, reasons: ["account 'default' needs login"] }),
      status: () => ({ playing: [] }),
      metrics: () => metrics.render(),
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, reasons: ["account 'default' needs login"] });
    ready = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/api/status`)).json()).toEqual({ playing: [] });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('scrobblerd_events_total{player="mpv"} 3');
    expect(text).toContain("# TYPE scrobblerd_outbox_depth gauge");
    expect(text).toContain("scrobblerd_outbox_depth 7");
  });

  it("routes a player's webhook path to its handler; a path nobody takes is 404 whatever the method", async () => {
    const url = await start();
    const nobody = await fetch(`${url}/plex/abc`, { method: "POST", body: "x" });
    expect(nobody.status).toBe(404);
    await server!.close();
    const url2 = await start({ webhook: (path) => (path === "/plex/abc" ? (_req, res) => void res.writeHead(202).end() : undefined) });
    expect((await fetch(`${url2}/plex/abc`, { method: "POST", body: "x" })).status).toBe(202);
    expect((await fetch(`${url2}/plex/other`, { method: "POST", body: "x" })).status).toBe(404);
  });

  it("answers 404 and 405 with a hint and survives a throwing provider", async () => {
    const url = await start({
      status: () => {
        throw new Error("boom");
      },
    });
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("/healthz");
    expect((await fetch(`${url}/healthz`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${url}/api/status`)).status).toBe(500);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe("Metrics", () => {
  it("escapes label values and sums counters per label set", () => {
    const metrics = new Metrics();
    const requests = metrics.counter("scrobblerd_requests_total", "Trakt requests by status");
    requests({ status: "201" });
    requests({ status: "201" });
    requests({ status: 'we"ird\n' });
    expect(metrics.value("scrobblerd_requests_total", { status: "201" })).toBe(2);
    expect(metrics.render()).toContain('scrobblerd_requests_total{status="we\\"ird\\n"} 1');
  });

  it("renders collected counters as counters and gauges as gauges", () => {
    const metrics = new Metrics();
    metrics.counterFrom("scrobblerd_delivered_total", "Delivered", () => 5);
    metrics.gauge("scrobblerd_outbox_depth", "Depth", () => [{ labels: { account: "a" }, value: 2 }]);
    const text = metrics.render();
    expect(text).toContain("# TYPE scrobblerd_delivered_total counter\nscrobblerd_delivered_total 5");
    expect(text).toContain('# TYPE scrobblerd_outbox_depth gauge\nscrobblerd_outbox_depth{account="a"} 2');
  });
});
