// Real headless Chromium (Debian's package) driven by playwright-core, for the dashboard's browser tests, its
// screenshots and the page-weight bench. No browser is downloaded: playwright-core is pointed at /usr/bin/chromium,
// with a new empty profile each launch and everything that would reach the internet switched off.
import { existsSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Prints the SKIPPED line the team rules ask for; returns whether browser tests can run. */
export function requireChromium(): boolean {
  if (!hasChromium) console.log(`SKIPPED: chromium not installed at ${CHROMIUM} (Debian package "chromium"; scripts/install-system-deps.sh)`);
  return hasChromium;
}

export interface Browser {
  /** Console errors and uncaught page errors seen on any page so far. */
  errors: string[];
  /** A page in a context of its own (its own cookies), phone-sized with `mobile`. */
  newPage(options?: { width?: number; height?: number; colorScheme?: "light" | "dark"; mobile?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh, empty profile (playwright-core makes a new temporary one for every launch). */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    errors,
    async newPage(options = {}) {
      const mobile = options.mobile === true;
      const context = await browser.newContext({
        viewport: { width: options.width ?? (mobile ? 390 : 1280), height: options.height ?? (mobile ? 844 : 900) },
        isMobile: mobile,
        hasTouch: mobile,
        colorScheme: options.colorScheme ?? "light",
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`console: ${message.text()} (${page.url()})`);
      });
      page.on("pageerror", (error) => errors.push(`page error: ${error.message} (${page.url()})`));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
