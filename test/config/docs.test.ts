import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ENV_END, ENV_START, generateExampleYaml, generateReferenceMarkdown, replaceBetweenMarkers, REFERENCE_END, REFERENCE_START } from "../../src/config/docs.js";
import { docsTargets, syncConfigDocs } from "../../src/config/docs-files.js";
import { defaultConfig } from "../../src/config/schema.js";
import { configKeys, validateConfigText } from "../../src/config/validate.js";
import { describeSchema, flattenKeys } from "../../src/config/walk.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("generated config docs", () => {
  it("the committed example and reference match the schema (run `npm run config:docs` if this fails)", () => {
    const stale = syncConfigDocs(docsTargets(repo), true).filter((r) => r.changed).map((r) => r.path);
    expect(stale).toEqual([]);
  });

  it("the example parses back to exactly the defaults", () => {
    const text = readFileSync(join(repo, "config", "config.example.yaml"), "utf8");
    const result = validateConfigText(text, "config.example.yaml");
    if (!result.ok) throw result.error;
    expect(result.config).toEqual(defaultConfig());
  });

  it("the example mentions every key, its env var and its description — but no key that is no longer used", () => {
    const text = generateExampleYaml(defaultConfig());
    for (const key of flattenKeys(configKeys())) {
      if (key.path.includes("*")) continue;
      if (key.deprecated) {
        expect(text, key.name).not.toMatch(new RegExp(`^\\s*#?\\s*${key.path.at(-1)!}:`, "m"));
        continue;
      }
      const leaf = key.path[key.path.length - 1]!;
      if (leaf !== "[]") expect(text, key.name).toMatch(new RegExp(`^\\s*#?\\s*${leaf}:`, "m"));
      if (key.env) expect(text).toContain(`env: ${key.env}`);
      if (key.description) expect(text).toContain(key.description);
    }
  });

  it("follows a schema change (the generator is not a copy of today's file)", () => {
    const schema = z.object({
      port: z.number().int().min(1).max(9).default(5).describe("A port.").meta({ env: "X_PORT", restart: true }),
      token: z.string().optional().describe("A token.").meta({ secret: true }),
    });
    const root = describeSchema(schema);
    expect(generateExampleYaml({ port: 5 }, root)).toContain("# A port.\n# type: integer 1–9 · env: X_PORT · restart required\nport: 5\n\n# A token.\n# type: string · secret (masked in output)\n# token:\n");
    const md = generateReferenceMarkdown(root);
    expect(md).toContain("| `port` | integer 1–9 | `5` | `X_PORT` | A port. *Restart required.* |");
    expect(md).toContain("| `token` | string |  |  | A token. *Secret: masked in output.* |");
    const retired = describeSchema(z.object({ old: z.string().optional().describe("No longer used.").meta({ deprecated: true }), kept: z.number().default(1) }));
    expect(generateExampleYaml({ kept: 1 }, retired)).not.toContain("old");
    expect(generateReferenceMarkdown(retired)).toContain("| `old` | string |  |  | No longer used. *Deprecated: a file that sets it loads, with a warning.* |");
  });

  it("writes the reference between markers, into README.md too, and leaves the rest alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsd-docs-"));
    try {
      const readme = join(dir, "README.md");
      writeFileSync(readme, `# Title\n\nintro\n\n${REFERENCE_START}\nold table\n${REFERENCE_END}\n\n## After\n\n${ENV_START}\n${ENV_END}\n`);
      const [first] = syncConfigDocs([{ path: readme, mode: "markers" }], true);
      expect(first?.changed).toBe(true);
      expect(readFileSync(readme, "utf8")).toContain("old table");
      syncConfigDocs([{ path: readme, mode: "markers" }], false);
      const text = readFileSync(readme, "utf8");
      expect(text.startsWith("# Title\n\nintro\n\n")).toBe(true);
      expect(text).toContain(`${REFERENCE_END}\n\n## After\n\n${ENV_START}\n| Variable | Key | Type |`);
      expect(text).toContain("| `TRAKT_CLIENT_SECRET` | `trakt.clientSecret` | string (non-empty) |");
      expect(text).not.toContain("old table");
      expect(text).toContain("| `server.port` | integer 0–65535 | `7788` | `TRAKT_SCROBBLERD_PORT` |");
      expect(syncConfigDocs([{ path: readme, mode: "markers" }], true)[0]?.changed).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a file without markers", () => {
    expect(() => replaceBetweenMarkers("no markers here", "x")).toThrow(/markers/);
  });

  it("the example YAML is valid YAML with the default kodi instance", () => {
    const parsed = parse(generateExampleYaml(defaultConfig())) as { kodi: { instances: unknown[] } };
    expect(parsed.kodi.instances).toEqual([{ name: "kodi", url: "ws://127.0.0.1:9090/jsonrpc" }]);
  });
});
