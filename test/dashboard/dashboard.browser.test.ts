// The dashboard in real headless Chromium against the real daemon (`trakt-scrobblerd run`, a child process) with the
// Trakt emulator and real mpv: a watch shows up live, a dead letter is retried, an unidentified file is fixed (the
// override lands in the config file with its comments kept), a device login is completed, the token is asked for
// beyond loopback, a cross-site POST is refused, and the console stays free of errors.
import { readFile, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTraktEmulator, type Emulator } from "../../src/emulator/index.js";
import { SERVER_TOKEN_FILE } from "../../src/config/server-address.js";
import { launchBrowser, requireChromium, type Browser } from "../support/browser.js";
import { emulatorConfig, makeDaemonDirs, runCli, seedLogin, type DaemonDirs, type DaemonProcess } from "../support/daemon.js";
import { canRunMpv, makeMedia, requireMpv, startMpv } from "../support/mpv.js";

const canRun = requireChromium() && requireMpv();

let emulator: Emulator;
let dirs: DaemonDirs;
let daemon: DaemonProcess;
let browser: Browser;
let base: string;
let page: Page;

const COMMENT_TOP = "# The living-room Pi. Keep these comments!";
const COMMENT_IDENTIFY = "  # our own matches go below";

/** Plays a generated clip through real mpv to its end (`seconds` of media at `speed`). */
async function play(name: string, seconds = 20, speed = 8): Promise<void> {
  const mpv = startMpv({ socket: join(dirs.socketDir, "tv.sock"), file: await makeMedia(dirs.root, name, seconds), speed });
  await mpv.exited;
}

describe.skipIf(!canRun)("the dashboard in Chromium, against the running daemon", () => {
  beforeAll(async () => {
    emulator = await startTraktEmulator({ writeLimitMs: 0, deviceIntervalSec: 1 });
    dirs = await makeDaemonDirs();
    await seedLogin(emulator, dirs.stateDir);
    const text = stringify(emulatorConfig(emulator, dirs, { log: { level: "info" }, identify: { minSearchScore: 0 } }));
    await writeFile(dirs.configFile, `${COMMENT_TOP}\n${text.replace("identify:\n", `identify:\n${COMMENT_IDENTIFY}\n`)}`);
    daemon = runCli(["run", "--config", dirs.configFile, "--state-dir", dirs.stateDir]);
    base = await daemon.baseUrl();
    await daemon.waitForLog((l) => l.msg === "watching for mpv sockets");
    browser = await launchBrowser();
    page = await browser.newPage({ mobile: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop("SIGTERM");
    await emulator?.close();
    await dirs?.remove();
  });

  it("shows a watch live in Now playing and then in Recent watches, without polling, on a phone screen", async () => {
    const requests: string[] = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(base);
    await page.waitForSelector("#live.on");
    expect(await page.textContent("#playing")).toContain("Nothing is playing");
    const loaded = requests.length;

    const mpv = startMpv({ socket: join(dirs.socketDir, "tv.sock"), file: await makeMedia(dirs.root, "Guardians.of.the.Galaxy.2014.1080p.BluRay.x264.mkv", 30), speed: 3 });
    const session = page.locator("#playing .session", { hasText: "Guardians of the Galaxy (2014)" });
    await session.waitFor({ timeout: 20_000 });
    expect(await session.getAttribute("data-state")).toBe("playing");
    expect(await session.textContent()).toContain("mpv · tv → default");
    await mpv.exited;
    await page.locator("#recent li", { hasText: "Guardians of the Galaxy (2014)" }).waitFor({ timeout: 20_000 });
    await page.locator("#playing", { hasText: "Nothing is playing" }).waitFor();
    expect(emulator.history("alice").map((h) => h.title)).toEqual(["Guardians of the Galaxy"]);
    // Everything after the first view came over the one event stream: the page asked nothing more.
    expect(requests.slice(loaded).filter((path) => path.startsWith("/api/"))).toEqual([]);
    expect(await page.locator("html").evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(390);
  }, 60_000);

  it("refuses a cross-site POST, then retries a dead letter from the page and delivers it", async () => {
    emulator.injectFault({ type: "status", status: 404, body: { error: "not found" } }, { path: "/scrobble/stop", times: 1 });
    await play("Batman.Begins.2005.1080p.BluRay.mkv");
    const dead = page.locator("#queue li", { hasText: "Batman Begins (2005)" });
    await dead.waitFor({ timeout: 20_000 });
    expect(await dead.textContent()).toContain("Trakt does not know this item");
    const id = await dead.getAttribute("data-id");

    // Another site (another origin) tries to drop it behind the user's back.
    const attacker = await attackerSite(`${base}/api/queue/drop`, JSON.stringify({ id }));
    const errorsBefore = browser.errors.length;
    try {
      const evil = await browser.newPage();
      await evil.goto(attacker.url);
      await evil.waitForFunction(() => (globalThis as { done?: boolean }).done === true);
      await daemon.waitForLog((l) => l.msg === "dashboard: changing request refused");
      await evil.context().close();
    } finally {
      attacker.server.close();
    }
    // The attacker's page (not the dashboard) logs the refusal it got.
    expect(browser.errors.splice(errorsBefore)).toEqual([expect.stringMatching(new RegExp(`status of 403 .*\\(${attacker.url.replace(/[.]/g, "\\.")}\\)`))]);
    expect(await page.locator(`#queue li[data-id="${id}"]`).count()).toBe(1);

    await dead.getByRole("button", { name: "Retry" }).click();
    await page.locator("#recent li", { hasText: "Batman Begins (2005)" }).waitFor({ timeout: 20_000 });
    await page.locator(`#queue li[data-id="${id}"]`).waitFor({ state: "detached" });
    expect(emulator.history("alice").map((h) => h.title)).toContain("Batman Begins");
  }, 60_000);

  it("fixes an unidentified file from the page: the override is saved with the comments kept, and the watch delivered", async () => {
    await play("Bladerunner.Final.Cut.mkv");
    const item = page.locator("#unidentified li", { hasText: "Bladerunner.Final.Cut.mkv" });
    await item.waitFor({ timeout: 20_000 });
    // The form opens with a search for the guess; hold its answer until the typed search has been answered, so the
    // late, stale answer (a made-up film) comes last and must not replace the results the user is looking at.
    let releaseGuess!: () => void;
    const guessHeld = new Promise<void>((resolve) => (releaseGuess = resolve));
    const typed = (url: string): boolean => new URL(url).searchParams.get("q") === "Blade Runner";
    await page.route("**/api/search?*", async (route) => {
      if (typed(route.request().url())) return route.continue();
      await guessHeld;
      await route.fulfill({ json: { results: [{ type: "movie", title: "Stale Guess Film", year: 1999, ids: { trakt: 1, slug: "stale-guess-film" } }] } });
    });
    const guessAnswered = page.waitForResponse((r) => r.url().includes("/api/search?") && !typed(r.url()));
    await item.getByRole("button", { name: "Fix the match" }).click();
    const search = item.locator("input[type=search]");
    await search.fill("Blade Runner");
    await search.press("Enter");
    await item.locator(".results button", { hasText: "Blade Runner 2049" }).waitFor();
    releaseGuess();
    await (await guessAnswered).finished();
    await page.evaluate(() => undefined); // the page has run what was queued when the answer arrived
    await page.unroute("**/api/search?*");
    expect(await item.locator(".results button", { hasText: "Stale Guess Film" }).count()).toBe(0);
    await item.locator(".results button", { hasText: "Blade Runner 2049" }).click();
    await item.getByRole("button", { name: "Save and send" }).click();
    await page.locator("#recent li", { hasText: "Bladerunner Final Cut" }).waitFor({ timeout: 20_000 });
    await page.locator("#unidentified", { hasText: "Everything played so far was recognised" }).waitFor();
    expect(emulator.history("alice").map((h) => h.title)).toContain("Blade Runner 2049");

    const config = await readFile(dirs.configFile, "utf8");
    expect(config).toContain(COMMENT_TOP);
    expect(config).toContain(COMMENT_IDENTIFY);
    expect(config).toMatch(/- title: Bladerunner Final Cut\n\s+to: \{ type: movie, trakt: 900001, slug: blade-runner-2049-2017, imdb: tt1856101 \}/);
  }, 60_000);

  it("logs out and completes a device login from the page", async () => {
    await page.goto(base);
    const account = page.locator('[data-account="default"]');
    page.once("dialog", (dialog) => void dialog.accept());
    await account.getByRole("button", { name: "Log out" }).click();
    await account.locator(".badge", { hasText: "Needs login" }).waitFor();
    await account.getByRole("button", { name: "Log in" }).click();
    const code = await account.locator(".code").textContent({ timeout: 10_000 });
    expect(await account.locator(".login img").getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(code).toBe(emulator.lastUserCode());
    emulator.approveDevice(code!, "alice");
    await account.locator(".badge", { hasText: "Logged in" }).waitFor({ timeout: 20_000 });
    expect(await account.textContent()).toContain("alice");
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it("runs the doctor checks in the daemon from the page", async () => {
    await page.getByRole("button", { name: "Run the checks" }).click();
    const daemonCheck = page.locator('#checks li[data-check="daemon"]');
    await daemonCheck.waitFor({ timeout: 30_000 });
    expect(await daemonCheck.textContent()).toContain("running at");
    expect(await page.locator('#checks li[data-check="config"] .badge').textContent()).toBe("ok");
    expect(browser.errors).toEqual([]);
  }, 60_000);
});

describe.skipIf(!requireChromium())("the dashboard bound beyond loopback", () => {
  let other: DaemonDirs;
  let open: DaemonProcess;
  let trakt: Emulator;
  let browser: Browser;

  beforeAll(async () => {
    trakt = await startTraktEmulator();
    other = await makeDaemonDirs();
    await seedLogin(trakt, other.stateDir);
    await writeFile(other.configFile, stringify(emulatorConfig(trakt, other, { server: { host: "0.0.0.0", port: 0 }, mpv: { enabled: false } })));
    open = runCli(["run", "--config", other.configFile, "--state-dir", other.stateDir]);
    await open.waitForLog((l) => l.msg === "ready");
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await open?.stop("SIGTERM");
    await trakt?.close();
    await other?.remove();
  });

  it("asks for the token everywhere but /healthz, and signs a browser in with it", async () => {
    const url = await open.baseUrl();
    const token = (await readFile(join(other.stateDir, SERVER_TOKEN_FILE), "utf8")).trim();
    expect(open.logs.some((l) => String(l.msg).includes(token))).toBe(true); // shown once, in the log
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    for (const path of ["/api/status", "/metrics", "/readyz", "/api/state"]) expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    const status = await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);

    const signin = await browser.newPage();
    await signin.goto(url);
    await signin.fill("#password", "not-the-password");
    await signin.click("button[type=submit]");
    await signin.locator("#error", { hasText: "not the password" }).waitFor();
    await signin.fill("#password", token);
    await signin.click("button[type=submit]");
    await signin.waitForSelector("#live.on");
    expect(await signin.locator('[data-account="default"] .badge').textContent()).toBe("Logged in");
    // `status` reads the token from the state directory and shows it.
    const cli = runCli(["status", "--url", url, "--state-dir", other.stateDir]);
    await cli.exited;
    expect(cli.logs.map((l) => l.msg).join("\n")).toContain(`password: ${token}`);
    // A rebinding page (another name for this address) cannot read it, even signed in.
    expect(await rawStatus(url, "attacker.example")).toBe(403);
    // The sign-in page itself (a 401 for the API) is not a console error.
    expect(browser.errors.filter((e) => !e.includes("401"))).toEqual([]);
    await signin.context().close();
  }, 60_000);
});

/** GET /api/status with a Host header of our choosing. */
function rawStatus(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/status`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A page on another origin that POSTs to `target` as a cross-site request would (no CORS preflight: text/plain). */
async function attackerSite(target: string, body: string): Promise<{ url: string; server: Server }> {
  const html = `<!doctype html><script>
fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(body)} })
  .finally(() => { window.done = true; });
</script>`;
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

if (!canRunMpv) requireMpv();
