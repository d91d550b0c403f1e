// The HTTP server's password: none on loopback, server.token when set, else generated once, kept 0600 in the state
// directory, logged once, and read back by clients (`status`, `doctor`).
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SERVER_TOKEN_FILE, clientServerToken, readServerTokenFile } from "../../src/config/server-address.js";
import { serverToken } from "../../src/daemon/server-token.js";
import { createLogger } from "../../src/util/log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsd-token-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  let out = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { log: createLogger({ level: "info", destination }), text: () => out };
}

describe("serverToken", () => {
  it("asks for none on loopback", async () => {
    const { log } = capture();
    expect(await serverToken({ host: "127.0.0.1", port: 7788 }, dir, log)).toEqual({ token: undefined, from: "none" });
    expect(readServerTokenFile(dir)).toBeUndefined();
  });

  it("generates one beyond loopback: stored 0600, shown in the log once, the same on the next start", async () => {
    const first = capture();
    const generated = await serverToken({ host: "0.0.0.0", port: 7788 }, dir, first.log);
    expect(generated.from).toBe("generated");
    expect(generated.token).toMatch(/^[\w-]{32}$/);
    const file = join(dir, SERVER_TOKEN_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).trim()).toBe(generated.token);
    expect(first.text()).toContain(generated.token!);

    const second = capture();
    expect(await serverToken({ host: "0.0.0.0", port: 7788 }, dir, second.log)).toEqual({ token: generated.token, from: "file" });
    // Registered as a secret: from now on every log line scrubs it.
    second.log.info(`the token is ${generated.token}`);
    expect(second.text()).not.toContain(generated.token!);
    expect(clientServerToken({}, { stateDir: dir })).toBe(generated.token);
    expect(clientServerToken({ TRAKT_SCROBBLERD_STATE_DIR: dir })).toBe(generated.token);
  });

  it("uses server.token when set (on loopback too), and clients prefer the environment's", async () => {
    const { log } = capture();
    expect(await serverToken({ host: "0.0.0.0", port: 7788, token: "my-own-password-123" }, dir, log)).toEqual({ token: "my-own-password-123", from: "config" });
    expect(await serverToken({ host: "127.0.0.1", port: 7788, token: "my-own-password-123" }, dir, log)).toEqual({ token: "my-own-password-123", from: "config" });
    expect(readServerTokenFile(dir)).toBeUndefined();
    await writeFile(join(dir, SERVER_TOKEN_FILE), "from-file-0123456789\n");
    expect(clientServerToken({ TRAKT_SCROBBLERD_SERVER_TOKEN: "from-env-0123456789" }, { configToken: "cfg", stateDir: dir })).toBe("from-env-0123456789");
    expect(clientServerToken({}, { configToken: "from-config-0123", stateDir: dir })).toBe("from-config-0123");
    expect(clientServerToken({}, { stateDir: dir })).toBe("from-file-0123456789");
  });
});
