import { describe, expect, it } from "vitest";
import { kodiSection } from "../../../src/config/sections/players.js";
import { createKodiAdapters } from "../../../src/players/kodi/index.js";
import { displayUrl } from "../../../src/players/kodi/client.js";

const ctx = { emit: () => undefined, now: () => Date.now() };

describe("kodi config section and adapter factory", () => {
  it("defaults to one local Kodi", () => {
    const section = kodiSection.parse(undefined);
    expect(section).toEqual({ enabled: true, instances: [{ name: "kodi", url: "ws://127.0.0.1:9090/jsonrpc" }], ignoreLiveTv: true, excludePaths: [], pollMaxSeconds: 15 });
    const adapters = createKodiAdapters(section, ctx);
    expect(adapters.map((a) => a.status()[0])).toEqual([{ name: "kodi", kind: "kodi", state: "starting", detail: "ws://127.0.0.1:9090/jsonrpc" }]);
  });

  it("one adapter per instance, none when disabled", () => {
    const section = kodiSection.parse({
      instances: [
        { name: "living-room", url: "ws://192.168.1.20:9090/jsonrpc", account: "family" },
        { name: "bedroom", url: "ws://192.168.1.21:9090/jsonrpc" },
      ],
    });
    expect(createKodiAdapters(section, ctx).map((a) => a.name)).toEqual(["living-room", "bedroom"]);
    expect(createKodiAdapters({ ...section, enabled: false }, ctx)).toEqual([]);
  });

  it("says what to fix for a bad URL or a duplicate name", () => {
    const badUrl = kodiSection.safeParse({ instances: [{ name: "a", url: "http://192.168.1.20:8080/jsonrpc" }] });
    expect(badUrl.success).toBe(false);
    expect(JSON.stringify(badUrl.error?.issues)).toContain("must start with ws://");
    const dup = kodiSection.safeParse({ instances: [{ name: "a" }, { name: "a", url: "ws://h:9090/jsonrpc" }] });
    expect(dup.success).toBe(false);
    expect(JSON.stringify(dup.error?.issues)).toContain("each Kodi instance needs its own name");
  });

  it("never shows a password from the URL", () => {
    expect(displayUrl("ws://kodi:s3cret-pass@192.168.1.20:9090/jsonrpc")).toBe("ws://kodi:********@192.168.1.20:9090/jsonrpc");
    expect(displayUrl("ws://127.0.0.1:9090/jsonrpc")).toBe("ws://127.0.0.1:9090/jsonrpc");
  });
});
