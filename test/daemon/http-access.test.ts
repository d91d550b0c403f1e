// Who may see and do what: the Host check (DNS rebinding), the token, the session cookie, the same-origin and CSRF
// checks of changing requests, and the throttle on wrong passwords.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { HttpAccess, hostOf } from "../../src/daemon/http-access.js";
import { isLoopbackBind } from "../../src/config/server-address.js";

const TOKEN = "s3cret-token-for-tests";

function request(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: { remoteAddress: "192.168.1.20" } } as unknown as IncomingMessage;
}

describe("isLoopbackBind", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
    ["localhost", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.5", false],
    ["pi.local", false],
    ["", false],
  ])("%s → %s", (host, loopback) => expect(isLoopbackBind(host)).toBe(loopback));
});

describe("the Host check", () => {
  const access = new HttpAccess({ bind: "0.0.0.0", token: TOKEN, allowedHosts: ["nas.home.arpa", "*.example.org"] }, { machineName: "raspberrypi" });
  it.each([
    ["127.0.0.1:7788", true],
    ["[::1]:7788", true],
    ["192.168.1.5:7788", true],
    ["localhost:7788", true],
    ["LOCALHOST.:7788", true],
    ["raspberrypi:7788", true],
    ["raspberrypi.local", true],
    ["nas.home.arpa:7788", true],
    ["scrobbler.example.org", true],
    ["example.org", false],
    ["attacker.example.com:7788", false],
    ["evil.com", false],
    ["", false],
    ["a b", false],
  ])("Host %j allowed: %s", (host, allowed) => expect(access.hostAllowed(host === "" ? undefined : host)).toBe(allowed));

  it("takes the bound name and live changes of allowedHosts", () => {
    const named = new HttpAccess({ bind: "scrobbler.lan", token: TOKEN, allowedHosts: [] }, { machineName: "pi" });
    expect(named.hostAllowed("scrobbler.lan:7788")).toBe(true);
    expect(named.hostAllowed("other.lan")).toBe(false);
    named.setAllowedHosts(["other.lan"]);
    expect(named.hostAllowed("other.lan")).toBe(true);
  });

  it("reads host names out of Host headers", () => {
    expect(hostOf("Example.ORG.:80")).toBe("example.org");
    expect(hostOf("[fe80::1]:7788")).toBe("fe80::1");
    expect(hostOf("bad/host")).toBeUndefined();
  });
});

describe("the token", () => {
  it("is not asked on loopback", () => {
    const open = new HttpAccess({ bind: "127.0.0.1", token: undefined, allowedHosts: [] });
    expect(open.requiresToken).toBe(false);
    expect(open.grant(request({}))).toBe("open");
  });

  it("is asked beyond loopback: bearer header or the session cookie, nothing else", () => {
    const access = new HttpAccess({ bind: "0.0.0.0", token: TOKEN, allowedHosts: [] });
    access.setPort(7788);
    expect(access.grant(request({}))).toBeUndefined();
    expect(access.grant(request({ authorization: `Bearer ${TOKEN}` }))).toBe("bearer");
    expect(access.grant(request({ authorization: "Bearer wrong" }))).toBeUndefined();
    expect(access.grant(request({ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }))).toBeUndefined();
    const cookie = access.sessionCookie();
    expect(cookie).toMatch(/^tsd_session_7788=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const value = cookie.split(";")[0]!;
    expect(access.grant(request({ cookie: `other=1; ${value}` }))).toBe("cookie");
    expect(access.grant(request({ cookie: `${value}x` }))).toBeUndefined();
    // A session of a daemon with another token is no session here.
    const other = new HttpAccess({ bind: "0.0.0.0", token: `${TOKEN}-other`, allowedHosts: [] });
    other.setPort(7788);
    expect(other.grant(request({ cookie: value }))).toBeUndefined();
    expect(access.hasBearer(request({ authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(access.hasBearer(request({ cookie: value }))).toBe(false);
  });

  it("throttles wrong passwords per address, and lets the right one in otherwise", () => {
    let now = 0;
    const access = new HttpAccess({ bind: "0.0.0.0", token: TOKEN, allowedHosts: [] }, { now: () => now });
    for (let i = 0; i < 10; i++) expect(access.checkPassword("guess", "10.0.0.9")).toBe("wrong");
    expect(access.checkPassword(TOKEN, "10.0.0.9")).toBe("throttled");
    expect(access.checkPassword(TOKEN, "10.0.0.10")).toBe("ok");
    now += 60_000;
    expect(access.checkPassword(TOKEN, "10.0.0.9")).toBe("ok");
  });
});

describe("changing requests", () => {
  const access = new HttpAccess({ bind: "0.0.0.0", token: TOKEN, allowedHosts: [] });
  const csrf = access.csrfToken();
  const host = "192.168.1.5:7788";
  it.each([
    [{ host, origin: "http://192.168.1.5:7788", "sec-fetch-site": "same-origin", "x-csrf-token": csrf }, "cookie", true],
    [{ host, origin: "http://192.168.1.5:7788", "x-csrf-token": csrf }, "cookie", true],
    [{ host, "x-csrf-token": csrf }, "cookie", true],
    [{ host, origin: "http://192.168.1.5:7788", "sec-fetch-site": "same-origin" }, "cookie", false],
    [{ host, origin: "http://192.168.1.5:7788", "sec-fetch-site": "same-origin", "x-csrf-token": "stale" }, "cookie", false],
    [{ host, origin: "https://evil.example", "sec-fetch-site": "cross-site", "x-csrf-token": csrf }, "cookie", false],
    [{ host, origin: "https://evil.example", "x-csrf-token": csrf }, "cookie", false],
    [{ host, "sec-fetch-site": "same-site", "x-csrf-token": csrf }, "cookie", false],
    [{ host, origin: "null", "x-csrf-token": csrf }, "cookie", false],
    [{ host }, "bearer", true],
    [{ host, origin: "https://evil.example" }, "bearer", false],
  ] as const)("%j with %s → %s", (headers, grant, ok) => {
    expect(access.checkChange(request({ ...headers }), grant).ok).toBe(ok);
  });
});
