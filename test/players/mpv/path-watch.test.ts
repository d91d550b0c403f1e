// SocketPathWatcher on the real file system: which events reach the adapter, and when it must fall back to polling.
import { watch } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SocketPathWatcher } from "../../../src/players/mpv/path-watch.js";

let root: string;
const watchers: SocketPathWatcher[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "mpv-path-watch-"));
});

afterEach(async () => {
  for (const w of watchers.splice(0)) w.close();
  for (const s of servers.splice(0)) if (s.listening) await new Promise((resolve) => s.close(resolve));
  await rm(root, { recursive: true, force: true });
});

function watcher(path: string): { watcher: SocketPathWatcher; events: () => number; lost: Promise<string> } {
  let count = 0;
  let onLost!: (reason: string) => void;
  const lost = new Promise<string>((resolve) => (onLost = resolve));
  const w = new SocketPathWatcher({
    path,
    onEvent: () => (count += 1),
    onLost,
  });
  watchers.push(w);
  return { watcher: w, events: () => count, lost };
}

async function listen(path: string): Promise<Server> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

describe("SocketPathWatcher", () => {
  it("reports the socket being created and removed, and nothing for other files in the directory", async () => {
    const socket = join(root, "mpv.sock");
    const w = watcher(socket);
    expect(w.watcher.start()).toBeUndefined();
    expect(w.watcher.active).toBe(true);
    // A plain watch of the same directory sees every event, in the same order and the same loop turn.
    const seen: string[] = [];
    let removed!: () => void;
    const socketRemoved = new Promise<void>((resolve) => (removed = resolve));
    const reference = watch(root, (_event, name) => {
      seen.push(String(name));
      if (name === "mpv.sock" && seen.filter((n) => n === "mpv.sock").length === 2) removed();
    });
    await writeFile(join(root, "other.txt"), "x");
    await rm(await mkdtemp(join(root, "sub-")), { recursive: true });
    const server = await listen(socket);
    await new Promise((resolve) => server.close(resolve)); // Node removes its socket file on close
    await socketRemoved;
    reference.close();
    expect(seen.length).toBeGreaterThan(2);
    expect(w.events()).toBe(2);
  });

  it("cannot watch a directory that does not exist, nor a Windows named pipe: the caller polls", () => {
    expect(watcher(join(root, "missing", "mpv.sock")).watcher.start()).toMatch(/cannot watch .*missing: ENOENT/);
    expect(watcher("\\\\.\\pipe\\mpvsocket").watcher.start()).toBe("a named pipe cannot be watched");
  });

  it("says when its directory goes away (the watch is dead from then on)", async () => {
    const dir = join(root, "sockets");
    await mkdir(dir);
    const w = watcher(join(dir, "mpv.sock"));
    expect(w.watcher.start()).toBeUndefined();
    await rm(dir, { recursive: true });
    expect(await w.lost).toContain("removed or renamed");
    expect(w.watcher.active).toBe(false);
  });
});
