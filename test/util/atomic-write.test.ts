import { mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fsyncDir, removeStaleTempFiles, writeFileAtomic } from "../../src/util/atomic-write.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "atomic-write-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("creates a private file, replaces it, and leaves no temp file", async () => {
    const file = path.join(dir, "state.json");
    await writeFileAtomic(file, "one");
    expect(await readFile(file, "utf8")).toBe("one");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(file, "two");
    expect(await readFile(file, "utf8")).toBe("two");
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("writes content given in pieces, in order", async () => {
    const file = path.join(dir, "journal.jsonl");
    function* pieces(): Generator<string> {
      for (let n = 0; n < 3; n++) yield `line ${n}\n`;
    }
    await writeFileAtomic(file, pieces(), { mode: 0o640 });
    expect(await readFile(file, "utf8")).toBe("line 0\nline 1\nline 2\n");
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it("replaces a symlink at the target with a file and never writes through it", async () => {
    const elsewhere = path.join(dir, "elsewhere");
    await writeFile(elsewhere, "untouched");
    const file = path.join(dir, "link");
    await symlink(elsewhere, file);
    await writeFileAtomic(file, "new");
    expect(await readFile(elsewhere, "utf8")).toBe("untouched");
    expect((await stat(file)).isFile()).toBe(true);
    expect(await readFile(file, "utf8")).toBe("new");
  });

  it("leaves the old content and no temp file when the new content cannot be produced", async () => {
    const file = path.join(dir, "state.json");
    await writeFileAtomic(file, "old");
    function* failing(): Generator<string> {
      yield "half";
      throw new Error("snapshot failed");
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow("snapshot failed");
    expect(await readFile(file, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("fails clearly when the directory does not exist", async () => {
    await expect(writeFileAtomic(path.join(dir, "missing", "f"), "x")).rejects.toThrow(/ENOENT/);
  });
});

describe("fsyncDir", () => {
  it("syncs an existing directory and reports a missing one", async () => {
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
    await expect(fsyncDir(path.join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });
});

describe("removeStaleTempFiles", () => {
  it("removes only hidden .tmp files older than the limit", async () => {
    const old = path.join(dir, ".a.json.1.abc.tmp");
    const fresh = path.join(dir, ".b.json.1.def.tmp");
    await writeFile(old, "");
    await writeFile(fresh, "");
    await writeFile(path.join(dir, "visible.tmp"), "");
    await writeFile(path.join(dir, ".hidden"), "");
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(old, hourAgo, hourAgo);
    await removeStaleTempFiles(dir, 10 * 60_000);
    expect((await readdir(dir)).sort()).toEqual([".b.json.1.def.tmp", ".hidden", "visible.tmp"]);
    await removeStaleTempFiles(dir, 0);
    expect((await readdir(dir)).sort()).toEqual([".hidden", "visible.tmp"]);
    await expect(removeStaleTempFiles(path.join(dir, "missing"))).resolves.toBeUndefined();
  });
});
