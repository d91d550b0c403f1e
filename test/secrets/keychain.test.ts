import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeychainSecretStore, loadKeytar, type KeytarLike } from "../../src/secrets/keychain.js";
import { openSecretStore } from "../../src/secrets/select.js";
import { isSecretStoreError, type StoredAccount } from "../../src/secrets/store.js";
import { createLogger } from "../../src/util/log.js";
import { FakeKeytar } from "../support/fake-keytar.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

const entry: StoredAccount = {
  tokens: { access_token: "fake-access-1", refresh_token: "fake-refresh-1", token_type: "bearer", scope: "public", created_at: 1_700_000_000, expires_in: 86_400 },
  updatedAt: new Date(0).toISOString(),
};

function captureLogger(): { text: () => string; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { text: () => lines.join(""), logger: createLogger({ destination: stream, level: "debug" }) };
}

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "tsd-kc-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe("secret store selection (keytar stand-in)", () => {
  it("auto picks the keychain when it answers the probe, and keeps tokens out of the state dir", async () => {
    const keytar = new FakeKeytar();
    const store = await openSecretStore({ mode: "auto", stateDir, loadKeytar: () => Promise.resolve(keytar) });
    expect(store.kind).toBe("keychain");
    await store.set("alice", entry);
    expect(await store.get("alice")).toEqual(entry);
    expect([...keytar.data.keys()]).toEqual(["trakt-scrobblerd/alice"]);
    expect(await store.backendOf("alice")).toBe("keychain");
  });

  it("a locked keychain's null for a stored account is 'locked', not 'logged out'", async () => {
    const keytar = new FakeKeytar();
    const store = new KeychainSecretStore(keytar, { stateDir });
    await store.set("alice", entry);
    keytar.mode = "locked";
    await expect(store.get("alice")).rejects.toSatisfy((e) => isSecretStoreError(e, "locked"));
    expect(await store.get("never-stored")).toBeNull();
  });

  it("a keychain that never answers: probe times out, auto falls back to the file store with the reason logged", async () => {
    const keytar = new FakeKeytar();
    keytar.mode = "hang";
    const { text, logger } = captureLogger();
    const store = await openSecretStore({ mode: "auto", stateDir, logger, keychainTimeoutMs: 50, loadKeytar: () => Promise.resolve(keytar) });
    expect(store.kind).toBe("file");
    expect(text()).toContain("no answer within 50 ms");
    await store.set("bob", entry);
    expect(await store.backendOf("bob")).toBe("file");
    expect(await store.get("bob")).toEqual(entry);
    expect(keytar.calls).toBe(1); // only the probe's first call; nothing else queued on a hung D-Bus
  });

  it("after one hung call the keychain store refuses further calls instead of piling them onto the thread pool", async () => {
    const keytar = new FakeKeytar();
    const store = new KeychainSecretStore(keytar, { stateDir, timeoutMs: 30 });
    await store.set("alice", entry);
    keytar.mode = "hang";
    await expect(store.get("alice")).rejects.toSatisfy((e) => isSecretStoreError(e, "unavailable"));
    const callsAfterHang = keytar.calls;
    await expect(store.get("alice")).rejects.toSatisfy((e) => isSecretStoreError(e, "locked"));
    expect(keytar.calls).toBe(callsAfterHang);
  });

  it("auto without keytar uses the file store and says why; explicit keychain without keytar is a clear error", async () => {
    const missing = () => loadKeytarFrom("definitely-not-installed-keytar");
    const { text, logger } = captureLogger();
    const store = await openSecretStore({ mode: "auto", stateDir, logger, loadKeytar: missing });
    expect(store.kind).toBe("file");
    expect(text()).toContain("tokens go to the file store");
    await expect(openSecretStore({ mode: "keychain", stateDir, loadKeytar: missing })).rejects.toThrow(/set secrets.store: file/);
  });

  it("auto routes per account: an account already in the file store stays there when the keychain appears", async () => {
    const { FileSecretStore } = await import("../../src/secrets/file.js");
    await new FileSecretStore(stateDir).set("old", entry);
    const keytar = new FakeKeytar();
    const store = await openSecretStore({ mode: "auto", stateDir, loadKeytar: () => Promise.resolve(keytar) });
    expect(store.kind).toBe("keychain");
    expect(await store.backendOf("old")).toBe("file");
    await store.set("old", { ...entry, username: "renewed" });
    await store.set("new", entry);
    expect([...keytar.data.keys()]).toEqual(["trakt-scrobblerd/new"]);
    expect((await new FileSecretStore(stateDir).get("old"))?.username).toBe("renewed");
    expect(await store.list()).toEqual(["new", "old"]);
    expect(await store.delete("new")).toBe(true);
    expect(keytar.data.size).toBe(0);
  });

  it("explicit keychain mode with a locked keyring reports stored accounts as locked and never writes a file", async () => {
    const keytar = new FakeKeytar();
    await new KeychainSecretStore(keytar, { stateDir }).set("alice", entry);
    keytar.mode = "locked";
    const { text, logger } = captureLogger();
    const store = await openSecretStore({ mode: "keychain", stateDir, logger, loadKeytar: () => Promise.resolve(keytar) });
    expect(store.kind).toBe("keychain");
    expect(text()).toContain("accounts stored there report 'locked'");
    await expect(store.get("alice")).rejects.toSatisfy((e) => isSecretStoreError(e, "locked"));
    await expect(store.set("bob", entry)).rejects.toSatisfy((e) => isSecretStoreError(e, "locked"));
    const { FileSecretStore } = await import("../../src/secrets/file.js");
    expect(await new FileSecretStore(stateDir).list()).toEqual([]);
  });

  it("file mode never touches the keychain", async () => {
    const keytar = new FakeKeytar();
    const store = await openSecretStore({ mode: "file", stateDir, loadKeytar: () => Promise.resolve(keytar) });
    await store.set("alice", entry);
    expect(keytar.calls).toBe(0);
    expect(store.kind).toBe("file");
  });
});

async function loadKeytarFrom(specifier: string): Promise<KeytarLike> {
  const { SecretStoreError } = await import("../../src/secrets/store.js");
  try {
    return (await import(specifier)) as KeytarLike;
  } catch (error) {
    throw new SecretStoreError("unavailable", `keytar is not installed (${(error as Error).message})`);
  }
}

async function realKeychainSkipReason(): Promise<string | undefined> {
  try {
    await loadKeytar();
  } catch (error) {
    return `keytar not installed/built: ${(error as Error).message}`;
  }
  for (const bin of ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"]) {
    try {
      await run("sh", ["-c", `command -v ${bin}`]);
    } catch {
      return `${bin} not found (Debian packages dbus, gnome-keyring)`;
    }
  }
  return undefined;
}

const skipReason = await realKeychainSkipReason();
if (skipReason) console.log(`SKIPPED: real keychain test: ${skipReason}`);

describe("keychain backend against a real gnome-keyring under dbus-run-session", () => {
  it.skipIf(skipReason !== undefined)("stores, reads, deletes, and reports a locked keyring as locked", async () => {
    const home = path.join(stateDir, "home");
    const runtime = path.join(stateDir, "run");
    await mkdir(home, { recursive: true });
    await mkdir(runtime, { recursive: true, mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, ".local/share"), XDG_RUNTIME_DIR: runtime, DISPLAY: "" };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const { stdout } = await run("dbus-run-session", ["--", process.execPath, "--import", "tsx", path.join(here, "fixtures/keychain-harness.ts"), path.join(stateDir, "state")], {
      env,
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`harness failed: ${error.stdout ?? ""}\n${error.stderr ?? ""}`);
    });
    const results = new Map<string, unknown>();
    for (const m of stdout.matchAll(/^RESULT (.*)$/gm)) {
      const r = JSON.parse(m[1]!) as { step: string; value: unknown };
      results.set(r.step, r.value);
    }
    expect(results.get("error")).toBeUndefined();
    expect(results.get("auto-kind")).toBe("keychain");
    expect(results.get("get-alice")).toMatchObject({ tokens: { access_token: "kc-access-1" }, username: "kc-user" });
    expect(results.get("list")).toEqual(["alice", "bob"]);
    expect(results.get("backend-alice")).toBe("keychain");
    expect(results.get("token-files")).toEqual([]);
    expect(results.get("delete-bob")).toBe(true);
    expect(results.get("get-bob-after-delete")).toBeNull();
    expect(results.get("get-unknown")).toBeNull();
    expect(results.get("server-get")).toEqual({ token: "kc-plex-token-1", deviceId: "dev-1", updatedAt: new Date(0).toISOString() });
    expect(results.get("server-files")).toEqual([]);
    expect(results.get("list-with-server")).toEqual(["alice"]);
    expect(results.get("server-get-locked")).toMatchObject({ ok: false, locked: true });
    expect(results.get("get-alice-locked")).toMatchObject({ ok: false, locked: true });
    expect(results.get("get-unknown-locked")).toEqual({ v: null });
    expect(results.get("state-alice-locked")).toBe("locked");
    expect(results.get("restart-state-alice")).toBe("locked");
    expect(results.get("restart-locked-kind")).toBe("file");
    expect(results.get("restart-locked-description")).toMatch(/locked/);
    expect(results.get("restart-get-alice")).toMatchObject({ ok: false, locked: true });
    expect(results.get("restart-list")).toEqual(["alice"]);
    expect(results.get("done")).toBe(true);
  });
});

describe("a session bus that accepts but never answers", () => {
  it.skipIf(skipReason !== undefined)("`accounts` falls back to the file store after the probe timeout and exits by itself", async () => {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ["--import", "tsx", path.join(here, "fixtures/hung-dbus-accounts.ts"), stateDir], {
      timeout: 25_000,
      env: { ...process.env, DISPLAY: "" },
    });
    expect(stdout).toMatch(/Tokens: file store \(secrets.store: auto; OS keychain did not pass the probe: no answer within 3000 ms/);
    expect(stdout).toMatch(/default\s+-\s+needs login/);
    console.log(`hung D-Bus: accounts exited after ${Math.round(performance.now() - started)} ms`);
  });
});
