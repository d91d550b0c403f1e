// No client secret, token or device code in any log line or error message, across a whole session
// (device flow, refresh after 401, scrobbles, failures) at debug level.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("secrets stay out of logs and errors", () => {
  it("a full session logs requests but none of its secrets", async () => {
    h = await startEmulatorHarness({ login: false, emulator: { deviceIntervalSec: 1 } });
    const secrets: string[] = [h.emulator.clientSecret];
    const messages: string[] = [];
    const collect = (error: unknown): void => {
      for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message, e.stack ?? "");
    };

    const code = await h.client.deviceCode();
    secrets.push(code.device_code);
    await h.client.pollDeviceToken(code.device_code);
    h.emulator.approveDevice(code.user_code);
    h.emulator.advanceTime(1_000);
    const poll = await h.client.pollDeviceToken(code.device_code);
    if (poll.status !== "approved") throw new Error(`expected approval, got ${poll.status}`);
    secrets.push(poll.tokens.access_token, poll.tokens.refresh_token);
    h.tokens.set(h.account, poll.tokens);

    h.emulator.expireAccessToken(poll.tokens.access_token);
    await h.client.scrobble(h.account, "start", { progress: 5, movie: { ids: { trakt: 28 } } });
    const refreshed = h.tokens.sets.get(h.account)!;
    secrets.push(refreshed.access_token, refreshed.refresh_token);

    // Failures: a reused refresh token, a revoked session, a bad device code.
    await h.client.refreshToken(poll.tokens.refresh_token).catch(collect);
    await h.client.revokeToken(refreshed.access_token);
    await h.client.userSettings(h.account).catch(collect);
    await h.client.pollDeviceToken(code.device_code);
    h.emulator.injectFault({ type: "status", status: 500, body: { echoed: refreshed.refresh_token } }, { times: 10 });
    await h.client.refreshToken(refreshed.refresh_token).catch(collect);

    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(messages.some((m) => m.includes("invalid_grant"))).toBe(true);
    const log = h.logLines.join("\n");
    expect(log).toContain('"path":"/oauth/device/token"');
    expect(log).toContain('"path":"/scrobble/start"');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(20);
      expect(log).not.toContain(secret);
      for (const m of messages) expect(m).not.toContain(secret);
    }
  });
});
