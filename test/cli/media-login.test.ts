// `jellyfin login` / `emby login` in-process against the fake server, with an in-memory token store.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { mediaServerLogin } from "../../src/cli/actions/media-login.js";
import type { ServerTokenKey, ServerTokenStore, StoredServerToken } from "../../src/secrets/server-tokens.js";
import { FakeMediaServer, type Dialect } from "../players/mediabrowser/fake-server.js";

class MemoryTokens implements ServerTokenStore {
  readonly entries = new Map<string, StoredServerToken>();
  get(key: ServerTokenKey): Promise<StoredServerToken | undefined> {
    return Promise.resolve(this.entries.get(`${key.kind}:${key.server}`));
  }
  set(key: ServerTokenKey, entry: StoredServerToken): Promise<void> {
    this.entries.set(`${key.kind}:${key.server}`, entry);
    return Promise.resolve();
  }
  delete(key: ServerTokenKey): Promise<boolean> {
    return Promise.resolve(this.entries.delete(`${key.kind}:${key.server}`));
  }
}

let dir: string;
let server: FakeMediaServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "media-login-"));
});

afterEach(async () => {
  process.exitCode = undefined;
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function setup(dialect: Dialect, section: Record<string, unknown> = {}, version?: string) {
  server = await FakeMediaServer.start({ dialect, ...(version ? { version } : {}) });
  const admin = server.addUser("foxx", { admin: true, password: "s3cret pass" });
  const config = join(dir, "config.yaml");
  await writeFile(config, stringify({ [dialect]: { url: server.url, ...section } }));
  const store = new MemoryTokens();
  const out: string[] = [];
  const err: string[] = [];
  const errStream = new (await import("node:stream")).Writable({ write: (chunk: Buffer, _e, done) => (err.push(chunk.toString()), done()) });
  const login = (opts: Parameters<typeof mediaServerLogin>[2], input: string[] = [], onOut?: (text: string) => void) =>
    mediaServerLogin(dialect, { config, stateDir: join(dir, "state") }, opts, {
      serverTokens: () => Promise.resolve(store),
      out: { write: (text: string) => (out.push(text), onOut?.(text)) },
      err: errStream,
      input: Readable.from(input),
      pollMs: 20,
    });
  return { server, admin, store, out, err, login };
}

describe.each<Dialect>(["jellyfin", "emby"])("%s login", (dialect) => {
  it("by user name and a password from stdin: stores the token, the user and a DeviceId of its own", async () => {
    const t = await setup(dialect);
    await t.login({ user: "foxx", passwordStdin: true }, ["s3cret pass\n"]);
    expect(t.err.join("")).toBe("");
    const stored = t.store.entries.get(`${dialect}:default`)!;
    expect(stored).toMatchObject({ user: "foxx", deviceId: expect.stringMatching(/^trakt-scrobblerd-[0-9a-f-]{36}$/) });
    expect(t.server.valid(stored.token)).toBe(true);
    expect(t.out.join("")).toContain(`Logged in to ${dialect === "jellyfin" ? "Jellyfin" : "Emby"} as foxx (administrator)`);
    expect(t.out.join("")).not.toContain(stored.token);
  });

  it("a second login reuses the DeviceId: it replaces the daemon's own older token, and only that", async () => {
    const t = await setup(dialect);
    const browser = t.server.userToken(t.admin, "Mozilla-device");
    await t.login({ user: "foxx", passwordStdin: true }, ["s3cret pass\n"]);
    const first = t.store.entries.get(`${dialect}:default`)!;
    await t.login({ user: "foxx", passwordStdin: true }, ["s3cret pass\n"]);
    const second = t.store.entries.get(`${dialect}:default`)!;
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.token).not.toBe(first.token);
    expect(t.server.valid(first.token)).toBe(false);
    expect(t.server.valid(second.token)).toBe(true);
    expect(t.server.valid(browser)).toBe(true);
  });

  it("a wrong password: one clear error, nothing stored", async () => {
    const t = await setup(dialect);
    await t.login({ user: "foxx", passwordStdin: true }, ["wrong\n"]);
    expect(process.exitCode).toBe(1);
    expect(t.err.join("")).toMatch(/refused the login of foxx \(HTTP 401\): wrong user name or password/);
    expect(t.store.entries.size).toBe(0);
  });

  it("without a terminal and without --password-stdin it says what to use", async () => {
    const t = await setup(dialect);
    await t.login({ user: "foxx" });
    expect(t.err.join("")).toMatch(/no terminal to ask the password on: use --password-stdin/);
  });

  it("without a URL it says what to set", async () => {
    const t = await setup(dialect);
    await writeFile(join(dir, "config.yaml"), "{}\n");
    await t.login({ user: "foxx", passwordStdin: true }, ["x\n"]);
    expect(t.err.join("")).toMatch(new RegExp(`${dialect}\\.url is not set`));
  });
});

describe("jellyfin login by Quick Connect", () => {
  it("shows the code, waits for the approval, stores the token", async () => {
    const t = await setup("jellyfin");
    await t.login({}, [], (text) => {
      const code = /^\s+(\d{6})$/m.exec(text)?.[1];
      if (code) t.server.approveQuickConnect(code, t.admin);
    });
    expect(t.err.join("")).toBe("");
    const stored = t.store.entries.get("jellyfin:default")!;
    expect(t.server.valid(stored.token)).toBe(true);
    expect(stored.user).toBe("foxx");
  });

  it("warns a non-administrator on 10.10 that the sessions feed will not come", async () => {
    const t = await setup("jellyfin", {}, "10.10.3");
    t.server.addUser("kid", { password: "pw" });
    await t.login({ user: "kid", passwordStdin: true }, ["pw\n"]);
    expect(t.out.join("")).toMatch(/Warning: Jellyfin 10\.9–10\.10 sends the live sessions feed to administrators only, and kid is not one/);
  });

  it("emby has no Quick Connect", async () => {
    const t = await setup("emby");
    await t.login({ quickConnect: true });
    expect(t.err.join("")).toMatch(/Emby has no Quick Connect: log in with --user/);
  });
});
