import { afterEach, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { HttpAccess } from "../../src/daemon/http-access.js";
import { HttpServer, type HttpRoutes } from "../../src/daemon/http-server.js";
import type { DashboardRoutes } from "../../src/dashboard/host.js";
import { Metrics } from "../../src/daemon/metrics.js";
import { silentLogger } from "../../src/util/log.js";

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(routes: Partial<HttpRoutes> = {}, access?: HttpAccess): Promise<string> {
  server = new HttpServer(
    { readiness: () => ({ ready: true, reasons: [] }), status: () => ({ ok: 1 }), metrics: () => "", ...routes },
    silentLogger(),
    access,
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

/** A GET with a Host header of our choosing (fetch sets its own). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("HttpServer beyond loopback", () => {
  const TOKEN = "tok-0123456789-abcdef";
  const beyond = (): HttpAccess => new HttpAccess({ bind: "0.0.0.0", token: TOKEN, allowedHosts: [] }, { machineName: "pi" });

  it("asks every route but /healthz and the webhooks for the token", async () => {
    const url = await start({ webhook: (path) => (path === "/plex/abc" ? (_req, res) => void res.writeHead(202).end() : undefined) }, beyond());
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/plex/abc`, { method: "POST", body: "x" })).status).toBe(202);
    for (const path of ["/readyz", "/api/status", "/metrics"]) {
      const refused = await get(`${url}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.body).not.toContain('"ok"');
      expect((await get(`${url}${path}`, { authorization: "Bearer wrong" })).status).toBe(401);
      expect((await get(`${url}${path}`, { authorization: `Bearer ${TOKEN}` })).status, path).toBe(200);
    }
    expect(JSON.parse((await get(`${url}/api/status`, { authorization: `Bearer ${TOKEN}` })).body)).toEqual({ ok: 1 });
  });

  it("refuses a Host it does not answer to (DNS rebinding), unless the request carries the token", async () => {
    const url = await start({}, new HttpAccess({ bind: "127.0.0.1", token: undefined, allowedHosts: [] }, { machineName: "pi" }));
    expect((await get(`${url}/api/status`)).status).toBe(200);
    const rebound = await get(`${url}/api/status`, { host: "attacker.example:7788" });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain("server.allowedHosts");
    expect((await get(`${url}/healthz`, { host: "attacker.example" })).status).toBe(200);
    await server!.close();
    const url2 = await start({}, beyond());
    expect((await get(`${url2}/api/status`, { host: "scrobbler.lan", authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`${url2}/api/status`, { host: "scrobbler.lan" })).status).toBe(403);
  });

  it("loads the dashboard on its first request only, and hands it the request's grant", async () => {
    let loads = 0;
    const seen: (string | undefined)[] = [];
    const dashboard: DashboardRoutes = {
      handle: ({ res, url: u, grant }) => {
        if (u.pathname !== "/") return false;
        seen.push(grant);
        res.writeHead(200).end("page");
        return true;
      },
      close: () => undefined,
    };
    const url = await start(
      {
        dashboard: () => {
          loads += 1;
          return Promise.resolve(dashboard);
        },
      },
      beyond(),
    );
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect((await get(`${url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(loads).toBe(0);
    expect((await get(`${url}/`)).body).toBe("page");
    expect((await get(`${url}/`, { authorization: `Bearer ${TOKEN}` })).body).toBe("page");
    expect((await get(`${url}/nothing-here`)).status).toBe(404);
    expect(loads).toBe(1);
    expect(seen).toEqual([undefined, "bearer"]);
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
