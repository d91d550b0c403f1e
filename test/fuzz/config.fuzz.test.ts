// Fuzzing the config boundary: the shipped example with random values at random keys, the example text with random
// edits (indentation, tabs, stray characters), random YAML documents, random environment overrides, all through the
// real loader. Always a valid config or a ConfigError whose every problem names its file (or variable), line and
// key — never another kind of throw, never a hang.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { envBindings } from "../../src/config/env.js";
import { ConfigError, type ConfigProblem } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load.js";
import type { PathContext } from "../../src/config/paths.js";
import { configSchema } from "../../src/config/schema.js";
import { configKeys, validateConfigText, type ValidationResult } from "../../src/config/validate.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const FILE = "/etc/trakt-scrobblerd/config.yaml";
const EXAMPLE_TEXT = readFileSync(new URL("../../config/config.example.yaml", import.meta.url), "utf8");
const EXAMPLE = parse(EXAMPLE_TEXT) as Record<string, unknown>;

/** Every key path of the example (objects and arrays), for picking where to put garbage. */
function paths(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(node)) node.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  return out;
}
const EXAMPLE_PATHS = paths(EXAMPLE);

function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[segment];
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/** Checks the outcome's contract; returns the problems (empty for a valid config). */
function checkResult(result: ValidationResult, file: string): ConfigProblem[] {
  if (result.ok) {
    // A config the validator accepts is one the schema accepts as it stands.
    expect(configSchema.safeParse(result.config).success).toBe(true);
    return [];
  }
  expect(result.error).toBeInstanceOf(ConfigError);
  expect(result.error.problems.length).toBeGreaterThan(0);
  for (const p of result.error.problems) {
    expect(p.message.trim().length).toBeGreaterThan(0);
    if (p.envVar === undefined) expect(p.file).toBe(file);
    if (p.line !== undefined) expect(p.line).toBeGreaterThanOrEqual(1);
    expect(result.error.message).toContain(p.message);
  }
  return result.error.problems;
}

const garbage = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("", "-1", "1e309", "NaN", "0x10", "~", "yes", "on", "127.0.0.1:99999", "ws://", "*/0 * * * *", "../../etc/passwd"),
);

describe("config fuzzing", () => {
  it(`the example with random values at random keys: valid, or problems located at the changed keys (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: EXAMPLE_PATHS.length - 1 }), garbage), { minLength: 1, maxLength: 4 }), (edits) => {
        const data = structuredClone(EXAMPLE);
        const changed: string[] = [];
        for (const [index, value] of edits) {
          const path = EXAMPLE_PATHS[index]!;
          try {
            setAt(data, path, value);
            changed.push(path.join("."));
          } catch {
            // An earlier edit replaced a parent with a scalar; this path no longer exists.
          }
        }
        const problems = checkResult(validateConfigText(stringify(data), FILE), FILE);
        for (const p of problems) {
          // Each problem is at (or above, or below) a key we changed: nothing unrelated is blamed.
          const at = p.path.replace(/\[(\d+)\]/g, ".$1");
          expect(changed.some((c) => at === "" || c.startsWith(at) || at.startsWith(c))).toBe(true);
          if (at !== "") expect(p.line).toBeDefined();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`the example text with random character edits never throws (${RUNS} runs)`, () => {
    const edit = fc.record({
      at: fc.nat({ max: EXAMPLE_TEXT.length }),
      remove: fc.nat({ max: 6 }),
      insert: fc.oneof(fc.constantFrom("\t", " ", "  ", "\n", ":", "- ", "&a ", "*a", "!!binary ", "{", "[", "'", '"', "#", "%YAML 1.1\n", "---\n", "\u0000", "\uFEFF"), fc.string({ maxLength: 5 })),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
        let text = EXAMPLE_TEXT;
        for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
        checkResult(validateConfigText(text, FILE), FILE);
      }),
      { numRuns: RUNS },
    );
  });

  it(`random YAML documents and raw strings never throw (${RUNS} runs)`, () => {
    const doc = fc.oneof(
      fc.anything({ maxDepth: 3, withNullPrototype: true, withMap: true, withSet: true }).map((v) => {
        try {
          return stringify(v);
        } catch {
          return String(v);
        }
      }),
      fc.string({ maxLength: 200, unit: "binary" }),
      fc.dictionary(fc.constantFrom(...Object.keys(EXAMPLE), "__proto__", "constructor", "unknownKey"), garbage).map((d) => stringify(d)),
    );
    fc.assert(
      fc.property(doc, (text) => {
        checkResult(validateConfigText(text, FILE), FILE);
      }),
      { numRuns: RUNS },
    );
  });

  it(`random environment overrides are accepted or named by variable (${RUNS} runs)`, () => {
    const names = envBindings(configKeys()).map((b) => b.name);
    expect(names.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string({ maxLength: 20 }), garbage.map(String)), { maxKeys: 4 }), (env) => {
        const result = validateConfigText(EXAMPLE_TEXT, FILE, { env });
        const problems = checkResult(result, FILE);
        for (const p of problems) if (p.envVar !== undefined) expect(Object.keys(env)).toContain(p.envVar);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("config fuzzing through loadConfig (real files)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsd-fuzz-config-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const context = (): PathContext => ({
    env: {},
    cwd: dir,
    home: join(dir, "home"),
    isFile: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
    containerConfigDir: () => undefined,
  });

  it(`a written file loads or throws a ConfigError naming it (${Math.ceil(RUNS / 4)} runs)`, () => {
    const file = join(dir, "config.yaml");
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.nat({ max: EXAMPLE_PATHS.length - 1 }).chain((i) => garbage.map((g) => {
        const data = structuredClone(EXAMPLE);
        setAt(data, EXAMPLE_PATHS[i]!, g);
        return stringify(data);
      }))), (text) => {
        writeFileSync(file, text);
        try {
          const loaded = loadConfig({ configFile: file, stateDir: join(dir, "state"), context: context() });
          expect(loaded.source.file).toBe(file);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).toContain(file);
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
