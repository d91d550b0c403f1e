// Logging in to Trakt from the page: the same device flow as `trakt-scrobblerd login` (accounts/session.ts), with
// the code and a QR code of the page to open shown on the dashboard instead of the terminal. One login per account
// at a time; its progress is part of the page's state.
import { loginAccount, logoutAccount } from "../accounts/session.js";
import type { DashboardHost } from "./host.js";

export type LoginView =
  | { state: "starting" }
  | { state: "waiting"; userCode: string; url: string; qr: string; expiresAt: string }
  | { state: "done"; user?: string }
  | { state: "failed"; message: string };

/** The QR code of `url` as an SVG data URL (the qrcode package is loaded only when someone logs in). */
async function qrDataUrl(url: string): Promise<string> {
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

const discard = { write: (): boolean => true };

export class PageLogins {
  readonly #views = new Map<string, LoginView>();
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly host: DashboardHost,
    /** Called whenever a login's view changes. */
    private readonly changed: () => void,
  ) {}

  views(): Record<string, LoginView> {
    return Object.fromEntries(this.#views);
  }

  /** Starts the device login of `account` (or returns the one under way). */
  start(account: string): LoginView {
    const running = this.#views.get(account);
    if (running && this.#running.has(account)) return running;
    const controller = new AbortController();
    this.#running.set(account, controller);
    this.#set(account, { state: "starting" });
    void this.#run(account, controller.signal).finally(() => {
      if (this.#running.get(account) === controller) this.#running.delete(account);
    });
    return this.#views.get(account)!;
  }

  cancel(account: string): void {
    this.#running.get(account)?.abort(new Error("login cancelled"));
    this.#running.delete(account);
    this.#views.delete(account);
    this.changed();
  }

  async logout(account: string): Promise<{ revoked: boolean; wasLoggedIn: boolean }> {
    this.cancel(account);
    const api = await this.host.trakt();
    const result = await logoutAccount({ account, api, store: this.host.store, tokens: this.host.tokens, out: discard, logger: this.host.log });
    await this.host.tokens.statuses([account]).catch(() => undefined);
    this.changed();
    return result;
  }

  close(): void {
    for (const controller of this.#running.values()) controller.abort(new Error("shutting down"));
    this.#running.clear();
  }

  async #run(account: string, signal: AbortSignal): Promise<void> {
    const log = this.host.log.child({ component: "dashboard-login", account });
    try {
      const api = await this.host.trakt();
      const result = await loginAccount({
        account,
        api,
        store: this.host.store,
        tokens: this.host.tokens,
        out: discard,
        logger: this.host.log,
        signal,
        qr: false,
        onCode: (code) => {
          void qrDataUrl(code.verificationUrl)
            .catch(() => "")
            .then((qr) => {
              if (signal.aborted || this.#views.get(account)?.state !== "starting") return;
              this.#set(account, { state: "waiting", userCode: code.userCode, url: code.verificationUrl, qr, expiresAt: new Date(code.expiresAt).toISOString() });
            });
        },
      });
      // The account can scrobble again: the token manager reads the new tokens, the outbox sends what waited.
      await this.host.tokens.statuses([account]).catch(() => undefined);
      void this.host.outbox.retryNow(account).catch(() => undefined);
      this.#set(account, { state: "done", ...(result.username ? { user: result.username } : {}) });
      log.info({ user: result.username }, "logged in from the dashboard");
    } catch (error) {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, "login from the dashboard failed");
      this.#set(account, { state: "failed", message });
    }
  }

  #set(account: string, view: LoginView): void {
    this.#views.set(account, view);
    this.changed();
  }
}
