import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatProblem } from "../../src/config/errors.js";
import { validateConfigText } from "../../src/config/validate.js";

function problems(text: string, env: Record<string, string> = {}): string[] {
  const result = validateConfigText(text, "config.yaml", { env });
  if (result.ok) throw new Error("expected the config to be invalid");
  return result.error.problems.map(formatProblem);
}

describe("validateConfigText", () => {
  it("accepts an empty file as the defaults", () => {
    const result = validateConfigText("", "config.yaml");
    expect(result.ok && result.config.server.port).toBe(7788);
  });

  it("names file, line, key path, what is wrong and what is allowed", () => {
    const text = ["trakt:", "  apiUrl: https://api.trakt.tv", "server:", "  host: 127.0.0.1", "  port: 70000", ""].join("\n");
    expect(problems(text)).toEqual(["config.yaml:5: server.port: must be at most 65535, got 70000. Allowed: integer 0–65535."]);
  });

  it("locates values inside lists", () => {
    const text = ["kodi:", "  instances:", "    - name: living-room", "      url: ws://a:9090/jsonrpc", "    - name: bedroom", "      url: 9090", ""].join("\n");
    expect(problems(text)).toEqual(["config.yaml:6: kodi.instances[1].url: expected string, got 9090."]);
  });

  it("says where the old plex.servers (webhook filter by server uuid) went", () => {
    const text = ["plex:", "  servers:", "    - 27a04b118b1bf1f25f8e99306785453623e18b67", ""].join("\n");
    expect(problems(text)).toEqual([
      'config.yaml:3: plex.servers[0]: plex.servers now lists the Plex Media Servers to follow (each {name, url}); the webhook filter by server uuid moved to plex.webhookServers: move "27a04b118b1bf1f25f8e99306785453623e18b67" there.',
    ]);
    const moved = validateConfigText(["plex:", "  webhookServers: [27a04b118b1bf1f25f8e99306785453623e18b67]", "  servers:", "    - { name: home, url: 'http://192.168.1.10:32400' }", ""].join("\n"), "config.yaml");
    expect(moved.ok && moved.config.plex.servers).toEqual([{ name: "home", url: "http://192.168.1.10:32400" }]);
  });

  it("lists the allowed values of an enum", () => {
    expect(problems("log:\n  level: verbose\n")).toEqual([
      'config.yaml:2: log.level: got "verbose"; expected one of: fatal, error, warn, info, debug, trace, silent.',
    ]);
  });

  it("reports unknown keys at any depth with the closest known key", () => {
    const out = problems("server:\n  prot: 8080\nkodi:\n  instances:\n    - nme: x\nzzz: 1\n");
    expect(out[0]).toMatch(/^config\.yaml:2: server\.prot: unknown key "prot"; did you mean "port"\?/);
    expect(out[1]).toMatch(/^config\.yaml:5: kodi\.instances\[0\]\.nme: unknown key "nme"; did you mean "name"\?/);
    expect(out[2]).toMatch(/^config\.yaml:6: zzz: unknown key "zzz" Known keys at the top level: stateDir, trakt/);
  });

  it("tells a quoted number to lose its quotes", () => {
    expect(problems('scrobble:\n  watchedThreshold: "85"\n')[0]).toContain("(remove the quotes)");
  });

  it("reports YAML syntax errors with their line", () => {
    expect(problems("server:\n  port: [1, 2\nlog: {}\n")[0]).toMatch(/^config\.yaml:\d+: invalid YAML: /);
    expect(problems("server:\n  port: 1\n  port: 2\n")[0]).toMatch(/^config\.yaml:3: invalid YAML: Map keys must be unique/);
  });

  it("refuses a document that is not a mapping", () => {
    expect(problems("- a\n- b\n")).toEqual(['config.yaml:1: the file must be a mapping of keys (like "trakt:" and "server:"), not a list']);
  });

  it("never repeats a secret's value in an error", () => {
    const out = problems("plex:\n  webhookSecret: tooshort\n").join("\n");
    expect(out).toContain("config.yaml:2: plex.webhookSecret: must be at least 16 characters long");
    expect(out).not.toContain("tooshort");
  });

  it("collects every problem, not just the first", () => {
    expect(problems("server:\n  port: -1\nlog:\n  level: loud\nscrobble:\n  watchedThreshold: 0\n")).toHaveLength(3);
  });
});

describe("validateConfigText on odd input", () => {
  it("treats `key:` with no value as not set", () => {
    const result = validateConfigText("trakt:\n  clientId:\nserver:\n  port:\nkodi:\n", "config.yaml");
    if (!result.ok) throw result.error;
    expect(result.config.trakt.clientId).toBeUndefined();
    expect(result.config.server.port).toBe(7788);
    expect(result.config.kodi.instances).toHaveLength(1);
  });

  it("reports a __proto__ key as unknown instead of letting it through", () => {
    expect(problems('"__proto__":\n  polluted: 1\n')[0]).toMatch(/^config\.yaml:1: __proto__: unknown key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses an alias bomb without hanging or throwing", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
    const result = validateConfigText(lines.join("\n"), "config.yaml");
    expect(result.ok).toBe(false);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => stringify(v))), (text) => {
        const result = validateConfigText(text, "config.yaml");
        if (!result.ok) expect(result.error.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
