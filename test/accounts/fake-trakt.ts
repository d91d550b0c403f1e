// In-memory stand-in for Trakt's OAuth endpoints with the real semantics that matter here: single-use refresh
// tokens (rotation), invalid_grant for a used/unknown one, device-code polling statuses.
import type { DevicePollResult, DevicePollStatus, TraktApi, UserSettings } from "../../src/trakt/api.js";
import { TraktError } from "../../src/trakt/errors.js";
import type { DeviceCode } from "../../src/trakt/types.js";
import type { TokenSet } from "../../src/core/tokens.js";

type AuthApi = Pick<TraktApi, "deviceCode" | "pollDeviceToken" | "refreshToken" | "revokeToken" | "userSettings">;

export class FakeTraktAuth implements AuthApi {
  nowS: () => number;
  lifetimeS = 86_400;
  refreshCalls = 0;
  revokeCalls = 0;
  pollCalls = 0;
  /** Status codes returned by successive polls before approval; the last one repeats. */
  pollScript: (DevicePollStatus | "approved")[] = ["pending", "approved"];
  invalidGrantStatus: 400 | 401 = 400;
  failNextRefresh: Error | undefined;
  failRevoke = false;
  /** Resolves refreshToken only when released (for concurrency tests). */
  gate: Promise<void> | undefined;
  private readonly validRefresh = new Set<string>();
  private readonly validAccess = new Set<string>();
  private seq = 0;
  deviceCodeValue = "device-code-secret-0123456789";

  constructor(nowMs: () => number = Date.now) {
    this.nowS = () => Math.floor(nowMs() / 1000);
  }

  issue(): TokenSet {
    this.seq++;
    const tokens: TokenSet = {
      access_token: `access-${this.seq}-${"a".repeat(24)}`,
      refresh_token: `refresh-${this.seq}-${"r".repeat(24)}`,
      token_type: "bearer",
      scope: "public",
      created_at: this.nowS(),
      expires_in: this.lifetimeS,
    };
    this.validRefresh.add(tokens.refresh_token);
    this.validAccess.add(tokens.access_token);
    return tokens;
  }

  isAccessValid(token: string): boolean {
    return this.validAccess.has(token);
  }

  /** Makes every token Trakt issued so far unusable (e.g. the "authentication migration"). */
  revokeAll(): void {
    this.validRefresh.clear();
    this.validAccess.clear();
  }

  deviceCode(): Promise<DeviceCode> {
    return Promise.resolve({ device_code: this.deviceCodeValue, user_code: "ABCD1234", verification_url: "https://trakt.tv/activate", expires_in: 600, interval: 5 });
  }

  pollDeviceToken(deviceCode: string): Promise<DevicePollResult> {
    if (deviceCode !== this.deviceCodeValue) return Promise.resolve({ status: "invalid" });
    const step = this.pollScript[Math.min(this.pollCalls, this.pollScript.length - 1)]!;
    this.pollCalls++;
    if (step === "approved") return Promise.resolve({ status: "approved", tokens: this.issue() });
    return Promise.resolve({ status: step });
  }

  async refreshToken(refreshToken: string): Promise<TokenSet> {
    this.refreshCalls++;
    if (this.gate) await this.gate;
    if (this.failNextRefresh) {
      const e = this.failNextRefresh;
      this.failNextRefresh = undefined;
      throw e;
    }
    if (!this.validRefresh.delete(refreshToken)) {
      throw new TraktError("invalid", "refresh refused", { status: this.invalidGrantStatus, oauthError: "invalid_grant" });
    }
    return this.issue();
  }

  revokeToken(accessToken: string): Promise<void> {
    this.revokeCalls++;
    if (this.failRevoke) return Promise.reject(new TraktError("retryable", "Trakt is down (503)", { status: 503 }));
    this.validAccess.delete(accessToken);
    return Promise.resolve();
  }

  userSettings(): Promise<UserSettings> {
    return Promise.resolve({ user: { username: "sean", name: "Sean Rudford" } });
  }
}
