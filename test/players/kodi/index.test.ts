import { describe, expect, it } from "vitest";
import { kodiSection } from "../../../src/config/sections/players.js";
import { kodiAdapters } from "../../../src/players/kodi/index.js";
import { silentLogger } from "../../../src/util/log.js";
import { displayUrl } from "../../../src/players/kodi/client.js";

const ctx = { emit: () => undefined, now: () => Date.now() };

describe("kodi config section and adapter factory", () => {
  it("defaults to one local Kodi", () => {
    const section = kodiSection.parse(undefined);
    expect(section).toEqual({ enabled: true, instances: [{ name: "kodi", url: "ws://127.0.0.1:9090/jsonrpc" }], ignoreLiveTv: true, excludePaths: [], pollMaxSeconds: 15 });
    const adapters = kodiAdapters(section, { watchedThreshold: 80, stateDir: "/nonexistent" }).map((spec) => spec.create(ctx, silentLogger()));
    expect(adapters.map((a) => a.status()[0])).toEqual([{ name: "kodi", kind: "kodi", state: "starting", detail: "ws://127.0.0.1:9090/jsonrpc" }]);
  });

  it("one adapter per instance; a changed instance (or threshold) gets a new fingerprint, the others keep theirs", () => {
    const section = kodiSection.parse({
      instances: [
        { name: "living-room", url: "ws://192.168.1.20:9090/jsonrpc", account: "family" },
        { name: "bedroom", url: "ws://192.168.1.21:9090/jsonrpc" },
      ],
    });
    const specs = kodiAdapters(section, { watchedThreshold: 80, stateDir: "/nonexistent" });
    expect(specs.map((s) => s.name)).toEqual(["living-room", "bedroom"]);
    const moved = kodiAdapters({ ...section, instances: [section.instances[0]!, { ...section.instances[1]!, url: "ws://192.168.1.22:9090/jsonrpc" }] }, { watchedThreshold: 80, stateDir: "/nonexistent" });
    expect(moved[0]!.fingerprint).toBe(specs[0]!.fingerprint);
    expect(moved[1]!.fingerprint).not.toBe(specs[1]!.fingerprint);
    const stricter = kodiAdapters(section, { watchedThreshold: 90, stateDir: "/nonexistent" });
    expect(stricter.map((s) => s.fingerprint)).not.toContain(specs[0]!.fingerprint);
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
