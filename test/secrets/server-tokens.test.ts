// The media-server token store (`plex login`, `jellyfin login`) on both backends: a private file per server beside
// the Trakt tokens, or the OS keychain (a stand-in for keytar here; the real gnome-keyring run is in
// keychain.test.ts), chosen by secrets.store like the accounts.
import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../../src/compose/app.js";
import { defaultConfig } from "../../src/config/schema.js";
import { openSecretStore } from "../../src/secrets/select.js";
import { FileServerTokenStore, serverTokenName } from "../../src/secrets/server-token-stores.js";
import type { StoredServerToken } from "../../src/secrets/server-tokens.js";
import { isSecretStoreError } from "../../src/secrets/store.js";
import { silentLogger } from "../../src/util/log.js";
import { FakeKeytar } from "../support/fake-keytar.js";

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "server-tokens-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const home = { kind: "plex", server: "home" } as const;
const entry: StoredServerToken = { token: "plex-owner-token-123", user: "melissar26", deviceId: "3f9c-device", updatedAt: new Date(0).toISOString() };

const withKeytar = (keytar: FakeKeytar, mode: "auto" | "keychain" = "auto", keychainTimeoutMs = 200) =>
  openSecretStore({ mode, stateDir, loadKeytar: () => Promise.resolve(keytar), keychainTimeoutMs });

describe("media-server tokens in the file store", () => {
  it("keeps each server's token in a 0600 file of a 0700 folder, which `accounts` does not list", async () => {
    const store = await openSecretStore({ mode: "file", stateDir });
    expect(await store.serverTokens.get(home)).toBeUndefined();
    await store.serverTokens.set(home, entry);
    expect(await store.serverTokens.get(home)).toEqual(entry);
    const file = path.join(stateDir, "secrets", "servers", "plex.home.json");
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
    expect((await lstat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await store.list()).toEqual([]);
    // Another kind with the same server name is another token.
    expect(await store.serverTokens.get({ kind: "jellyfin", server: "home" })).toBeUndefined();
    await store.serverTokens.set(home, { ...entry, token: "plex-owner-token-456" });
    expect((await store.serverTokens.get(home))?.token).toBe("plex-owner-token-456");
    expect(await store.serverTokens.delete(home)).toBe(true);
    expect(await store.serverTokens.delete(home)).toBe(false);
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  it("refuses names that are not safe file names, a corrupt file (without quoting it) and a planted symlink", async () => {
    const store = new FileServerTokenStore(stateDir);
    expect(() => serverTokenName({ kind: "plex", server: "../etc" })).toThrow(/invalid server name/);
    expect(() => serverTokenName({ kind: "kodi" as "plex", server: "home" })).toThrow(/unknown media server kind/);
    await store.set(home, entry);
    await writeFile(store.fileFor(home), '{"token": "half-a-secret", ');
    const corrupt = await store.get(home).catch((e: unknown) => e);
    expect(isSecretStoreError(corrupt, "corrupt")).toBe(true);
    expect((corrupt as Error).message).toContain("trakt-scrobblerd plex login --server home");
    expect((corrupt as Error).message).not.toContain("half-a-secret");
    await rm(store.fileFor(home));
    const elsewhere = path.join(stateDir, "elsewhere.json");
    await writeFile(elsewhere, JSON.stringify(entry));
    await symlink(elsewhere, store.fileFor(home));
    await expect(store.get(home)).rejects.toThrow(/not a regular file|symbolic link/);
  });
});

describe("the composition root", () => {
  it("hands out the secret store's media-server tokens (what `plex login` writes is what the daemon reads)", async () => {
    const config = defaultConfig();
    config.secrets.store = "file";
    const app = new App({ config, stateDir, log: silentLogger() });
    await (await app.serverTokens()).set(home, entry);
    expect(await (await app.secretStore()).serverTokens.get(home)).toEqual(entry);
    expect(await new FileServerTokenStore(stateDir).get(home)).toEqual(entry);
  });
});

describe("media-server tokens in the keychain", () => {
  it("auto with a keychain that answers: the token goes there, nothing in the state dir but the marker", async () => {
    const keytar = new FakeKeytar();
    const store = await withKeytar(keytar);
    await store.serverTokens.set(home, entry);
    expect(await store.serverTokens.get(home)).toEqual(entry);
    expect([...keytar.data.keys()].filter((k) => k.includes("server:"))).toEqual(["trakt-scrobblerd/server:plex:home"]);
    expect(await readdir(path.join(stateDir, "secrets"))).toEqual([".keychain-servers.json"]);
    expect(await readFile(path.join(stateDir, "secrets", ".keychain-servers.json"), "utf8")).not.toContain(entry.token);
    expect(await store.serverTokens.delete(home)).toBe(true);
    expect(await store.serverTokens.get(home)).toBeUndefined();
  });

  it("a locked keyring's empty answer for a stored token is 'locked', never 'no token'", async () => {
    const keytar = new FakeKeytar();
    const store = await withKeytar(keytar, "keychain");
    await store.serverTokens.set(home, entry);
    keytar.mode = "locked";
    const error = await store.serverTokens.get(home).catch((e: unknown) => e);
    expect(isSecretStoreError(error, "locked")).toBe(true);
    expect((error as Error).message).toMatch(/plex token for server "home" is in the OS keychain/);
    expect(await store.serverTokens.get({ kind: "plex", server: "other" })).toBeUndefined();
  });

  it("a damaged marker file is a clear error naming the file, never an empty list that hides stored tokens", async () => {
    const keytar = new FakeKeytar();
    const store = await withKeytar(keytar, "keychain");
    await store.serverTokens.set(home, entry);
    const marker = path.join(stateDir, "secrets", ".keychain-servers.json");
    for (const [damage, says] of [["{ half", "is not valid JSON"], ['{"service":"x","servers":[1]}', "does not list"]] as const) {
      await writeFile(marker, damage);
      const error = await store.serverTokens.get(home).catch((e: unknown) => e);
      expect(isSecretStoreError(error, "corrupt")).toBe(true);
      expect((error as Error).message).toContain(marker);
      expect((error as Error).message).toContain(says);
      expect((error as Error).message).toContain("media-server tokens");
    }
  });

  it("a keychain that hung once is not called again (the account store's state is shared)", async () => {
    const keytar = new FakeKeytar();
    const store = await withKeytar(keytar, "keychain");
    await store.serverTokens.set(home, entry);
    keytar.mode = "hang";
    await expect(store.serverTokens.get(home)).rejects.toThrow(/did not answer/);
    expect(store.keychainHung()).toBe(true);
    await expect(store.serverTokens.get(home)).rejects.toThrow(/cannot be read/);
  });

  it("auto keeps a token already in the file store there when the keychain appears", async () => {
    const fileOnly = await openSecretStore({ mode: "file", stateDir });
    await fileOnly.serverTokens.set(home, entry);
    const keytar = new FakeKeytar();
    const auto = await withKeytar(keytar);
    await auto.serverTokens.set(home, { ...entry, token: "plex-owner-token-789" });
    expect((await auto.serverTokens.get(home))?.token).toBe("plex-owner-token-789");
    expect([...keytar.data.keys()].some((k) => k.includes("server:"))).toBe(false);
  });
});
