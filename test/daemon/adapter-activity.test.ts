import { describe, expect, it } from "vitest";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";
import { AdapterActivity } from "../../src/daemon/adapter-activity.js";

describe("AdapterActivity", () => {
  it("passes each adapter's changes on once: a state repeated for the same adapter is no news", () => {
    const activity = new Activity();
    const seen: ActivityEvent[] = [];
    activity.subscribe((e) => seen.push(e));
    const adapters = new AdapterActivity(activity, () => 42);
    adapters.report({ name: "kodi", kind: "kodi", state: "connected", detail: "ws://kodi" });
    adapters.report({ name: "kodi", kind: "kodi", state: "connected", detail: "ws://kodi (again)" });
    adapters.report({ name: "plex", kind: "plex", state: "connected" });
    adapters.report({ name: "kodi", kind: "kodi", state: "stopped" });
    adapters.report({ name: "kodi", kind: "kodi", state: "stopped" });
    expect(seen).toEqual([
      { type: "adapter", at: 42, name: "kodi", kind: "kodi", state: "connected", detail: "ws://kodi" },
      { type: "adapter", at: 42, name: "plex", kind: "plex", state: "connected" },
      { type: "adapter", at: 42, name: "kodi", kind: "kodi", state: "stopped" },
    ]);
  });
});
