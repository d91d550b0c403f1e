import { describe, expect, it } from "vitest";
import { envBindings } from "../../src/config/env.js";
import { formatProblem } from "../../src/config/errors.js";
import { configKeys, validateConfigText } from "../../src/config/validate.js";

describe("environment overrides", () => {
  it("are declared in the schema with the documented names", () => {
    const names = envBindings(configKeys()).map((b) => `${b.name}=${b.key.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "TRAKT_CLIENT_ID=trakt.clientId",
        "TRAKT_CLIENT_SECRET=trakt.clientSecret",
        "TRAKT_API_URL=trakt.apiUrl",
        "TRAKT_SCROBBLERD_STATE_DIR=stateDir",
        "TRAKT_SCROBBLERD_LOG_LEVEL=log.level",
        "TRAKT_SCROBBLERD_HOST=server.host",
        "TRAKT_SCROBBLERD_PORT=server.port",
        "PLEX_WEBHOOK_SECRET=plex.webhookSecret",
        "JELLYFIN_URL=jellyfin.url",
        "JELLYFIN_TOKEN=jellyfin.token",
        "EMBY_URL=emby.url",
        "EMBY_USERS=emby.users",
      ]),
    );
    const all = envBindings(configKeys()).map((b) => b.name);
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(name).toMatch(/^(TRAKT_|PLEX_|JELLYFIN_|EMBY_)[A-Z0-9_]+$/);
  });

  it("override the file and are coerced to the key's type", () => {
    const result = validateConfigText("server:\n  port: 1000\n  host: 127.0.0.1\n", "c.yaml", {
      env: { TRAKT_SCROBBLERD_PORT: "8080", TRAKT_SCROBBLERD_LOG_PRETTY: "yes", TRAKT_CLIENT_ID: "abc", UNRELATED: "x" },
    });
    if (!result.ok) throw result.error;
    expect(result.config.server).toEqual({ host: "127.0.0.1", port: 8080, allowedHosts: [], dashboard: true });
    expect(result.config.log.pretty).toBe(true);
    expect(result.config.trakt.clientId).toBe("abc");
    expect(result.envVars.sort()).toEqual(["TRAKT_CLIENT_ID", "TRAKT_SCROBBLERD_LOG_PRETTY", "TRAKT_SCROBBLERD_PORT"]);
  });

  it("treat an empty variable as unset", () => {
    const result = validateConfigText("", "c.yaml", { env: { TRAKT_SCROBBLERD_PORT: "" } });
    expect(result.ok && result.config.server.port).toBe(7788);
  });

  it("name the variable when its value is wrong", () => {
    const result = validateConfigText("", "c.yaml", {
      env: { TRAKT_SCROBBLERD_PORT: "eighty", TRAKT_SCROBBLERD_LOG_LEVEL: "loud", TRAKT_API_URL: "not a url", TRAKT_SCROBBLERD_LOG_PRETTY: "maybe" },
    });
    if (result.ok) throw new Error("expected invalid");
    const lines = result.error.problems.map(formatProblem);
    expect(lines).toContain('environment variable TRAKT_SCROBBLERD_PORT: server.port: expected a number (integer 0–65535), got "eighty"');
    expect(lines).toContain('environment variable TRAKT_SCROBBLERD_LOG_LEVEL: log.level: got "loud"; expected one of: fatal, error, warn, info, debug, trace, silent.');
    expect(lines).toContain('environment variable TRAKT_API_URL: trakt.apiUrl: expected a URL (like https://api.trakt.tv), got "not a url".');
    expect(lines.some((l) => l.startsWith("environment variable TRAKT_SCROBBLERD_LOG_PRETTY: log.pretty: expected a boolean"))).toBe(true);
  });

  it("do not echo a secret variable's value", () => {
    const result = validateConfigText("", "c.yaml", { env: { PLEX_WEBHOOK_SECRET: "short-secret" } });
    if (result.ok) throw new Error("expected invalid");
    expect(result.error.message).toContain("environment variable PLEX_WEBHOOK_SECRET: plex.webhookSecret: must be at least 16");
    expect(result.error.message).not.toContain("short-secret");
  });
});

describe("environment overrides for maps", () => {
  it("read PLEX_USERS as name=account pairs, so a Docker user can route Plex users without a file", () => {
    const result = validateConfigText("", "c.yaml", { env: { PLEX_USERS: "me@example.com=default, 12345 = alice", PLEX_DEFAULT_ACCOUNT: "guests" } });
    if (!result.ok) throw result.error;
    expect(result.config.plex.users).toEqual({ "me@example.com": "default", "12345": "alice" });
    expect(result.config.plex.defaultAccount).toBe("guests");
  });

  it("read PLEX_SERVERS as name=url pairs and PLEX_TOKEN, so a Docker user can follow Plex servers without a file", () => {
    const result = validateConfigText("", "c.yaml", { env: { PLEX_SERVERS: "home=http://192.168.1.10:32400, cabin = https://10.0.0.5:32400", PLEX_TOKEN: "owner-token-123" } });
    if (!result.ok) throw result.error;
    expect(result.config.plex.servers).toEqual([
      { name: "home", url: "http://192.168.1.10:32400" },
      { name: "cabin", url: "https://10.0.0.5:32400" },
    ]);
    expect(result.config.plex.token).toBe("owner-token-123");
    const broken = validateConfigText("", "c.yaml", { env: { PLEX_SERVERS: "http://192.168.1.10:32400" } });
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.message).toMatch(/PLEX_SERVERS.*name=url pairs/);
  });

  it("name the variable and the expected form when a pair is broken", () => {
    const result = validateConfigText("", "c.yaml", { env: { PLEX_USERS: "alice" } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/PLEX_USERS.*name=value/);
  });
});
