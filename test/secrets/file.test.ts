import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSecretStore } from "../../src/secrets/file.js";
import { isSecretStoreError, type StoredAccount } from "../../src/secrets/store.js";
import { createLogger } from "../../src/util/log.js";

const here = path.dirname(fileURLToPath(import.meta.url));

function entry(gen: number, username = `user-${gen}`): StoredAccount {
  return {
    tokens: {
      access_token: `access-${gen}-aaaaaaaa`,
      refresh_token: `refresh-${gen}-rrrrrrrr`,
      token_type: "bearer",
      scope: "public",
      created_at: 1_700_000_000 + gen,
      expires_in: 86_400,
    },
    username,
    updatedAt: new Date(0).toISOString(),
  };
}

function captureLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ destination: stream, level: "debug" }) };
}

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "tsd-file-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe("FileSecretStore", () => {
  it("stores, lists, reads back and deletes per-account token sets", async () => {
    const store = new FileSecretStore(stateDir);
    expect(await store.get("default")).toBeNull();
    await store.set("default", entry(1));
    await store.set("alice", entry(2, "alice-t"));
    expect(await store.list()).toEqual(["alice", "default"]);
    expect(await store.get("alice")).toEqual(entry(2, "alice-t"));
    expect(await store.delete("alice")).toBe(true);
    expect(await store.delete("alice")).toBe(false);
    expect(await store.list()).toEqual(["default"]);
  });

  it("creates the directory 0700 and the file 0600 even with a permissive umask", async () => {
    const old = process.umask(0);
    try {
      const store = new FileSecretStore(stateDir);
      await store.set("default", entry(1));
      expect((await mode(store.dir)).toString(8)).toBe("700");
      expect((await mode(store.fileFor("default"))).toString(8)).toBe("600");
      await store.set("default", entry(2));
      expect((await mode(store.fileFor("default"))).toString(8)).toBe("600");
    } finally {
      process.umask(old);
    }
  });

  it("tightens an existing directory and file that others can read, and says so", async () => {
    const dir = path.join(stateDir, "secrets");
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, "default.json"), JSON.stringify(entry(1)), { mode: 0o644 });
    await chmod(path.join(dir, "default.json"), 0o644);
    const { lines, logger } = captureLogger();
    const store = new FileSecretStore(stateDir, logger);
    expect(await store.get("default")).toEqual(entry(1));
    expect((await mode(dir)).toString(8)).toBe("700");
    expect((await mode(path.join(dir, "default.json"))).toString(8)).toBe("600");
    const log = lines.join("");
    expect(log).toContain("tightened to 0700");
    expect(log).toContain("tightened to 0600");
  });

  it("refuses a corrupt file with a message that says what to do, and leaves it in place", async () => {
    const store = new FileSecretStore(stateDir);
    await store.set("default", entry(1));
    await writeFile(store.fileFor("default"), '{"tokens": {"access_token": "half');
    const error = await store.get("default").catch((e: unknown) => e);
    expect(isSecretStoreError(error, "corrupt")).toBe(true);
    expect((error as Error).message).toMatch(/not valid JSON; delete it and run `trakt-scrobblerd login`/);
    expect((error as Error).message).not.toContain("half");
    expect(await readFile(store.fileFor("default"), "utf8")).toContain("half");
  });

  it("rejects account names that could escape the directory", async () => {
    const store = new FileSecretStore(stateDir);
    for (const bad of ["../x", "a/b", "", ".hidden", "x".repeat(65)]) {
      await expect(store.set(bad, entry(1))).rejects.toSatisfy((e) => isSecretStoreError(e, "invalid_name"));
    }
  });

  const rounds = Number(process.env.ACCOUNTS_KILL_ROUNDS ?? "30");
  it(`a writer killed with SIGKILL at random moments (${rounds} times) leaves the old or the new token set`, async () => {
    // Three independent lanes (own state dirs) run at once to keep the wall time down; ACCOUNTS_KILL_ROUNDS
    // raises the number of kills for a longer run.
    const outcomes: string[] = [];
    let abandoned = 0;
    const lane = async (laneDir: string, laneRounds: number): Promise<void> => {
      const store = new FileSecretStore(laneDir);
      await store.set("default", entry(0));
      let lastGen = 0;
      for (let i = 0; i < laneRounds; i++) {
        const start = lastGen;
        const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures/torn-writer.ts"), laneDir, String(start)], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let confirmed = start;
        let firstAt = 0;
        let killScheduled = false;
        const killAfter = 2 + Math.floor(Math.random() * 3);
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, sig) => resolve(sig)));
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          for (const m of chunk.matchAll(/wrote (\d+)/g)) confirmed = Number(m[1]);
          if (firstAt === 0) firstAt = performance.now();
          if (confirmed - start >= killAfter && !killScheduled) {
            // Kill at a random point of the next write cycle (cycle length measured from the writes seen so far).
            killScheduled = true;
            const cycleMs = (performance.now() - firstAt) / Math.max(1, confirmed - start - 1);
            setTimeout(() => child.kill("SIGKILL"), Math.random() * cycleMs);
          }
        });
        expect(await exited).toBe("SIGKILL");
        const stored = await new FileSecretStore(laneDir).get("default");
        expect(stored).not.toBeNull();
        const gen = Number(/^access-(\d+)-/.exec(stored!.tokens.access_token)?.[1]);
        expect(stored!.tokens.refresh_token.startsWith(`refresh-${gen}-`)).toBe(true);
        expect(stored!.username).toBe(`user-${gen}`);
        // The last confirmed write, or the one in flight when the kill landed.
        expect([confirmed, confirmed + 1]).toContain(gen);
        outcomes.push(gen === confirmed ? "old" : "new");
        lastGen = gen;
      }
      expect(await store.list()).toEqual(["default"]);
      abandoned += (await readdir(store.dir)).filter((n) => n.endsWith(".tmp")).length;
    };
    const lanes = 3;
    await Promise.all(
      Array.from({ length: lanes }, (_, i) => lane(path.join(stateDir, `lane-${i}`), Math.ceil(rounds / lanes))),
    );
    console.log(`torn-write test: ${outcomes.length} kills, outcomes old=${outcomes.filter((o) => o === "old").length} new=${outcomes.filter((o) => o === "new").length}`);
    // Temp files a killed writer left show the kills landed inside writes (they are swept after 10 minutes).
    console.log(`torn-write test: ${abandoned} abandoned temp files (kills inside a write)`);
    expect(outcomes.length).toBeGreaterThanOrEqual(rounds);
  }, 120_000);
});
