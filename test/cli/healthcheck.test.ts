import { describe, expect, it } from "vitest";
import { daemonBaseUrlFromEnv, healthUrl } from "../../src/config/server-address.js";
import { configKeys } from "../../src/config/validate.js";
import { flattenKeys } from "../../src/config/walk.js";

describe("healthUrl", () => {
  it("reaches a wildcard bind through loopback", () => {
    expect(healthUrl("0.0.0.0", 7788)).toBe("http://127.0.0.1:7788/healthz");
    expect(healthUrl("::", 7788)).toBe("http://[::1]:7788/healthz");
  });

  it("uses a specific address as it is, bracketing IPv6", () => {
    expect(healthUrl("127.0.0.1", 80)).toBe("http://127.0.0.1:80/healthz");
    expect(healthUrl("192.168.1.5", 8080)).toBe("http://192.168.1.5:8080/healthz");
    expect(healthUrl("fd00::5", 8080)).toBe("http://[fd00::5]:8080/healthz");
  });
});

describe("daemonBaseUrlFromEnv (the address without reading the config file)", () => {
  it("reads the variables the schema declares for server.host and server.port", () => {
    const env = Object.fromEntries(flattenKeys(configKeys()).filter((k) => k.env !== undefined).map((k) => [k.name, k.env]));
    expect(daemonBaseUrlFromEnv({ [env["server.host"]!]: "0.0.0.0", [env["server.port"]!]: "7788" })).toBe("http://127.0.0.1:7788");
  });

  it("needs both, plainly valid; anything else is left to the full config load", () => {
    expect(daemonBaseUrlFromEnv({ TRAKT_SCROBBLERD_HOST: "10.0.0.2", TRAKT_SCROBBLERD_PORT: " 9000 " })).toBe("http://10.0.0.2:9000");
    expect(daemonBaseUrlFromEnv({ TRAKT_SCROBBLERD_HOST: "0.0.0.0" })).toBeUndefined();
    expect(daemonBaseUrlFromEnv({ TRAKT_SCROBBLERD_PORT: "7788" })).toBeUndefined();
    expect(daemonBaseUrlFromEnv({ TRAKT_SCROBBLERD_HOST: "", TRAKT_SCROBBLERD_PORT: "7788" })).toBeUndefined();
    for (const port of ["", "http", "70000", "7788.5", "-1", "0x1e6c"]) {
      expect(daemonBaseUrlFromEnv({ TRAKT_SCROBBLERD_HOST: "0.0.0.0", TRAKT_SCROBBLERD_PORT: port }), port).toBeUndefined();
    }
  });
});
