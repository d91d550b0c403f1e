// `doctor`'s Jellyfin and Emby checks against the fake server.
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { jellyfinSection, type MediaServerSection } from "../../src/config/sections/mediabrowser.js";
import { checkMediaServer } from "../../src/doctor/mediabrowser.js";
import type { CheckResult } from "../../src/doctor/types.js";
import { FakeMediaServer, type Dialect } from "../players/mediabrowser/fake-server.js";

let server: FakeMediaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function section(over: Partial<MediaServerSection>): MediaServerSection {
  return { ...jellyfinSection.parse({}), ...over };
}

const lines = (results: CheckResult[]): string[] => results.map((r) => `${r.status} ${r.check}: ${r.message}`);

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.each<Dialect>(["jellyfin", "emby"])("doctor: %s", (kind) => {
  const product = kind === "jellyfin" ? "Jellyfin" : "Emby";

  it("an API key: reachable, token valid, sees every user's sessions", async () => {
    server = await FakeMediaServer.start({ dialect: kind });
    const foxx = server.addUser("foxx", { admin: true });
    server.play({ user: foxx, itemId: server.addMovie("Batman Begins", 60_000) });
    const results = await checkMediaServer(kind, section({ url: server.url, token: server.apiKey() }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(lines(results)).toEqual([
      `pass ${kind} reachable: ${product} Server ${server.version} "home" at ${server.url}`,
      `pass ${kind} token: ${kind}.token: an API key`,
      `pass ${kind} sessions: sees every user's sessions: 1 session(s), 1 playing (users: foxx)`,
    ]);
  });

  it("a stored login of a user who is not an administrator: a warning that only their playback is followed", async () => {
    server = await FakeMediaServer.start({ dialect: kind, ...(kind === "jellyfin" ? { version: "10.11.3" } : {}) });
    const kid = server.addUser("kid");
    const token = server.userToken(kid, "trakt-scrobblerd-x");
    const results = await checkMediaServer(kind, section({ url: server.url }), {
      stateDir: "/tmp/s",
      timeoutMs: 2_000,
      serverTokens: { get: () => Promise.resolve({ token, user: "kid", deviceId: "trakt-scrobblerd-x" }) },
    });
    expect(results[1]).toMatchObject({ status: "pass", message: `the login of kid stored by \`trakt-scrobblerd ${kind} login\`: user kid` });
    expect(results[2]).toMatchObject({ status: "warn", message: expect.stringMatching(/kid is not an administrator, so only kid's own playback is followed/) });
  });

  it("a wrong token fails with what to do", async () => {
    server = await FakeMediaServer.start({ dialect: kind });
    const results = await checkMediaServer(kind, section({ url: server.url, token: "wrong-token-123" }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(results[1]).toMatchObject({
      status: "fail",
      message: `${product} refused the token (HTTP 401 on GET /Users/Me): ${kind}.token is wrong or was revoked`,
      hint: expect.stringContaining(`trakt-scrobblerd ${kind} login`),
    });
  });

  it("no token at all", async () => {
    server = await FakeMediaServer.start({ dialect: kind });
    const results = await checkMediaServer(kind, section({ url: server.url }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(lines(results)[1]).toBe(`fail ${kind} token: no token: nothing can be followed`);
  });

  it("nothing listening: connection refused", async () => {
    const port = await closedPort();
    const results = await checkMediaServer(kind, section({ url: `http://127.0.0.1:${port}`, token: "t" }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(results).toEqual([expect.objectContaining({ check: `${kind} reachable`, status: "fail", message: `connection refused by 127.0.0.1:${port}` })]);
  });

  it("skips when not configured or disabled", async () => {
    expect(lines(await checkMediaServer(kind, section({}), { stateDir: "/tmp/s", timeoutMs: 100 }))).toEqual([`skip ${kind}: not configured (set ${kind}.url to follow a ${product} server)`]);
    expect(lines(await checkMediaServer(kind, section({ enabled: false, url: "http://x" }), { stateDir: "/tmp/s", timeoutMs: 100 }))).toEqual([`skip ${kind}: disabled (${kind}.enabled: false)`]);
  });
});

describe("doctor: Jellyfin versions", () => {
  it("10.10.3 with an API key fails the sessions check, saying what to use", async () => {
    server = await FakeMediaServer.start({ dialect: "jellyfin", version: "10.10.3" });
    const results = await checkMediaServer("jellyfin", section({ url: server.url, token: server.apiKey() }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(results[2]).toMatchObject({ status: "fail", message: "Jellyfin 10.10.3 will not send this token the sessions feed", hint: expect.stringContaining("administrator's account") });
  });

  it("an Emby server under jellyfin:", async () => {
    server = await FakeMediaServer.start({ dialect: "emby" });
    const results = await checkMediaServer("jellyfin", section({ url: server.url, token: server.apiKey() }), { stateDir: "/tmp/s", timeoutMs: 2_000 });
    expect(results).toEqual([expect.objectContaining({ status: "fail", message: `${server.url} is Emby Server, not Jellyfin`, hint: "configure it under emby: instead of jellyfin:" })]);
  });
});
