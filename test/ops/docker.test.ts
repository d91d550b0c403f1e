import { execFile, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envBindings } from "../../src/config/env.js";
import { CONFIG_ENV } from "../../src/config/paths.js";
import { configKeys } from "../../src/config/validate.js";
import { buildInstall, repoRoot, type Installed } from "../cli/install.js";
import { all, envOf, execForm, healthcheckCommand, last, parseDockerfile } from "./dockerfile.js";

const execFileP = promisify(execFile);
const dockerfile = parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
const runtime = dockerfile.stages.at(-1)!;
const imageEnv = envOf(runtime);
const declaredEnv = new Set([...envBindings(configKeys()).map((b) => b.name), CONFIG_ENV]);

describe("Dockerfile contract", () => {
  it("builds in one stage and runs from a slim Node 22 stage (Node 24 has no arm/v7 builds)", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(stage.from).toMatch(/^node:22[-.\w]*$/);
    expect(all(dockerfile.stages[0]!, "RUN").join("\n")).toContain("npm run build");
    const runtimeInstall = all(runtime, "RUN").find((r) => r.includes("npm ci"));
    expect(runtimeInstall).toMatch(/--omit=dev/);
    expect(runtimeInstall).toMatch(/--omit=optional/); // keytar is native: not in the image
  });

  it("runs as a non-root user with /config as a volume", () => {
    const user = last(runtime, "USER");
    expect(user).toBeDefined();
    expect(user!.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(all(runtime, "VOLUME").flatMap((v) => (v.startsWith("[") ? execForm(v) : v.split(/\s+/)))).toContain("/config");
  });

  it("uses tini as PID 1 and the CLI as entrypoint, `run` as command, and a CLI healthcheck", () => {
    const entrypoint = execForm(last(runtime, "ENTRYPOINT")!);
    expect(entrypoint.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
    expect(entrypoint[2]).toBe("trakt-scrobblerd");
    expect(execForm(last(runtime, "CMD")!)).toEqual(["run"]);
    expect(healthcheckCommand(runtime)).toEqual(["trakt-scrobblerd", "healthcheck"]);
    // What the run test below mirrors: the CLI installed in /app and linked onto PATH.
    expect(last(runtime, "WORKDIR")).toBe("/app");
    expect(all(runtime, "RUN").join("\n")).toContain("ln -s /app/bin/trakt-scrobblerd.js /usr/local/bin/trakt-scrobblerd");
    expect(all(runtime, "RUN").join("\n")).toMatch(/apt-get install[^&]*\btini\b/);
  });

  it("sets container defaults through declared config variables and exposes the server port", () => {
    expect(imageEnv.get("TRAKT_SCROBBLERD_STATE_DIR")).toBe("/config");
    expect(imageEnv.get("TRAKT_SCROBBLERD_HOST")).toBe("0.0.0.0");
    expect(all(runtime, "EXPOSE")).toContain(imageEnv.get("TRAKT_SCROBBLERD_PORT"));
    for (const name of imageEnv.keys()) {
      if (/^(TRAKT|PLEX)_/.test(name)) expect(declaredEnv, `${name} is not declared in the config schema`).toContain(name);
    }
  });

  it("copies only what exists and is not excluded by .dockerignore", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const stage of dockerfile.stages) {
      for (const copy of all(stage, "COPY").filter((c) => !c.startsWith("--from"))) {
        const sources = copy.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
          expect(ignored, `${source} is not in .dockerignore`).not.toContain(source);
        }
      }
    }
  });

  it("the compose example configures the sidecar by environment only, with a /config volume", () => {
    const compose = parse(readFileSync(join(repoRoot, "docker-compose.example.yml"), "utf8")) as {
      services: Record<string, { image?: string; environment?: Record<string, string>; volumes?: string[] }>;
    };
    expect(compose.services.plex?.image).toMatch(/^plexinc\/pms-docker/);
    const sidecar = compose.services["trakt-scrobblerd"]!;
    expect(sidecar.volumes?.some((v) => v.endsWith(":/config"))).toBe(true);
    const names = Object.keys(sidecar.environment ?? {});
    expect(names).toEqual(expect.arrayContaining(["TRAKT_CLIENT_ID", "TRAKT_CLIENT_SECRET", "PLEX_WEBHOOK_SECRET"]));
    for (const name of names.filter((n) => /^(TRAKT|PLEX)_/.test(n))) expect(declaredEnv).toContain(name);
  });
});

// --- The image's commands, run here as a non-root user with env-only config and a temp dir as /config. ---

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;
const hasTini = spawnSync("/usr/bin/tini", ["--version"]).status === 0;
const NOBODY = 65534;
if (!isRoot) console.log("NOTE: docker contract test runs the image commands as the current (non-root) user");
if (isRoot && !hasSetpriv) console.log("SKIPPED: running the image commands as a non-root user needs setpriv (util-linux)");
if (!hasTini) console.log("NOTE: tini is missing (Debian package tini); image commands run without their PID 1 wrapper");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(isRoot && !hasSetpriv)("image commands as a non-root user", () => {
  let app: Installed;
  let volume: string;
  let env: Record<string, string>;

  /** An image command line as it runs in the image, minus tini when it is missing here; as nobody when we are root. */
  function localCommand(command: string[]): string[] {
    const out = !hasTini && command[0]?.endsWith("/tini") ? command.slice(command[1] === "--" ? 2 : 1) : command;
    return isRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...out] : out;
  }

  function start(command: string[], extraEnv: Record<string, string> = {}) {
    const [file, ...args] = localCommand(command);
    return spawn(file!, args, { env: { ...env, ...extraEnv }, cwd: app.dir });
  }

  async function runToEnd(command: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    const [file, ...args] = localCommand(command);
    try {
      const { stdout, stderr } = await execFileP(file!, args, { env: { ...env, ...extraEnv }, cwd: app.dir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : null, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }

  const entrypoint = execForm(last(runtime, "ENTRYPOINT")!);
  const cmd = execForm(last(runtime, "CMD")!);
  const healthcheck = healthcheckCommand(runtime)!;

  beforeAll(async () => {
    app = await buildInstall("tsd-image-");
    // As the image does: `ln -s /app/bin/trakt-scrobblerd.js /usr/local/bin/trakt-scrobblerd`, so the commands
    // run exactly as written in the Dockerfile (shebang, executable bit and all).
    const pathDir = join(app.dir, "usr-local-bin");
    mkdirSync(pathDir);
    symlinkSync(app.bin, join(pathDir, "trakt-scrobblerd"));
    volume = mkdtempSync(join(tmpdir(), "tsd-volume-"));
    if (isRoot) chownSync(volume, NOBODY, NOBODY);
    env = {
      ...Object.fromEntries(imageEnv),
      TRAKT_SCROBBLERD_STATE_DIR: volume, // stands in for the /config volume
      PATH: `${join(app.dir, "usr-local-bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: "/nonexistent",
      TINI_SUBREAPER: "1", // tini is not PID 1 here; as a subreaper it does the same job without warning
      // Env-only configuration, as in docker-compose.example.yml
      TRAKT_CLIENT_ID: "compose-client-id",
      TRAKT_CLIENT_SECRET: "compose-client-secret",
      PLEX_WEBHOOK_SECRET: "compose-webhook-secret-0123",
    };
  }, 120_000);
  afterAll(() => {
    app?.remove();
    if (volume) rmSync(volume, { recursive: true, force: true });
  });

  it("really runs the commands as an unprivileged user", async () => {
    const result = await runToEnd([process.execPath, "-e", "process.stdout.write(String(process.getuid()))"]);
    expect(result.code).toBe(0);
    expect(Number(result.stdout)).not.toBe(0);
    if (isRoot) expect(Number(result.stdout)).toBe(NOBODY);
  });

  it("entrypoint + `config check` works with env-only config", async () => {
    const result = await runToEnd([...entrypoint, "config", "check"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`# state dir: ${volume} ($TRAKT_SCROBBLERD_STATE_DIR)`);
    expect(result.stdout).toMatch(/# environment overrides: .*TRAKT_CLIENT_ID.*TRAKT_CLIENT_SECRET/);
    expect(result.stdout).toContain("clientId: compose-client-id");
    expect(result.stdout).toMatch(/server:\n {2}host: 0\.0\.0\.0\n {2}port: 7788\n/);
    expect(result.stdout).not.toContain("compose-client-secret");
    expect(result.stdout).not.toContain("compose-webhook-secret-0123");
  });

  it("entrypoint refuses bad env-only config with exit 2 and names the variable", async () => {
    const result = await runToEnd([...entrypoint, "config", "check"], { TRAKT_SCROBBLERD_PORT: "http" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environment variable TRAKT_SCROBBLERD_PORT: server.port: expected a number (integer 0–65535), got "http"');
  });

  describe("healthcheck command against a stand-in /healthz", () => {
    let server: Server;
    let status = 200;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === "/healthz" ? status : 404;
        res.end(res.statusCode === 200 ? "ok" : "no");
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.close();
      await once(server, "close");
    });

    it("exits 0 when /healthz answers 200 (0.0.0.0 in the image is checked on loopback)", async () => {
      status = 200;
      const result = await runToEnd(healthcheck, { TRAKT_SCROBBLERD_PORT: String(port) });
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    });

    it("exits 1 when /healthz answers 503", async () => {
      status = 503;
      const result = await runToEnd(healthcheck, { TRAKT_SCROBBLERD_PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`unhealthy: http://127.0.0.1:${port}/healthz answered 503`);
    });

    it("exits 1 when nothing listens", async () => {
      const closed = createServer();
      closed.listen(0, "127.0.0.1");
      await once(closed, "listening");
      const free = (closed.address() as AddressInfo).port;
      closed.close();
      await once(closed, "close");
      const result = await runToEnd(healthcheck, { TRAKT_SCROBBLERD_PORT: String(free) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("ECONNREFUSED");
    });
  });

  // The full image contract: ENTRYPOINT + CMD (`run`) comes up healthy by its own HEALTHCHECK and stops cleanly on
  // SIGTERM. Skipped (and says so) while `run` is not implemented.
  it("entrypoint + CMD starts the daemon, the healthcheck passes, SIGTERM stops it with exit 0", async () => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = String((probe.address() as AddressInfo).port);
    probe.close();
    await once(probe, "close");

    const daemon = start([...entrypoint, ...cmd], { TRAKT_SCROBBLERD_PORT: port, TRAKT_API_URL: "http://127.0.0.1:9" });
    let stderr = "";
    daemon.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    daemon.stdout.resume();
    const exited = once(daemon, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    let ended = false;
    void exited.then(() => (ended = true));
    try {
      let healthy = false;
      const deadline = Date.now() + 20_000;
      while (!ended && !healthy && Date.now() < deadline) {
        healthy = (await runToEnd(healthcheck, { TRAKT_SCROBBLERD_PORT: port })).code === 0;
      }
      expect(healthy, `daemon never became healthy; stderr:\n${stderr}`).toBe(true);
      daemon.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (!ended) daemon.kill("SIGKILL");
    }
  });
});
