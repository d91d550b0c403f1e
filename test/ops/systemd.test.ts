import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../cli/install.js";

const execFileP = promisify(execFile);
const UNIT = "trakt-scrobblerd.service";
const unitText = readFileSync(join(repoRoot, "systemd", UNIT), "utf8");
const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
if (!hasAnalyze) console.log("SKIPPED: systemd unit verify/security tests need systemd-analyze (Debian package systemd)");

/** [Section] → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

interface Analysis {
  code: number;
  stdout: string;
  stderr: string;
}

async function analyze(args: string[], cwd: string): Promise<Analysis> {
  try {
    const { stdout, stderr } = await execFileP("systemd-analyze", args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function exposure(output: string): number {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(output);
  if (!m) throw new Error(`no exposure level in:\n${output}`);
  return Number(m[1]);
}

describe("systemd unit contract", () => {
  const service = parseUnit(unitText).get("Service")!;
  const one = (key: string): string | undefined => service.get(key)?.at(-1);

  it("is a notify service with a watchdog, restarted on failure, running `trakt-scrobblerd run`", () => {
    expect(one("Type")).toBe("notify");
    expect(one("NotifyAccess")).toBe("all"); // sd-notify goes through a systemd-notify child process
    expect(Number.parseInt(one("WatchdogSec") ?? "", 10)).toBeGreaterThan(0);
    expect(one("Restart")).toBe("on-failure");
    expect(one("ExecStart")).toMatch(/(^|\/)trakt-scrobblerd run$/);
  });

  it("runs as its own user with systemd-managed state and config directories", () => {
    expect(one("User")).toBe("trakt-scrobblerd");
    expect(one("StateDirectory")).toBe("trakt-scrobblerd");
    expect(one("ConfigurationDirectory")).toBe("trakt-scrobblerd");
  });

  it("reloads with nothing but /bin/sh: /bin/kill is procps, which minimal systems lack", () => {
    expect(one("ExecReload")).toBe("/bin/sh -c 'kill -HUP ${MAINPID}'");
  });

  it("does not restart on exit status 2 (an invalid or unreadable config) in a loop", () => {
    expect(one("RestartPreventExitStatus")?.split(/\s+/)).toContain("2");
  });

  it("the docs make the config directory with the mode the unit asks for, one the service user can read", () => {
    const mode = one("ConfigurationDirectoryMode");
    expect(mode).toBe("0755"); // systemd leaves the directory to root: the dynamic user reads it as "other"
    for (const doc of ["README.md", join("docs", "ops.md")]) {
      const text = readFileSync(join(repoRoot, doc), "utf8");
      expect(text, doc).not.toMatch(/mkdir -p \/etc\/trakt-scrobblerd/);
      expect([...text.matchAll(/sudo install -d -m (\d+) \/etc\/trakt-scrobblerd/g)].map((m) => m[1]), doc).toEqual([mode]);
    }
  });

  it("is hardened, but leaves W^X off for V8's JIT", () => {
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("ProtectHome")).toBe("yes");
    expect(one("PrivateTmp")).toBe("yes");
    expect(one("RestrictAddressFamilies")).toBe("AF_UNIX AF_INET AF_INET6");
    expect(service.get("SystemCallFilter")).toContain("@system-service");
    expect(one("CapabilityBoundingSet")).toBe("");
    expect(service.has("MemoryDenyWriteExecute")).toBe(false);
  });
});

describe("the documented install (scripts/systemd-boot-check.sh runs the docs/ops.md line)", () => {
  const installLines = (doc: string): string[] =>
    readFileSync(join(repoRoot, doc), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("sudo npm install -g"));

  it("README and docs/ops.md give the same `npm install -g`, which runs no install script", () => {
    const ops = installLines(join("docs", "ops.md"));
    expect(ops).toEqual(["sudo npm install -g --ignore-scripts ./trakt-scrobblerd-*.tgz"]);
    expect(new Set(installLines("README.md"))).toEqual(new Set(ops));
  });

  it("keytar is the only production dependency with an install script, so --ignore-scripts skips nothing else", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== "" && p.hasInstallScript === true && p.dev !== true)
      .map(([path]) => path);
    expect(withScripts).toEqual(["node_modules/keytar"]);
  });
});

describe.skipIf(!hasAnalyze)("systemd-analyze", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsd-unit-"));
    // `verify` insists the ExecStart binary exists; point it at one that does (node) and keep everything else.
    writeFileSync(join(dir, UNIT), unitText.replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} /opt/trakt-scrobblerd/bin/trakt-scrobblerd.js run`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("verify finds no problem in the unit", async () => {
    const result = await analyze(["verify", join(dir, UNIT)], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("the unbuilt ExecStart is the only thing verify would flag in the original", async () => {
    const original = mkdtempSync(join(tmpdir(), "tsd-unit-orig-"));
    try {
      writeFileSync(join(original, UNIT), unitText);
      const result = await analyze(["verify", join(original, UNIT)], original);
      const complaints = result.stderr.split("\n").filter((l) => l.trim() !== "");
      expect(complaints.length).toBeGreaterThan(0);
      for (const line of complaints) expect(line).toMatch(/Command trakt-scrobblerd is not executable/);
    } finally {
      rmSync(original, { recursive: true, force: true });
    }
  });

  it("security exposure is at most 2.0", async () => {
    const result = await analyze(["security", "--offline=yes", UNIT], dir);
    const score = exposure(result.stdout);
    console.log(`systemd-analyze security --offline=yes ${UNIT}: exposure ${score}`);
    expect(score).toBeLessThanOrEqual(2.0);
  });

  it("the mpv drop-in documented in docs/ops.md verifies and stays at most 2.0", async () => {
    const ops = readFileSync(join(repoRoot, "docs", "ops.md"), "utf8");
    const block = /<!-- systemd-mpv-dropin -->\n```ini\n([\s\S]*?)```/.exec(ops)?.[1];
    expect(block).toContain("User=alice");
    mkdirSync(join(dir, `${UNIT}.d`), { recursive: true });
    writeFileSync(join(dir, `${UNIT}.d`, "mpv.conf"), block!);
    const verify = await analyze(["verify", join(dir, UNIT)], dir);
    expect(verify.stderr).toBe("");
    const security = await analyze(["security", "--offline=yes", UNIT], dir);
    expect(security.stdout).toContain("static non-root user");
    const score = exposure(security.stdout);
    console.log(`with the mpv drop-in: exposure ${score}`);
    expect(score).toBeLessThanOrEqual(2.0);
    rmSync(join(dir, `${UNIT}.d`), { recursive: true, force: true });
  });
});
