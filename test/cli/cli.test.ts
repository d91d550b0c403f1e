import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildInstall, repoRoot, type Installed } from "./install.js";

const execFileP = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let app: Installed;
let home: string;

/** Runs the built CLI with a clean environment (no config of the developer's leaks in). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [app.bin, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      cwd: home,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  app = await buildInstall("tsd-cli-");
  home = mkdtempSync(join(tmpdir(), "tsd-cli-home-"));
}, 120_000);
afterAll(() => {
  app?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("the built CLI (npm run build; node bin/trakt-scrobblerd.js)", () => {
  it("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const result = await cli(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("--help lists the commands and global options", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    for (const word of ["run", "status", "login", "config", "healthcheck", "--config <file>", "--state-dir <dir>"]) {
      expect(result.stdout).toContain(word);
    }
  });

  it("config check with no file prints the defaults and says so", async () => {
    const result = await cli(["config", "check"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("# config file: none found; using defaults");
    expect(result.stdout).toContain(`# state dir: ${join(home, ".local", "state", "trakt-scrobblerd")}`);
    expect(result.stdout).toMatch(/^server:\n {2}host: 127\.0\.0\.1\n {2}port: 7788$/m);
  });

  it("config check reads --config, applies the environment and masks secrets", async () => {
    const file = join(home, "my.yaml");
    writeFileSync(file, "trakt:\n  clientId: file-id\n  clientSecret: file-secret-value\nplex:\n  webhookSecret: a-very-long-webhook-secret\n");
    const result = await cli(["--config", file, "--state-dir", join(home, "state"), "config", "check"], {
      TRAKT_SCROBBLERD_PORT: "9999",
      TRAKT_CLIENT_SECRET: "env-secret-value",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`# config file: ${file} (--config)`);
    expect(result.stdout).toContain("# environment overrides: TRAKT_CLIENT_SECRET, TRAKT_SCROBBLERD_PORT");
    expect(result.stdout).toContain(`# state dir: ${join(home, "state")} (--state-dir)`);
    expect(result.stdout).toContain("clientId: file-id");
    expect(result.stdout).toContain('clientSecret: "********"');
    expect(result.stdout).toContain('webhookSecret: "********"');
    expect(result.stdout).toContain("port: 9999");
    for (const secret of ["file-secret-value", "env-secret-value", "a-very-long-webhook-secret"]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });

  it("config check on an invalid file prints file:line: key: message and exits 2", async () => {
    const file = join(home, "bad.yaml");
    writeFileSync(file, "kodi:\n  instances:\n    - name: tv\n      url: 9090\nserver:\n  prot: 1\n");
    const result = await cli(["--config", file, "config", "check"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${file}:4: kodi.instances[0].url: expected string, got 9090.`);
    expect(result.stderr).toContain(`${file}:6: server.prot: unknown key "prot"; did you mean "port"?`);
  });

  it("config check fails with exit 2 on a missing explicit file", async () => {
    const result = await cli(["config", "check"], { TRAKT_SCROBBLERD_CONFIG: join(home, "nope.yaml") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("config file given by TRAKT_SCROBBLERD_CONFIG does not exist");
  });

  it("config example prints the committed example file", async () => {
    const result = await cli(["config", "example"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(repoRoot, "config", "config.example.yaml"), "utf8"));
  });
});
