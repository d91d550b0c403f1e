// Saving a fixed match into the user's config file: every other byte stays as the user wrote it, and the result is
// always the old settings plus the rule.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import type { OverrideRule } from "../../src/config/sections/identify.js";
import { validateConfigText } from "../../src/config/validate.js";
import { ConfigEditError, overrideSnippet, shadowedBy, withOverride } from "../../src/dashboard/config-edit.js";

const blade: OverrideRule = { title: "Bladerunner Final Cut", to: { type: "movie", trakt: 900001, slug: "blade-runner-2049-2017" } };
const office: OverrideRule = { title: "The Office", to: { type: "show", trakt: 900202, slug: "the-office-us" } };

const COMMENTED = `# My trakt-scrobblerd config
trakt:
  clientId: abc   # from trakt.tv
  writeSpacingMs: 0

# how media is matched
identify:
  # my own rules
  overrides:
    # the office (US)
    - title: The Office
      to: { type: show, slug: the-office-us }
    # trailing comment in the list
  minSearchScore: 0   # keep

mpv:
  sockets: [/tmp/a.sock, "/tmp/b.sock"]
`;

describe("withOverride", () => {
  it("adds an entry to an existing list, every other line byte for byte as it was", () => {
    const edit = withOverride(COMMENTED, blade, "added from the dashboard");
    expect(edit.change).toBe("added");
    expect(edit.index).toBe(1);
    const added = edit.text.split("\n").filter((line) => !COMMENTED.split("\n").includes(line));
    expect(added).toEqual([
      "    # added from the dashboard",
      "    - title: Bladerunner Final Cut",
      "      to: { type: movie, trakt: 900001, slug: blade-runner-2049-2017 }",
    ]);
    // Removing the added lines gives the original back exactly.
    expect(edit.text.split("\n").filter((line) => !added.includes(line)).join("\n")).toBe(COMMENTED);
    expect(parse(edit.text).identify.overrides[1]).toEqual({ title: "Bladerunner Final Cut", to: { type: "movie", trakt: 900001, slug: "blade-runner-2049-2017" } });
    expect(validateConfigText(edit.text, "config.yaml").ok).toBe(true);
  });

  it("adds the list to an identify section without one, and the section to a file without it", () => {
    const noList = "log:\n  level: info # chatty\nidentify:\n  minSearchScore: 0\n";
    const a = withOverride(noList, blade);
    expect(a.text.startsWith(noList)).toBe(true);
    expect(parse(a.text)).toEqual({ log: { level: "info" }, identify: { minSearchScore: 0, overrides: [{ title: "Bladerunner Final Cut", to: blade.to }] } });

    const noSection = "# just the client\ntrakt:\n  clientId: abc # mine";
    const b = withOverride(noSection, blade);
    expect(b.text.startsWith(`${noSection}\n`)).toBe(true);
    expect(parse(b.text).identify.overrides).toHaveLength(1);

    const empty = withOverride("", { path: "Home Video.mkv", to: { type: "movie", imdb: "tt0090728" } });
    expect(parse(empty.text)).toEqual({ identify: { overrides: [{ path: "Home Video.mkv", to: { type: "movie", imdb: "tt0090728" } }] } });
  });

  it("falls back to the Document API for flow style, keeping the comments", () => {
    const flow = "# top\nidentify: { overrides: [] } # inline\nlog: { level: info }\n";
    const edit = withOverride(flow, blade);
    expect(edit.text).toContain("# top");
    expect(parse(edit.text)).toEqual({ identify: { overrides: [{ title: "Bladerunner Final Cut", to: blade.to }] }, log: { level: "info" } });
  });

  it("updates the target of an entry with the same title instead of adding one that would never apply", () => {
    const fixed = withOverride(COMMENTED, office);
    expect(fixed.change).toBe("updated");
    expect(fixed.index).toBe(0);
    expect(fixed.text).toBe(COMMENTED.replace("{ type: show, slug: the-office-us }", "{ type: show, trakt: 900202, slug: the-office-us }"));
  });

  it("refuses a file that is not valid YAML or whose overrides are not a list", () => {
    expect(() => withOverride("identify: [\n", blade)).toThrow(ConfigEditError);
    expect(() => withOverride("identify:\n  overrides: 3\n", blade)).toThrow(/not a list/);
  });

  it("keeps the example config's comments when it gains its first entry", () => {
    const example = readFileSync(new URL("../../config/config.example.yaml", import.meta.url), "utf8");
    expect(example).toContain("  overrides: []\n");
    const edit = withOverride(example, blade);
    // `overrides: []` becomes the list; nothing else changes.
    expect(edit.text).toBe(
      example.replace("  overrides: []\n", "  overrides:\n    - title: Bladerunner Final Cut\n      to: { type: movie, trakt: 900001, slug: blade-runner-2049-2017 }\n"),
    );
    expect(parse(edit.text).identify.overrides).toEqual([{ title: "Bladerunner Final Cut", to: blade.to }]);
  });
});

describe("shadowedBy and the snippet", () => {
  it("names an earlier rule that would still win", () => {
    const glob: OverrideRule = { path: "**/Bladerunner*", to: { type: "movie", trakt: 1 } };
    expect(shadowedBy([glob, blade], 1, { paths: ["/m/Bladerunner.Final.Cut.mkv"], titles: ["Bladerunner Final Cut"] })).toBe(0);
    expect(shadowedBy([office, blade], 1, { paths: ["/m/Bladerunner.Final.Cut.mkv"], titles: ["Bladerunner Final Cut"] })).toBeUndefined();
  });

  it("prints YAML a user can paste", () => {
    expect(parse(overrideSnippet(blade))).toEqual({ identify: { overrides: [{ title: "Bladerunner Final Cut", to: blade.to }] } });
  });
});
