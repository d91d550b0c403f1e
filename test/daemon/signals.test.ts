import { afterEach, describe, expect, it } from "vitest";
import { installSignalHandlers } from "../../src/daemon/signals.js";
import { silentLogger } from "../../src/util/log.js";

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("signal handling", () => {
  it("shuts down once on the first SIGTERM and exits 0 when that is done", async () => {
    const exits: number[] = [];
    const shutdownDone = deferred();
    let shutdowns = 0;
    const exited = new Promise<void>((resolve) => {
      uninstall = installSignalHandlers(
        {
          shutdown: async () => {
            shutdowns += 1;
            await shutdownDone.promise;
          },
          exit: (code) => {
            exits.push(code);
            resolve();
          },
        },
        silentLogger(),
      );
    });
    process.emit("SIGTERM", "SIGTERM");
    expect(shutdowns).toBe(1);
    expect(exits).toEqual([]);
    shutdownDone.resolve();
    await exited;
    expect(exits).toEqual([0]);
  });

  it("forces the exit with 128 + the signal number on a second signal", () => {
    const exits: number[] = [];
    uninstall = installSignalHandlers({ shutdown: () => new Promise(() => undefined), exit: (code) => exits.push(code) }, silentLogger());
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGINT", "SIGINT");
    expect(exits).toEqual([130]);
    process.emit("SIGTERM", "SIGTERM");
    expect(exits).toEqual([130, 143]);
  });

  it("exits 1 when the shutdown itself fails, and reloads on SIGHUP", async () => {
    let reloads = 0;
    const exited = new Promise<number>((resolve) => {
      uninstall = installSignalHandlers(
        { shutdown: () => Promise.reject(new Error("disk gone")), reload: () => (reloads += 1), exit: resolve },
        silentLogger(),
      );
    });
    process.emit("SIGHUP", "SIGHUP");
    expect(reloads).toBe(1);
    process.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(1);
  });
});
