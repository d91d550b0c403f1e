// `npx tsx scripts/dashboard-screenshots.ts [outDir]`: the dashboard's screenshots in docs/dashboard/, taken in real
// headless Chromium from a real daemon against the bundled Trakt emulator, with real mpv playing generated clips and
// a Plex webhook from the captured fixtures (test/fixtures/plex): something playing, watches recorded, a file that
// could not be identified, a watch Trakt refused, one waiting for an account that needs a login, and a device login
// under way. Phone and desktop width, light and dark. Needs chromium, mpv and ffmpeg.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { Daemon } from "../src/daemon/daemon.js";
import { startTraktEmulator } from "../src/emulator/index.js";
import { FileSecretStore } from "../src/secrets/file.js";
import { silentLogger } from "../src/util/log.js";
import { launchBrowser, requireChromium } from "../test/support/browser.js";
import { canRunMpv, makeMedia, requireMpv, startMpv, type MpvProcess } from "../test/support/mpv.js";

const OUT = resolve(process.argv[2] ?? "docs/dashboard");
const WEBHOOK_SECRET = "screenshots-webhook-secret-0123";

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  if (!requireChromium() || !canRunMpv) {
    requireMpv();
    process.exitCode = 1;
    return;
  }
  const emulator = await startTraktEmulator({ writeLimitMs: 0, deviceIntervalSec: 1 });
  const root = await mkdtemp(join(tmpdir(), "tsd-shots-"));
  const stateDir = join(root, "state");
  const socketDir = join(root, "mpv");
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  const players: MpvProcess[] = [];
  let daemon: Daemon | undefined;
  const browser = await launchBrowser();
  try {
    await new FileSecretStore(stateDir).set("default", { tokens: emulator.issueTokens("alice"), username: "alice", updatedAt: new Date().toISOString() });
    const configFile = join(root, "config.yaml");
    await writeFile(
      configFile,
      `# trakt-scrobblerd on the living-room Pi\n${stringify({
        trakt: { apiUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret, writeSpacingMs: 0 },
        secrets: { store: "file" },
        server: { host: "127.0.0.1", port: 0 },
        log: { level: "warn" },
        scrobble: { previewSeconds: 0 },
        mpv: { enabled: true, socketDir },
        kodi: { enabled: true, instances: [{ name: "bedroom", url: "ws://127.0.0.1:9/jsonrpc" }] },
        plex: { enabled: true, webhookSecret: WEBHOOK_SECRET, users: { Emma: "kids" } },
      })}`,
    );
    daemon = await Daemon.start({ configFile, stateDir, logger: silentLogger() });
    const base = `http://127.0.0.1:${daemon.httpPort}`;
    const status = (): { outbox: { pending: number; deadLetters: number }; lastScrobbles: unknown[]; playing: { state: string }[] } =>
      daemon!.status() as never;

    // Watches recorded: two clips played to the end at speed.
    const watched = ["Guardians.of.the.Galaxy.2014.1080p.BluRay.x264.mkv", "Parks.and.Recreation.S02E03.Beauty.Pageant.720p.WEB.mkv"];
    for (const name of watched) {
      const mpv = startMpv({ socket: join(socketDir, "living-room.sock"), file: await makeMedia(root, name, 12), speed: 6 });
      await mpv.exited;
    }
    // Not identified: a home-made name Trakt cannot place.
    const unknown = startMpv({ socket: join(socketDir, "living-room.sock"), file: await makeMedia(root, "Bladerunner.Final.Cut.mkv", 12), speed: 6 });
    await unknown.exited;
    // Trakt refuses one watch for good (404): a dead letter to retry or drop.
    emulator.injectFault({ type: "status", status: 404, body: { error: "not found" } }, { path: "/scrobble/stop", times: 1 });
    const refused = startMpv({ socket: join(socketDir, "living-room.sock"), file: await makeMedia(root, "Batman.Begins.2005.1080p.mkv", 12), speed: 6 });
    await refused.exited;
    await until("the deliveries", async () => {
      await daemon!.idleForTests();
      return status().outbox.deadLetters >= 2 && status().lastScrobbles.length >= 2;
    });

    // Now playing: a long episode in mpv, paused for the picture after a moment.
    const episode = await makeMedia(root, "Breaking.Bad.S01E01.Pilot.720p.BluRay.mkv", 300);
    const playing = startMpv({ socket: join(socketDir, "living-room.sock"), file: episode, speed: 1, extraArgs: ["--start=96"] });
    players.push(playing);
    // …and Emma on the Plex TV, whose account still needs a login: her watch waits in the queue.
    const fixture = JSON.parse(await readFile(new URL("../test/fixtures/plex/episode.media.resume.plexagent-guidarray-tvdb-only.json", import.meta.url), "utf8")) as Record<string, Record<string, unknown>>;
    fixture.Account = { ...fixture.Account, title: "Emma" };
    fixture.Player = { ...fixture.Player, title: "Living Room TV" };
    const form = new FormData();
    form.set("payload", JSON.stringify(fixture));
    await fetch(`${base}/plex/${WEBHOOK_SECRET}`, { method: "POST", body: form });
    await until("two sessions", () => status().playing.length >= 2);
    await until("the pending watch", async () => {
      await daemon!.idleForTests();
      return status().outbox.pending >= 1;
    });

    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    const views: { name: string; mobile: boolean; scheme: "light" | "dark"; section?: string; height?: number }[] = [
      { name: "desktop-light", mobile: false, scheme: "light", height: 1000 },
      { name: "desktop-dark", mobile: false, scheme: "dark", height: 1000 },
      { name: "phone-light", mobile: true, scheme: "light" },
      { name: "phone-dark", mobile: true, scheme: "dark" },
      { name: "phone-fix-light", mobile: true, scheme: "light", section: "fix" },
      { name: "phone-login-dark", mobile: true, scheme: "dark", section: "login" },
    ];
    for (const view of views) {
      const page = await browser.newPage({ mobile: view.mobile, colorScheme: view.scheme, ...(view.height ? { height: view.height } : {}) });
      await page.goto(base);
      await page.waitForSelector("#playing .session");
      if (view.section === "fix") {
        await page.click("#unidentified button.primary");
        await page.fill("#unidentified input[type=search]", "Blade Runner");
        await page.press("#unidentified input[type=search]", "Enter");
        await page.click("#unidentified .results li:first-child button");
        await page.locator("#unidentified").evaluate((el) => el.scrollIntoView());
      } else if (view.section === "login") {
        await page.click('[data-account="kids"] button.primary');
        await page.waitForSelector('[data-account="kids"] .code');
        await page.waitForSelector('[data-account="kids"] .login img');
        await page.locator('[data-account="kids"]').evaluate((el) => el.scrollIntoView());
      }
      await page.waitForTimeout(300); // let the progress bar's first frame settle for the picture
      await page.screenshot({ path: join(OUT, `${view.name}.png`), fullPage: false });
      console.log(`wrote ${join(OUT, `${view.name}.png`)}`);
      await page.context().close();
    }
    if (browser.errors.length) throw new Error(`console errors: ${browser.errors.join("\n")}`);
  } finally {
    for (const p of players) await p.kill("SIGKILL");
    await browser.close();
    await daemon?.stop(500);
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
