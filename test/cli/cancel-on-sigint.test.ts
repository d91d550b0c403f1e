// Ctrl-C during a login (Trakt device code, Plex PIN, Jellyfin/Emby): one helper for all three commands.
import { afterEach, describe, expect, it } from "vitest";
import { cancelOnSigint } from "../../src/cli/cancel-on-sigint.js";

const output = () => {
  let text = "";
  return { write: (t: string) => (text += t), text: () => text };
};
/** A login that waits until it is cancelled. */
const waitForCancel = (signal: AbortSignal): Promise<string> =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));

afterEach(() => {
  process.exitCode = undefined;
});

describe("cancelOnSigint", () => {
  it("SIGINT cancels the login: it says so, exit code 130, and its listener is gone afterwards", async () => {
    const listeners = process.listenerCount("SIGINT");
    const out = output();
    const outcome = cancelOnSigint(out, waitForCancel);
    expect(process.listenerCount("SIGINT")).toBe(listeners + 1);
    process.emit("SIGINT");
    await expect(outcome).resolves.toEqual({ cancelled: true });
    expect(out.text()).toBe("\nLogin cancelled; nothing was stored.\n");
    expect(process.exitCode).toBe(130);
    expect(process.listenerCount("SIGINT")).toBe(listeners);
  });

  it("a finished login hands back its value; a failed one throws its own error, and neither says 'cancelled'", async () => {
    const out = output();
    await expect(cancelOnSigint(out, () => Promise.resolve("token-1"))).resolves.toEqual({ cancelled: false, value: "token-1" });
    await expect(cancelOnSigint(out, () => Promise.reject(new Error("login denied on Trakt")))).rejects.toThrow("login denied on Trakt");
    expect(out.text()).toBe("");
    expect(process.exitCode).toBeUndefined();
  });
});
