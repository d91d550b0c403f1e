// The notify section: each URL is checked when the config is read (with an error that says what to write and never
// repeats the URL), `config check` shows the URLs with only their secrets masked, and the log scrubber learns them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeLoaded } from "../../src/cli/actions/config.js";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load.js";
import { registerConfigSecrets } from "../../src/config/mask.js";
import { systemPathContext } from "../../src/config/paths.js";
import { scrubString } from "../../src/util/log.js";

const dir = mkdtempSync(join(tmpdir(), "tsd-notify-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function load(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, `config-${++files}.yaml`);
  writeFileSync(file, yaml);
  return loadConfig({ configFile: file, stateDir: join(dir, "state"), context: systemPathContext({ HOME: dir, ...env }) });
}

function problems(yaml: string, env: Record<string, string> = {}): string {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the config was accepted");
}

const DISCORD = "https://discord.com/api/webhooks/112233445566778899/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-secret";
const TELEGRAM = "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage?chat_id=-100987654";
const GOTIFY = "https://gotify.example.com/message?token=AvqYvCW.m0p1xyz";

describe("the notify section", () => {
  it("config check shows each URL with only its secrets masked", () => {
    const loaded = load(
      `notify:\n  urls:\n    - ${DISCORD}\n    - "${TELEGRAM}"\n    - "${GOTIFY}"\n    - https://ntfy.sh/scrobbler-alerts-6f2d9c1b\n  targets:\n    - url: http://homeassistant.local:8123/api/webhook/trakt-0123456789abcdef\n      events: [watched]\n    - url: https://ntfy.example.com/trakt\n      type: ntfy\n      token: tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2\n`,
    );
    const text = describeLoaded(loaded);
    for (const shown of [
      "https://discord.com/api/webhooks/112233445566778899/********",
      "https://api.telegram.org/bot********/sendMessage?chat_id=-100987654",
      "https://gotify.example.com/message?token=********",
      "https://ntfy.sh/********",
      "http://homeassistant.local:8123/api/webhook/********",
      "https://ntfy.example.com/********",
    ]) {
      expect(text).toContain(shown);
    }
    expect(text).toContain('token: "********"');
    for (const secret of ["AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-secret", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "AvqYvCW.m0p1xyz", "scrobbler-alerts-6f2d9c1b", "trakt-0123456789abcdef", "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("registers every secret part with the log scrubber", () => {
    const loaded = load(`notify:\n  urls:\n    - ${DISCORD}\n    - "${TELEGRAM}"\n`);
    registerConfigSecrets(loaded.config);
    expect(scrubString("POST failed for token AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-secret")).toBe("POST failed for token [redacted]");
    expect(scrubString("bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw said no")).toBe("bot [redacted] said no");
  });

  it("takes URLs from TRAKT_SCROBBLERD_NOTIFY_URLS, comma-separated", () => {
    const loaded = load("", { TRAKT_SCROBBLERD_NOTIFY_URLS: `${DISCORD}, https://ntfy.sh/another-topic-name` });
    expect(loaded.config.notify.urls).toEqual([DISCORD, "https://ntfy.sh/another-topic-name"]);
    expect(loaded.source.envVars).toContain("TRAKT_SCROBBLERD_NOTIFY_URLS");
  });

  it("refuses a URL it cannot use, saying what to write, without repeating the URL", () => {
    const message = problems(`notify:\n  urls:\n    - "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"\n    - "discord+https://discord.com/api/webhooks/only-one-part"\n    - "ftp://files.example/x"\n`);
    expect(message).toMatch(/notify\.urls\[0\].*needs \?chat_id=<chat id>/);
    expect(message).toMatch(/notify\.urls\[1\].*a Discord webhook URL looks like https:\/\/discord\.com\/api\/webhooks\/<id>\/<token>/);
    expect(message).toMatch(/notify\.urls\[2\].*must start with http:\/\/ or https:\/\//);
    expect(message).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
  });

  it("asks for a Gotify app token when neither the URL nor the section has one", () => {
    expect(problems("notify:\n  targets:\n    - url: https://gotify.example.com/message\n      type: gotify\n")).toMatch(/notify\.targets\[0\]\.token.*Gotify needs an app token/);
  });

  it("server.publicUrl must be an http(s) URL", () => {
    expect(load("server:\n  publicUrl: https://scrobbler.home.example\n").config.server.publicUrl).toBe("https://scrobbler.home.example");
    expect(problems("server:\n  publicUrl: scrobbler.home\n")).toMatch(/server\.publicUrl/);
  });
});
