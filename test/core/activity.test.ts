import { describe, expect, it } from "vitest";
import { Activity, type ActivityEvent } from "../../src/core/activity.js";

const event: ActivityEvent = { type: "queue", at: 1, pending: 2, deadLetters: 0 };

describe("Activity", () => {
  it("hands each report to every listener until it unsubscribes", () => {
    const activity = new Activity();
    const a: ActivityEvent[] = [];
    const b: ActivityEvent[] = [];
    const offA = activity.subscribe((e) => a.push(e));
    activity.subscribe((e) => b.push(e));
    activity.report(event);
    offA();
    activity.report({ ...event, pending: 3 });
    expect(a).toEqual([event]);
    expect(b.map((e) => (e.type === "queue" ? e.pending : -1))).toEqual([2, 3]);
    expect(activity.listenerCount).toBe(1);
  });

  it("a listener that throws breaks neither the others nor the reporter", () => {
    const errors: unknown[] = [];
    const activity = new Activity((error) => errors.push(error));
    const seen: ActivityEvent[] = [];
    activity.subscribe(() => {
      throw new Error("broken listener");
    });
    activity.subscribe((e) => seen.push(e));
    expect(() => activity.report(event)).not.toThrow();
    expect(seen).toEqual([event]);
    expect(errors).toEqual([new Error("broken listener")]);
  });
});
