import { describe, expect, it } from "vitest";
import { configSchema, defaultConfig } from "../../src/config/schema.js";

describe("config schema", () => {
  it("has documented defaults for an empty file", () => {
    const config = defaultConfig();
    expect(config.server.host).toBe("127.0.0.1");
    expect(config.scrobble.watchedThreshold).toBe(80);
    expect(config.kodi.instances[0]?.url).toBe("ws://127.0.0.1:9090/jsonrpc");
  });

  it("rejects unknown top-level keys", () => {
    expect(configSchema.safeParse({ nope: 1 }).success).toBe(false);
  });
});
