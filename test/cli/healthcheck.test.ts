import { describe, expect, it } from "vitest";
import { healthUrl } from "../../src/cli/commands/healthcheck.js";

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
