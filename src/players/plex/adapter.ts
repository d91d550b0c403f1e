// Turns Plex webhook payloads into playback events: event mapping, progress (Plex sends nothing while playing, so
// the position is estimated between events), Plex's own "watched" verdict (media.scrobble, or the item's viewCount
// going up during the session), and routing of each Plex user to a Trakt account.
import type { Logger } from "../../util/log.js";
import type { PlexSection } from "../../config/sections/players.js";
import { reportConnection, type AdapterContext, type AdapterStatus, type PlayerAdapter } from "../adapter.js";
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../core/playback.js";
import { hintsFromMetadata, isScrobblableVideo } from "./hints.js";
import type { PlexPayload } from "./payload.js";
import { playerAllowed, PlexUserRouter } from "./routing.js";

/** Plex sends media.scrobble when an item passes 90 %. */
const PLEX_SCROBBLE_PERCENT = 90;

export type PlexSettings = Pick<PlexSection, "users" | "defaultAccount" | "players" | "webhookServers"> & {
  /** After media.scrobble, how long to wait for a media.stop before counting the watch anyway. */
  scrobbleGraceMs?: number;
  /**
   * Servers followed through their notification socket (by machineIdentifier = a webhook's Server.uuid): their
   * webhooks are ignored, so a playthrough is reported once.
   */
  followedServers?: { has(machineIdentifier: string): boolean };
};

interface Session {
  key: string;
  serverUuid: string | undefined;
  ratingKey: string | undefined;
  account: string;
  hints: MediaHints;
  durationMs: number | undefined;
  positionMs: number;
  positionAt: number;
  playing: boolean;
  scrobbled: boolean;
  /** The item's viewCount as the session's payloads gave it (0 when left out): one going up is Plex's verdict. */
  viewCount: number;
  graceTimer: NodeJS.Timeout | undefined;
}

export type PlexOutcome = "used" | "ignored";

export class PlexAdapter implements PlayerAdapter {
  readonly name = "plex";
  private settings: PlexSettings;
  private readonly sessions = new Map<string, Session>();
  private readonly router: PlexUserRouter;
  private running = false;
  private lastEventAt: number | undefined;

  constructor(
    settings: PlexSettings,
    private readonly context: AdapterContext,
    private readonly log: Logger,
  ) {
    this.settings = settings;
    this.router = new PlexUserRouter(settings, log);
  }

  start(_signal: AbortSignal): Promise<void> {
    if (!this.running) {
      this.running = true;
      reportConnection(this.context, this.overall(), this.log);
    }
    return Promise.resolve();
  }

  /** Emits a final `stopped` for everything still open, so the engine can record it. */
  stop(): Promise<void> {
    for (const session of this.sessions.values()) this.close(session, "stopped");
    if (this.running) {
      this.running = false;
      reportConnection(this.context, { name: this.name, kind: "plex", state: "stopped" }, this.log);
    }
    return Promise.resolve();
  }

  updateSettings(settings: PlexSettings): void {
    this.settings = settings;
    this.router.update(settings);
  }

  /**
   * A server is now followed through its notification socket: close what its webhooks opened (the socket reports
   * the same playthroughs from now on).
   */
  handOver(serverUuid: string): void {
    for (const session of [...this.sessions.values()]) {
      if (session.serverUuid === serverUuid) this.close(session, "stopped");
    }
  }

  status(): AdapterStatus[] {
    return [this.overall()];
  }

  private overall(): AdapterStatus {
    const detail = this.lastEventAt === undefined ? "no webhook received yet" : `last webhook ${new Date(this.lastEventAt).toISOString()}`;
    return { name: this.name, kind: "plex", state: this.running ? "connected" : "stopped", detail };
  }

  /** Handle one webhook payload. "ignored" means nothing was (or will be) scrobbled from it. */
  accept(payload: PlexPayload): PlexOutcome {
    if (!this.running) return "ignored";
    this.lastEventAt = this.context.now();
    const metadata = payload.Metadata;
    if (!payload.event.startsWith("media.") || metadata === undefined) return "ignored";
    if (payload.event === "media.rate") return "ignored";
    if (!isScrobblableVideo(metadata)) return "ignored";
    if (!this.passesFilters(payload)) return "ignored";
    const account = this.router.accountFor({ id: payload.Account?.id, title: payload.Account?.title });
    if (account === undefined) return "ignored";

    const key = [payload.Server?.uuid ?? "server", payload.Player?.uuid ?? "player", payload.Account?.id ?? "account"].join(":");
    const now = this.context.now();
    const ratingKey = metadata.ratingKey;
    let session = this.sessions.get(key);
    if (session !== undefined && session.ratingKey !== ratingKey) {
      // The player moved on to another item without telling us the first one stopped.
      this.close(session, "stopped");
      session = undefined;
    }
    const isNew = session === undefined;
    if (session === undefined) {
      session = {
        key,
        serverUuid: payload.Server?.uuid,
        ratingKey,
        account,
        hints: hintsFromMetadata(metadata),
        durationMs: metadata.duration,
        positionMs: metadata.viewOffset ?? 0,
        positionAt: now,
        playing: false,
        scrobbled: false,
        viewCount: metadata.viewCount ?? 0,
        graceTimer: undefined,
      };
      this.sessions.set(key, session);
    }
    if (metadata.duration !== undefined) session.durationMs = metadata.duration;
    const reported = metadata.viewOffset;
    // Plex marked the item played since the session began (its view count went up): Plex counted this playback.
    const marked = metadata.viewCount !== undefined && metadata.viewCount > session.viewCount;
    if (marked) session.viewCount = metadata.viewCount!;

    switch (payload.event) {
      case "media.play":
      case "media.resume":
        this.moveTo(session, reported ?? this.estimate(session, now), now);
        session.playing = true;
        this.emit(session, "playing", now, marked);
        return "used";
      case "media.pause":
        this.moveTo(session, reported ?? this.estimate(session, now), now);
        session.playing = false;
        this.emit(session, "paused", now, marked);
        return "used";
      case "media.scrobble": {
        const floor = session.durationMs === undefined ? 0 : (session.durationMs * PLEX_SCROBBLE_PERCENT) / 100;
        this.moveTo(session, Math.max(reported ?? this.estimate(session, now), floor), now);
        session.scrobbled = true;
        // Plex sends media.scrobble while the item plays; for a session we have not seen before, that is all we know.
        if (isNew) session.playing = true;
        // Plex's own verdict: it counts this playback as watched.
        this.emit(session, session.playing ? "playing" : "paused", now, true);
        this.armGrace(session);
        return "used";
      }
      case "media.stop": {
        let position = reported ?? this.estimate(session, now);
        if (reported === undefined && session.scrobbled && session.durationMs !== undefined) {
          position = Math.max(position, (session.durationMs * PLEX_SCROBBLE_PERCENT) / 100);
        }
        this.moveTo(session, position, now);
        this.close(session, "stopped", marked);
        return "used";
      }
      default:
        return "ignored";
    }
  }

  private passesFilters(payload: PlexPayload): boolean {
    const { players, webhookServers, followedServers } = this.settings;
    if (!playerAllowed(players, [payload.Player?.uuid, payload.Player?.title])) return false;
    const server = payload.Server?.uuid ?? "";
    if (webhookServers.length > 0 && !webhookServers.includes(server)) return false;
    if (followedServers?.has(server) === true) {
      this.log.debug({ server }, "webhook from a server followed through its notification socket; ignored");
      return false;
    }
    return true;
  }

  private estimate(session: Session, now: number): number {
    const elapsed = session.playing ? Math.max(0, now - session.positionAt) : 0;
    const position = session.positionMs + elapsed;
    return session.durationMs === undefined ? position : Math.min(position, session.durationMs);
  }

  private moveTo(session: Session, positionMs: number, now: number): void {
    session.positionMs = positionMs;
    session.positionAt = now;
  }

  private armGrace(session: Session): void {
    if (session.graceTimer !== undefined) clearTimeout(session.graceTimer);
    const remaining = session.durationMs === undefined ? 0 : Math.max(0, session.durationMs - session.positionMs);
    const wait = this.settings.scrobbleGraceMs ?? remaining + 10 * 60_000;
    session.graceTimer = setTimeout(() => {
      session.graceTimer = undefined;
      if (this.sessions.get(session.key) !== session) return;
      this.log.info({ session: session.key }, "no media.stop followed Plex's media.scrobble; counting the watch");
      this.moveTo(session, this.estimate(session, this.context.now()), this.context.now());
      this.close(session, "stopped");
    }, wait);
    session.graceTimer.unref();
  }

  private close(session: Session, state: "stopped", playerWatched = false): void {
    if (session.graceTimer !== undefined) clearTimeout(session.graceTimer);
    const now = this.context.now();
    if (session.playing) this.moveTo(session, this.estimate(session, now), now);
    session.playing = false;
    this.sessions.delete(session.key);
    this.emit(session, state, now, playerWatched);
  }

  private emit(session: Session, state: PlaybackState, now: number, playerWatched = false): void {
    const event: PlaybackEvent = {
      player: "plex",
      sessionKey: session.key,
      state,
      positionMs: Math.round(session.positionMs),
      observedAt: now,
      hints: session.hints,
      account: session.account,
    };
    if (session.durationMs !== undefined) {
      event.durationMs = session.durationMs;
      event.progress = Math.min(100, (session.positionMs / session.durationMs) * 100);
    }
    if (playerWatched) event.playerWatched = true;
    this.context.emit(event);
  }
}
