import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdapterStatus, PlayerAdapter } from "../../src/players/adapter.js";
import { Supervisor } from "../../src/daemon/supervisor.js";
import { silentLogger } from "../../src/util/log.js";

class FlakyAdapter implements PlayerAdapter {
  starts = 0;
  stops = 0;
  constructor(
    readonly name: string,
    private failures: number,
  ) {}
  start(): Promise<void> {
    this.starts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error(`${this.name} is not reachable`));
    }
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stops += 1;
    return Promise.resolve();
  }
  status(): AdapterStatus[] {
    return [{ name: this.name, kind: "mpv", state: "connected" }];
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Supervisor", () => {
  it("keeps retrying a failing adapter with backoff while the others run", async () => {
    vi.useFakeTimers();
    const supervisor = new Supervisor(silentLogger(), { initialDelayMs: 1_000, maxDelayMs: 8_000 });
    const good = new FlakyAdapter("mpv", 0);
    const bad = new FlakyAdapter("kodi:living-room", 3);
    await supervisor.add(good);
    await supervisor.add(bad);
    expect(supervisor.status().find((s) => s.name === "kodi:living-room")).toMatchObject({ state: "failed", detail: "kodi:living-room is not reachable" });
    expect(good.starts).toBe(1);
    await vi.advanceTimersByTimeAsync(1_300); // first retry after ~1 s
    expect(bad.starts).toBe(2);
    await vi.advanceTimersByTimeAsync(2_500); // then ~2 s
    expect(bad.starts).toBe(3);
    await vi.advanceTimersByTimeAsync(5_000); // then ~4 s: succeeds
    expect(bad.starts).toBe(4);
    expect(supervisor.status().map((s) => s.state)).toEqual(["connected", "connected"]);
    await supervisor.stopAll();
    expect(good.stops).toBe(1);
    expect(bad.stops).toBe(1);
  });

  it("stops retrying an adapter once it is removed", async () => {
    vi.useFakeTimers();
    const supervisor = new Supervisor(silentLogger(), { initialDelayMs: 1_000 });
    const bad = new FlakyAdapter("kodi", 100);
    await supervisor.add(bad);
    await supervisor.remove("kodi");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(bad.starts).toBe(1);
    expect(bad.stops).toBe(0);
  });
});

describe("Supervisor connection reports", () => {
  it("reports failed once for a run of failures, the adapter's own state when it starts, and stopped when removed", async () => {
    vi.useFakeTimers();
    const reports: AdapterStatus[] = [];
    const supervisor = new Supervisor(silentLogger(), { initialDelayMs: 1_000, maxDelayMs: 2_000, onConnectionChange: (s) => reports.push(s) });
    const bad = new FlakyAdapter("kodi:den", 3);
    await supervisor.add(bad, "kodi");
    await vi.advanceTimersByTimeAsync(2_500);
    expect(bad.starts).toBeGreaterThanOrEqual(2);
    expect(reports).toEqual([{ name: "kodi:den", kind: "kodi", state: "failed", detail: "kodi:den is not reachable" }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bad.starts).toBe(4);
    expect(reports.map((r) => r.state)).toEqual(["failed", "connected"]);
    await supervisor.remove("kodi:den");
    expect(reports.at(-1)).toEqual({ name: "kodi:den", kind: "kodi", state: "stopped" });
  });

  it("says nothing about an adapter that starts at once (it reports its own connection)", async () => {
    const reports: AdapterStatus[] = [];
    const supervisor = new Supervisor(silentLogger(), { onConnectionChange: (s) => reports.push(s) });
    await supervisor.add(new FlakyAdapter("mpv", 0));
    expect(reports).toEqual([]);
    await supervisor.stopAll();
  });
});
