// Client options and edge behaviour: authUrl routing, caller aborts, a refresh that does not help, Solr escaping.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { TraktClient } from "../../src/trakt/client.js";
import { TraktError } from "../../src/trakt/errors.js";
import { escapeSolr } from "../../src/trakt/parse.js";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

let h: Harness | undefined;
let other: Emulator | undefined;
afterEach(async () => {
  await h?.close();
  await other?.close();
  h = undefined;
  other = undefined;
});

describe("client options", () => {
  it("sends OAuth calls to authUrl and API calls to apiUrl", async () => {
    h = await startEmulatorHarness({ login: false });
    other = await startTraktEmulator();
    const client = new TraktClient({ apiUrl: h.emulator.url, authUrl: `${other.url}/`, clientId: h.emulator.clientId, clientSecret: h.emulator.clientSecret });
    await client.deviceCode();
    await client.searchById("trakt", "28", "movie");
    expect(other.requests.map((r) => r.path)).toEqual(["/oauth/device/code"]);
    expect(h.emulator.requests.map((r) => r.path)).toEqual(["/search/trakt/28"]);
  });

  it("a caller's abort ends the call with its reason and is not retried", async () => {
    h = await startEmulatorHarness();
    h.emulator.injectFault({ type: "latency", ms: 5_000 });
    const controller = new AbortController();
    const call = h.client.userSettings(h.account, { signal: controller.signal });
    await h.emulator.waitForArrival();
    controller.abort(new Error("daemon stopping"));
    await expect(call).rejects.toThrow("daemon stopping");
    expect(h.emulator.pendingFaults()).toBe(0);
  });

  it("refreshes at most once: a refreshed token that is rejected too ends in auth_expired", async () => {
    h = await startEmulatorHarness({ login: false });
    let refreshes = 0;
    const client = new TraktClient({
      apiUrl: h.emulator.url,
      clientId: h.emulator.clientId,
      tokens: {
        getAccessToken: () => Promise.resolve("bogus-access-token-1"),
        refreshAfterUnauthorized: () => (refreshes++, Promise.resolve("bogus-access-token-2")),
      },
    });
    const error = await client.userSettings("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraktError);
    expect((error as TraktError).kind).toBe("auth_expired");
    expect(refreshes).toBe(1);
    expect(h.emulator.requests.map((r) => r.status)).toEqual([401, 401]);
  });

  it("a wrong client secret on an OAuth call is a config error, not an expired session", async () => {
    h = await startEmulatorHarness({ login: false });
    const client = new TraktClient({ apiUrl: h.emulator.url, clientId: h.emulator.clientId, clientSecret: "wrong-secret-value" });
    const error = await client.refreshToken(h.emulator.issueTokens().refresh_token).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "config", status: 401, oauthError: "invalid_client" });
    expect((error as Error).message).toContain("TRAKT_CLIENT_SECRET");
  });

  it("account calls without a token provider and OAuth calls without a secret are config errors", async () => {
    h = await startEmulatorHarness({ login: false });
    const client = new TraktClient({ apiUrl: h.emulator.url, clientId: h.emulator.clientId });
    await expect(client.userSettings("x")).rejects.toMatchObject({ kind: "config" });
    await expect(client.refreshToken("some-refresh-token")).rejects.toMatchObject({ kind: "config", message: expect.stringContaining("TRAKT_CLIENT_SECRET") });
    expect(h.emulator.requests).toEqual([]);
    expect(() => new TraktClient({ apiUrl: h!.emulator.url, clientId: "" })).toThrow("TRAKT_CLIENT_ID");
  });
});

describe("escapeSolr", () => {
  const special = '+-&|!(){}[]^"~*?:/\\';
  it("escapes every special character and nothing else (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const escaped = escapeSolr(s);
        // Unescaping gives the original back…
        expect(escaped.replace(/\\([\s\S])/g, "$1")).toBe(s);
        // …and every special character in the output is preceded by a backslash.
        let i = 0;
        while (i < escaped.length) {
          const c = escaped[i]!;
          if (c === "\\") {
            expect(special).toContain(escaped[i + 1]);
            i += 2;
          } else {
            expect(special).not.toContain(c);
            i += 1;
          }
        }
      }),
    );
  });

  it("escapes a real title", () => {
    expect(escapeSolr("Mission: Impossible - Dead Reckoning (Part One)")).toBe("Mission\\: Impossible \\- Dead Reckoning \\(Part One\\)");
  });
});
