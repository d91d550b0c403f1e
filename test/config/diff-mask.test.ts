import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeLoaded } from "../../src/cli/actions/config.js";
import { loadConfig } from "../../src/config/load.js";
import { diffConfigs, liveConfig } from "../../src/config/diff.js";
import { MASK, maskSecrets, registerConfigSecrets, secretValues } from "../../src/config/mask.js";
import { scrubString } from "../../src/util/log.js";
import { defaultConfig } from "../../src/config/schema.js";
import { configKeys } from "../../src/config/validate.js";
import { flattenKeys } from "../../src/config/walk.js";

describe("diffConfigs", () => {
  it("finds nothing between equal configs", () => {
    expect(diffConfigs(defaultConfig(), defaultConfig())).toEqual({ changed: [], restartRequired: [], sections: [] });
  });

  it("separates live-applicable changes from those needing a restart", () => {
    const before = defaultConfig();
    const after = defaultConfig();
    after.server.port = 9999;
    after.trakt.apiUrl = "http://127.0.0.1:1234";
    after.scrobble.watchedThreshold = 90;
    after.kodi.instances.push({ name: "bedroom", url: "ws://10.0.0.2:9090/jsonrpc" });
    const diff = diffConfigs(before, after);
    expect(diff.changed.sort()).toEqual(["kodi.instances", "scrobble.watchedThreshold", "server.port", "trakt.apiUrl"]);
    expect(diff.restartRequired.sort()).toEqual(["server.port", "trakt.apiUrl"]);
    expect(diff.sections.sort()).toEqual(["kodi", "scrobble", "server", "trakt"]);
  });

  it("sees a key that appears or disappears", () => {
    const after = defaultConfig();
    after.plex.webhookSecret = "0123456789abcdef";
    expect(diffConfigs(defaultConfig(), after).changed).toEqual(["plex.webhookSecret"]);
  });
});

describe("liveConfig", () => {
  it("takes the new values, except that a key needing a restart keeps its running value (set, changed or removed)", () => {
    const running = defaultConfig();
    running.trakt.authUrl = "http://127.0.0.1:1/auth";
    const next = defaultConfig();
    next.server.port = 9999;
    next.trakt.apiUrl = "http://127.0.0.1:1234";
    next.scrobble.watchedThreshold = 90;
    next.plex.webhookSecret = "0123456789abcdef";
    next.stateDir = "/elsewhere";
    const untouched = structuredClone(running);
    const { config, diff } = liveConfig(running, next);
    expect(diff.restartRequired.sort()).toEqual(["server.port", "stateDir", "trakt.apiUrl", "trakt.authUrl"]);
    expect(config.server.port).toBe(running.server.port);
    expect(config.trakt.apiUrl).toBe(running.trakt.apiUrl);
    expect(config.trakt.authUrl).toBe("http://127.0.0.1:1/auth");
    expect(config.stateDir).toBeUndefined();
    expect(config.scrobble.watchedThreshold).toBe(90);
    expect(config.plex.webhookSecret).toBe("0123456789abcdef");
    expect(liveConfig(config, config).diff.changed).toEqual([]);
    expect(running).toEqual(untouched);
  });
});

describe("maskSecrets", () => {
  it("masks every key marked secret and nothing else", () => {
    const config = defaultConfig();
    config.trakt.clientSecret = "s3cr3t-value";
    config.trakt.clientId = "public-id";
    config.plex.webhookSecret = "0123456789abcdef";
    const masked = maskSecrets(config);
    expect(masked.trakt.clientSecret).toBe(MASK);
    expect(masked.plex.webhookSecret).toBe(MASK);
    expect(masked.trakt.clientId).toBe("public-id");
    expect(JSON.stringify(masked)).not.toContain("s3cr3t");
    expect(config.trakt.clientSecret).toBe("s3cr3t-value");
  });

  it("covers at least the known secret keys", () => {
    const secrets = flattenKeys(configKeys()).filter((k) => k.secret).map((k) => k.name);
    expect(secrets).toEqual(expect.arrayContaining(["trakt.clientSecret", "plex.webhookSecret", "plex.token", "plex.servers[].token"]));
  });

  it("masks Plex server tokens, given for every server or for one, and hands them to the log scrubber", () => {
    const config = defaultConfig();
    config.plex.token = "owner-token-for-all";
    config.plex.servers = [{ name: "home", url: "http://192.168.1.10:32400", token: "owner-token-for-home" }];
    const masked = maskSecrets(config);
    expect(masked.plex.token).toBe(MASK);
    expect(masked.plex.servers[0]).toEqual({ name: "home", url: "http://192.168.1.10:32400", token: MASK });
    expect(secretValues(config).sort()).toEqual(["owner-token-for-all", "owner-token-for-home"]);
    registerConfigSecrets(config);
    expect(scrubString("GET / with owner-token-for-home failed")).not.toContain("owner-token-for-home");
  });
});

describe("parsed configs", () => {
  it("do not share default lists with each other", () => {
    const a = defaultConfig();
    a.kodi.instances.push({ name: "x", url: "ws://x:9090/jsonrpc" });
    a.plex.users.someone = "default";
    expect(defaultConfig().kodi.instances).toHaveLength(1);
    expect(defaultConfig().plex.users).toEqual({});
  });
});

describe("secrets and the log scrubber", () => {
  it("finds every set secret value", () => {
    const config = defaultConfig();
    config.trakt.clientSecret = "client-secret-123";
    config.plex.webhookSecret = "webhook-secret-456789";
    expect(secretValues(config).sort()).toEqual(["client-secret-123", "webhook-secret-456789"]);
    expect(secretValues(defaultConfig())).toEqual([]);
  });

  it("registered secrets are scrubbed from log strings", () => {
    const config = defaultConfig();
    config.trakt.clientSecret = "scrub-me-please-42";
    registerConfigSecrets(config);
    expect(scrubString("request failed with secret scrub-me-please-42 in it")).not.toContain("scrub-me-please-42");
  });
});

describe("passwords inside URLs", () => {
  it("`config check` masks the password of a Kodi URL (it used to print it) and the log scrubs it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mask-url-"));
    try {
      const file = join(dir, "config.yaml");
      writeFileSync(file, "kodi:\n  instances:\n    - name: tv\n      url: ws://kodi:hunter2-kodi-pass@192.168.1.20:9090/jsonrpc\n");
      const loaded = loadConfig({ configFile: file, stateDir: join(dir, "state"), context: { env: {}, cwd: dir, home: dir, isFile: () => true, containerConfigDir: () => undefined } });
      const shown = describeLoaded(loaded);
      expect(shown).not.toContain("hunter2-kodi-pass");
      expect(shown).toContain("url: ws://kodi:********@192.168.1.20:9090/jsonrpc");
      expect(scrubString("connect ws://kodi:hunter2-kodi-pass@192.168.1.20 failed")).not.toContain("hunter2-kodi-pass");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("masks a lone user name in a URL (it may be a token) and leaves other strings alone", () => {
    const config = defaultConfig();
    config.trakt.apiUrl = "https://tok3n-in-the-user-name@api.example";
    config.kodi.instances[0]!.url = "ws://127.0.0.1:9090/jsonrpc";
    const masked = maskSecrets(config);
    expect(masked.trakt.apiUrl).toBe("https://********@api.example/");
    expect(masked.kodi.instances[0]!.url).toBe("ws://127.0.0.1:9090/jsonrpc");
    expect(secretValues(config)).toContain("tok3n-in-the-user-name");
  });
});
