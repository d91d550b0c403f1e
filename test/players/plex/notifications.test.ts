// Every real notification-socket capture in test/fixtures/media-servers/plex-notifications, read by the frame parser.
import { describe, expect, it } from "vitest";
import { isLiveTvKey, parsePlexFrame, PLEX_MAX_FRAME_BYTES, ratingKeyOfItemKey } from "../../../src/players/plex/notifications.js";
import { readFixture, readJsonFixture } from "../../support/fixtures.js";

const DIR = "media-servers/plex-notifications";

function frame(text: string): ReturnType<typeof parsePlexFrame> {
  return parsePlexFrame(text);
}

describe("Plex notification frames", () => {
  it("reads a wrapped `playing` frame (Tautulli #1493, state error) with every field", () => {
    const result = frame(readFixture(DIR, "ws-playing.state-error.tautulli-issue-1493.json"));
    expect(result).toEqual({
      ok: true,
      notification: {
        type: "playing",
        sessions: [{ sessionKey: "16", ratingKey: "6263", key: "/library/metadata/6263", viewOffset: 0, state: "error", clientIdentifier: "bsa256dspr4svju3zq3ssndfx" }],
      },
    });
  });

  it("reads an unwrapped container (python-plexapi hands these on) and a Live TV frame", () => {
    const inner = frame(readFixture(DIR, "ws-playing.inner-container.transcode.bw_plex-test_cli.json"));
    expect(inner.ok && inner.notification.type === "playing" && inner.notification.sessions[0]).toEqual({
      sessionKey: "84",
      ratingKey: "1337",
      key: "/library/metadata/1337",
      viewOffset: 1000,
      state: "playing",
      clientIdentifier: undefined,
    });
    const live = frame(readFixture(DIR, "ws-playing.livetv-buffering.tautulli-issue-1221.json"));
    const session = live.ok && live.notification.type === "playing" ? live.notification.sessions[0] : undefined;
    expect(session?.state).toBe("buffering");
    expect(isLiveTvKey(session?.key ?? "")).toBe(true);
  });

  it("reads every line of the PlexKodiConnect stream capture (Python repr turned back into JSON)", () => {
    const lines = readFixture(DIR, "ws-playing.stream.plexkodiconnect-issue-162.log.txt").split("\n").filter((l) => l.includes("NotificationContainer"));
    const offsets = lines.map((line) => {
      const repr = line.slice(line.indexOf("{u'NotificationContainer'"));
      const json = repr.replace(/u'/g, "'").replace(/'/g, '"');
      const result = frame(json);
      return result.ok && result.notification.type === "playing" ? result.notification.sessions[0]?.viewOffset : undefined;
    });
    expect(offsets).toEqual([2119067, 2119853, 2120600, 2121342]);
  });

  it("reads the activity sequence of an item marked played, and the item it names", () => {
    const frames = readJsonFixture<unknown[]>(DIR, "ws-activity-sequence.plextraktsync-events-played.json");
    const last = frame(JSON.stringify({ NotificationContainer: frames.at(-1) }));
    expect(last).toEqual({ ok: true, notification: { type: "activity", activities: [{ event: "ended", type: "library.refresh.items", key: "/library/metadata/513", progress: 100 }] } });
    expect(ratingKeyOfItemKey("/library/metadata/513")).toBe("513");
    expect(ratingKeyOfItemKey("/library/metadata/16417/children")).toBeUndefined();
    const log = readFixture(DIR, "ws-misc.tautulli-issues-174.log.txt").split("\n").filter((l) => l.includes("{"));
    const kinds = log.map((l) => frame(l.slice(l.indexOf("{")))).map((r) => (r.ok ? r.notification.type : r.reason));
    expect(kinds).toEqual(["other", "activity", "activity"]);
  });

  it("recognises the other notification types and ignores them", () => {
    for (const name of ["ws-transcodeSession.end.tautulli-issue-1221.json", "ws-timeline.inner-container.created.bw_plex-test_cli.json"]) {
      const result = frame(readFixture(DIR, name));
      expect(result.ok && result.notification.type).toBe("other");
    }
  });

  it("refuses what is not a notification with a reason, and never throws", () => {
    expect(frame("not json")).toMatchObject({ ok: false, reason: expect.stringContaining("not JSON") as unknown });
    expect(frame("[".repeat(10_000))).toMatchObject({ ok: false, reason: expect.stringContaining("deeper") as unknown });
    expect(frame(JSON.stringify({ hello: "world" }))).toEqual({ ok: false, reason: "not a NotificationContainer" });
    expect(frame(" ".repeat(PLEX_MAX_FRAME_BYTES + 1))).toMatchObject({ ok: false });
    // An entry that does not fit is dropped alone; the rest of the frame counts.
    const mixed = frame(JSON.stringify({ NotificationContainer: { type: "playing", PlaySessionStateNotification: [{ sessionKey: [] }, { sessionKey: 7, ratingKey: 9, state: "paused", viewOffset: "120" }] } }));
    expect(mixed.ok && mixed.notification.type === "playing" && mixed.notification.sessions).toEqual([
      { sessionKey: "7", ratingKey: "9", key: "/library/metadata/9", viewOffset: 120, state: "paused", clientIdentifier: undefined },
    ]);
  });
});
