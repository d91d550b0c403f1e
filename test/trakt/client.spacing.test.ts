// Write spacing and ordering through the real client and the emulator's real 1-write-per-second limit.
// Virtual time: the client's clock and sleep are fake, and every sleep also moves the emulator's clock.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulatorHarness, type Harness } from "../support/emulator.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("writes are spaced 1 s apart per account", () => {
  it("back-to-back writes wait 1 s each, reads do not, and the emulator never answers 429", async () => {
    let clock = 0;
    const sleeps: number[] = [];
    h = await startEmulatorHarness({
      emulator: { writeLimitMs: 1_000 },
      client: {
        writeSpacingMs: 1_000,
        now: () => clock,
        sleep: (ms) => {
          sleeps.push(ms);
          clock += ms;
          h.emulator.advanceTime(ms);
          return Promise.resolve();
        },
      },
    });
    h.tokens.set("bob", h.emulator.issueTokens("bob"));
    const movie = (progress: number) => ({ progress, movie: { ids: { trakt: 28 } } });

    const results = await Promise.all([
      h.client.scrobble(h.account, "start", movie(5)),
      h.client.scrobble(h.account, "pause", movie(10)),
      h.client.userSettings(h.account),
      h.client.scrobble("bob", "start", movie(5)),
      h.client.scrobble(h.account, "stop", movie(90)),
    ]);
    expect(results.map((r) => ("action" in r ? r.action : "read"))).toEqual(["start", "pause", "read", "start", "scrobble"]);
    expect(h.emulator.requests.every((r) => r.status < 400)).toBe(true);
    // alice: three writes → two waits of 1 s; bob's single write and the read never wait.
    expect(sleeps).toEqual([1_000, 1_000]);
    const aliceWrites = h.emulator.requests.filter((r) => r.user === "alice" && r.method === "POST").map((r) => r.path);
    expect(aliceWrites).toEqual(["/scrobble/start", "/scrobble/pause", "/scrobble/stop"]); // order kept
  });
});
