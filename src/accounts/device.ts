// The OAuth device flow (RFC 8628 as Trakt implements it): get a code, show it (and a QR code of the URL), poll at
// `interval`, slow down on 429, stop at `expires_in`. Time, sleep and output are injected so tests drive it.
import { setTimeout as delay } from "node:timers/promises";
import type { TraktApi } from "../trakt/api.js";
import { isTraktError } from "../trakt/errors.js";
import { COMMUNITY_APP_LIMIT } from "../trakt/explain.js";
import type { TokenSet } from "../core/tokens.js";
import { registerSecret, type Logger } from "../util/log.js";

export type DeviceLoginFailure = "expired" | "denied" | "invalid" | "already_used";

export class DeviceLoginError extends Error {
  override readonly name = "DeviceLoginError";
  constructor(
    readonly reason: DeviceLoginFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface DeviceFlowOptions {
  /** Where the code and QR are printed (the terminal). */
  out: { write(text: string): unknown };
  signal?: AbortSignal;
  logger?: Logger;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Renders the URL as a terminal QR code; `false` to skip. */
  qr?: ((url: string) => Promise<string>) | false;
  /** Told the code as soon as Trakt issued it (the dashboard shows it on the page). */
  onCode?: (code: DeviceCodeShown) => void;
}

/** What the user needs to approve the login: the page to open and the code to enter there. */
export interface DeviceCodeShown {
  userCode: string;
  verificationUrl: string;
  /** When the code expires (ms since epoch). */
  expiresAt: number;
}

/** Seconds added to the poll interval on each 429 (RFC 8628 §3.5 says 5). */
export const SLOW_DOWN_STEP_S = 5;

export async function terminalQr(url: string): Promise<string> {
  // A well-kept QR encoder with a terminal renderer; loaded when a code is shown (the dashboard loads it the same way).
  const { default: QRCode } = await import("qrcode");
  return QRCode.toString(url, { type: "terminal", small: true });
}

export async function runDeviceFlow(api: Pick<TraktApi, "deviceCode" | "pollDeviceToken">, options: DeviceFlowOptions): Promise<TokenSet> {
  const { out, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, s?: AbortSignal) => delay(ms, undefined, s ? { signal: s } : {}));
  const log = options.logger?.child({ component: "login" });

  const code = await api.deviceCode({ signal });
  registerSecret(code.device_code);
  const deadline = now() + code.expires_in * 1000;
  let intervalS = Math.max(1, code.interval);
  options.onCode?.({ userCode: code.user_code, verificationUrl: code.verification_url, expiresAt: deadline });

  out.write(`\nTo log in to Trakt, open ${code.verification_url} and enter this code:\n\n    ${code.user_code}\n\n`);
  if (options.qr !== false) {
    const qr = await (options.qr ?? terminalQr)(code.verification_url).catch(() => "");
    if (qr) out.write(`${qr}\n`);
  }
  out.write(`Waiting for approval (the code expires in ${formatDuration(code.expires_in)}; Ctrl-C cancels)…\n`);
  log?.debug({ expiresInS: code.expires_in, intervalS }, "device code issued");

  for (;;) {
    await sleep(intervalS * 1000, signal);
    if (now() >= deadline) throw expired();
    let result;
    try {
      result = await api.pollDeviceToken(code.device_code, { signal });
    } catch (error) {
      if (signal?.aborted || !isTraktError(error) || !error.retryable) throw error;
      log?.warn({ err: error }, "polling Trakt failed; trying again");
      continue;
    }
    switch (result.status) {
      case "approved":
        registerSecret(result.tokens.access_token);
        registerSecret(result.tokens.refresh_token);
        return result.tokens;
      case "pending":
        break;
      case "slow_down":
        intervalS += SLOW_DOWN_STEP_S;
        log?.debug({ intervalS }, "Trakt asked to poll more slowly");
        break;
      case "expired":
        throw expired();
      case "denied":
        throw new DeviceLoginError("denied", `login denied on Trakt: the code was declined. ${COMMUNITY_APP_LIMIT}. Run \`trakt-scrobblerd login\` again to retry`);
      case "invalid":
        throw new DeviceLoginError("invalid", "Trakt does not know this device code (404): check trakt.clientId / trakt.apiUrl, then run `trakt-scrobblerd login` again");
      case "already_used":
        throw new DeviceLoginError("already_used", "this code was already used (409). Run `trakt-scrobblerd login` again for a new one");
    }
  }
}

function expired(): DeviceLoginError {
  return new DeviceLoginError("expired", `code expired before it was approved, run \`trakt-scrobblerd login\` again. ${COMMUNITY_APP_LIMIT}`);
}

function formatDuration(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} seconds`;
}
