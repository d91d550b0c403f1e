// Follows playback on one Kodi instance and emits PlaybackEvents. The protocol lives in client.ts.
//
// Sources of truth, in order: notifications (OnPlay/OnAVStart, OnPause, OnResume, OnSpeedChanged, OnSeek, OnStop,
// System.OnQuit/OnSleep/OnRestart), Player.GetActivePlayers on every (re)connect to pick up playback in progress,
// and Player.GetProperties polled only while something plays, closer together as the watched threshold nears.
// VideoLibrary.OnUpdate raising the play count of the library item playing (or just stopped) is Kodi's own
// "watched" verdict, passed on as `playerWatched`.
// Nothing is polled while idle: the only traffic then is the client's heartbeat.
import { reportConnection, type AdapterConnectionState, type AdapterContext, type AdapterStatus, type PlayerAdapter } from "../adapter.js";
import type { MediaHints, PlaybackEvent, PlaybackState } from "../../core/playback.js";
import { silentLogger, type Logger } from "../../util/log.js";
import { displayUrl, KodiClient, type KodiClientTiming, type KodiNotification } from "./client.js";
import { compileExclusions, hintsFromItem, isIgnoredType, isLiveTv, type ShowDetails } from "./hints.js";
import { extrapolatePositionMs, nextPollDelayMs } from "./poll.js";
import {
  activePlayers,
  itemFields,
  playerItem,
  libraryUpdateData,
  playerNotificationData,
  playerProperties,
  playerPropertyNames,
  timeToMs,
  tvShowDetails,
  type KodiPlayerProperties,
} from "./protocol.js";

export interface KodiAdapterOptions {
  /** Instance name for logs, status and the event's `player` ("kodi:<name>"). */
  name: string;
  /** Kodi's JSON-RPC WebSocket, e.g. ws://127.0.0.1:9090/jsonrpc. */
  url: string;
  /** Trakt account for this Kodi; undefined = the default account. */
  account?: string | undefined;
  /** Ignore PVR / live TV (default true). */
  ignoreLiveTv?: boolean;
  /** Path patterns never followed (see compileExclusions). */
  excludePaths?: readonly string[];
  /** Watched threshold in percent (default 80): polling tightens as it nears. */
  watchedThreshold?: number;
  /** Poll interval bounds while playing (defaults 1000 / 15000 ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Wait this long after Player.OnPlay for OnAVStart before reading the item anyway (default 2000 ms). */
  avStartGraceMs?: number;
  /** Client timing (request timeout, heartbeat, reconnect backoff). */
  timing?: Partial<KodiClientTiming>;
  log?: Logger;
}

/** A poll that finds the position this far from the extrapolated one is followed by another one soon. */
const SETTLE_TOLERANCE_MS = 400;
/** Kodi 20 raises the play count just before Player.OnStop; one that comes after it still counts this long. */
const LATE_VERDICT_MS = 5 * 60_000;

interface Session {
  key: string;
  playerId: number;
  hints: MediaHints;
  /** Identity of the item for "is this still the same playback?" after a reconnect or a second OnPlay. */
  identity: string;
  playing: boolean;
  speed: number;
  positionMs: number;
  durationMs: number | undefined;
  /** ctx.now() when positionMs was true. */
  observedAt: number;
  /** The socket dropped while this played; settled on reconnect. */
  orphaned: boolean;
  /** A library movie or episode: its id and play count when it started (for Kodi's "watched" verdict). */
  library: { type: string; id: number; playcount: number | undefined } | undefined;
}

export class KodiAdapter implements PlayerAdapter {
  readonly name: string;
  private readonly player: string;
  private readonly log: Logger;
  private readonly client: KodiClient;
  private readonly excluded: (path: string | undefined) => boolean;
  private readonly threshold: number;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly avStartGraceMs: number;
  private session: Session | undefined;
  /** The last library playback that finished, for a play count raised after its OnStop. */
  private lastFinished: { session: Session; state: "stopped" | "ended"; at: number; counted: boolean } | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private avStartTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private showCache = new Map<number, ShowDetails>();
  private stopped = false;
  private started = false;

  constructor(
    private readonly options: KodiAdapterOptions,
    private readonly ctx: AdapterContext,
  ) {
    this.name = options.name;
    this.player = `kodi:${options.name}`;
    this.log = (options.log ?? silentLogger()).child({ component: "kodi", instance: options.name });
    this.excluded = compileExclusions(options.excludePaths ?? []);
    this.threshold = options.watchedThreshold ?? 80;
    this.pollMinMs = options.pollMinMs ?? 1_000;
    this.pollMaxMs = options.pollMaxMs ?? 15_000;
    this.avStartGraceMs = options.avStartGraceMs ?? 2_000;
    this.client = new KodiClient(
      options.url,
      this.log,
      {
        onConnected: () => {
          this.reportConnection("connected");
          this.enqueue("connect", () => this.sync());
        },
        onUnavailable: (reason) => this.reportConnection("disconnected", reason),
        onDisconnected: () => this.enqueue("disconnect", () => Promise.resolve(this.onDisconnected())),
        onNotification: (n) => this.enqueue(n.method, () => this.onNotification(n)),
      },
      options.timing ?? {},
    );
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    this.stopped = false;
    signal.addEventListener("abort", () => void this.stop(), { once: true });
    this.client.start(signal);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    await this.client.stop();
    await this.queue;
    this.finish("stopped", this.ctx.now());
    this.started = false;
    this.reportConnection("stopped");
  }

  status(): AdapterStatus[] {
    const state: AdapterConnectionState =
      this.stopped ? "stopped" : this.client.state === "connected" ? "connected" : this.client.state === "disconnected" ? "disconnected" : "starting";
    const status: AdapterStatus = { name: this.name, kind: "kodi", state };
    const s = this.session;
    const playing = s ? ` · ${s.playing ? "playing" : "paused"} ${s.hints.title ?? s.hints.mediaTitle ?? s.hints.path ?? "?"}` : "";
    const failure = state === "disconnected" && this.client.lastFailure ? ` (${this.client.lastFailure})` : "";
    status.detail = `${displayUrl(this.options.url)}${failure}${playing}`;
    return [status];
  }

  /** The connection's "connected", "unavailable" and "back" moments, for the daemon's activity stream. */
  private reportConnection(state: AdapterConnectionState, reason?: string): void {
    const detail = `${displayUrl(this.options.url)}${reason ? ` (${reason})` : ""}`;
    reportConnection(this.ctx, { name: this.name, kind: "kodi", state, detail }, this.log);
  }

  /** Everything that touches the session runs one at a time, in arrival order. */
  private enqueue(what: string, task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.log.debug({ err: error, during: what }, "Kodi event handling failed");
    });
  }

  private async onNotification(n: KodiNotification): Promise<void> {
    if (this.stopped) return;
    switch (n.method) {
      case "Player.OnPlay": {
        // Start of playback (or, on old Kodi, a resume). Read the item once the stream is open (OnAVStart);
        // Kodi before 18 has no OnAVStart, hence the grace timer.
        const data = playerNotificationData.safeParse(n.data);
        if (data.success && isIgnoredType(data.data.item?.type)) return;
        this.clearAvStartTimer();
        this.avStartTimer = setTimeout(() => this.enqueue("avstart-grace", () => this.sync()), this.avStartGraceMs);
        return;
      }
      case "Player.OnAVStart": {
        const data = playerNotificationData.safeParse(n.data);
        if (data.success && isIgnoredType(data.data.item?.type)) return;
        this.clearAvStartTimer();
        return this.sync(data.success ? data.data.player?.playerid : undefined);
      }
      case "Player.OnPause":
      case "Player.OnResume":
      case "Player.OnSpeedChanged":
        return this.onSpeed(n.data);
      case "Player.OnSeek":
        this.onSeek(n.data);
        return;
      case "Player.OnStop": {
        const data = playerNotificationData.safeParse(n.data);
        if (data.success && isIgnoredType(data.data.item?.type)) return;
        this.clearAvStartTimer();
        this.finish(data.success && data.data.end === true ? "ended" : "stopped", this.ctx.now());
        return;
      }
      case "VideoLibrary.OnUpdate":
        this.onLibraryUpdate(n.data);
        return;
      case "System.OnQuit":
      case "System.OnSleep":
      case "System.OnRestart":
        this.clearAvStartTimer();
        this.finish("stopped", this.ctx.now());
        return;
      default:
        return;
    }
  }

  /** OnPause (speed 0), OnResume (speed 1), OnSpeedChanged (any speed). Both OnResume and OnSpeedChanged arrive on 2 → 1. */
  private async onSpeed(raw: unknown): Promise<void> {
    const s = this.session;
    const data = playerNotificationData.safeParse(raw);
    if (!s || !data.success) return;
    const player = data.data.player;
    if (player?.playerid !== undefined && player.playerid !== s.playerId) return;
    const speed = player?.speed ?? s.speed;
    const now = this.ctx.now();
    const wasPlaying = s.playing;
    this.advance(s, now);
    s.speed = speed;
    s.playing = speed !== 0;
    if (wasPlaying === s.playing) {
      // Only the speed changed: take an exact position and reschedule.
      if (s.playing) await this.poll();
      return;
    }
    await this.refreshPosition(s);
    this.emit(s, s.playing ? "playing" : "paused", this.ctx.now());
    if (s.playing) this.schedulePoll();
    else this.clearPollTimer();
  }

  private onSeek(raw: unknown): void {
    const s = this.session;
    const data = playerNotificationData.safeParse(raw);
    if (!s || !data.success) return;
    const player = data.data.player;
    if (player?.playerid !== undefined && player.playerid !== s.playerId) return;
    const time = timeToMs(player?.time);
    if (time !== undefined) {
      s.positionMs = Math.max(0, time);
      s.observedAt = this.ctx.now();
    }
    this.emit(s, s.playing ? "playing" : "paused", this.ctx.now());
    // OnSeek gives the target time, but playback restarts a little later: re-read the position soon.
    if (s.playing) this.schedulePoll(this.pollMinMs);
  }

  /**
   * Kodi raised the play count of a library item: when it is the one playing, or the one that just stopped (within
   * LATE_VERDICT_MS, once), that is Kodi's verdict that it counted the playback as watched.
   */
  private onLibraryUpdate(raw: unknown): void {
    const data = libraryUpdateData.safeParse(raw);
    if (!data.success || data.data.playcount === undefined) return;
    const { playcount } = data.data;
    const id = data.data.item?.id ?? data.data.id;
    const type = data.data.item?.type ?? data.data.type;
    const raised = (s: Session): boolean => s.library !== undefined && s.library.id === id && s.library.type === type && playcount > (s.library.playcount ?? 0);
    const now = this.ctx.now();
    const s = this.session;
    if (s && raised(s)) {
      s.library!.playcount = playcount;
      this.advance(s, now);
      this.log.info({ session: s.key, playcount, progress: this.progress(s) }, "Kodi counted the playback as watched");
      this.emit(s, s.playing ? "playing" : "paused", now, true);
      return;
    }
    const f = this.lastFinished;
    if (f && !f.counted && now - f.at <= LATE_VERDICT_MS && raised(f.session)) {
      f.counted = true;
      f.session.library!.playcount = playcount;
      this.log.info({ session: f.session.key, playcount }, "Kodi counted the finished playback as watched");
      this.emit(f.session, f.state, now, true);
    }
  }

  /**
   * Reads what plays now (GetActivePlayers → GetItem → GetProperties) and reconciles it with the session:
   * same item → update; another item → stop the old session and start a new one; nothing → stop.
   */
  private async sync(preferredPlayerId?: number): Promise<void> {
    if (this.stopped) return;
    const players = activePlayers.parse(await this.client.request("Player.GetActivePlayers"));
    const video = players.find((p) => p.playerid === preferredPlayerId && p.type === "video") ?? players.find((p) => p.type === "video");
    if (!video) {
      this.finish("stopped", this.ctx.now());
      return;
    }
    const { item } = playerItem.parse(await this.client.request("Player.GetItem", { playerid: video.playerid, properties: [...itemFields] }));
    const props = playerProperties.parse(
      await this.client.request("Player.GetProperties", { playerid: video.playerid, properties: [...playerPropertyNames] }),
    );
    const now = this.ctx.now();
    const identity = `${item.type ?? ""}:${item.id ?? ""}:${item.file ?? item.label ?? ""}`;
    if (item.type === "unknown" && !item.file && !item.label) {
      // An empty item: playback ended between GetActivePlayers and GetItem.
      this.finish("stopped", now);
      return;
    }
    const current = this.session;
    if (current && current.identity === identity && current.playerId === video.playerid) {
      current.orphaned = false;
      this.applyProperties(current, props, now);
      this.emit(current, current.playing ? "playing" : "paused", now);
      this.reschedule(current);
      return;
    }
    this.finish("stopped", now);
    if (this.options.ignoreLiveTv !== false && isLiveTv(item)) {
      this.log.debug({ file: item.file }, "live TV ignored");
      return;
    }
    if (isIgnoredType(item.type)) return;
    if (this.excluded(item.file)) {
      this.log.debug({ file: item.file }, "path excluded");
      return;
    }
    let show: ShowDetails | undefined;
    if (item.type === "episode" && item.tvshowid !== undefined && item.tvshowid >= 0) show = await this.showDetails(item.tvshowid);
    const session: Session = {
      key: `${video.playerid}:${now}`,
      playerId: video.playerid,
      hints: hintsFromItem(item, show),
      identity,
      playing: true,
      speed: 1,
      positionMs: 0,
      durationMs: undefined,
      observedAt: now,
      orphaned: false,
      library:
        item.id !== undefined && item.id >= 0 && (item.type === "movie" || item.type === "episode")
          ? { type: item.type, id: item.id, playcount: item.playcount }
          : undefined,
    };
    this.applyProperties(session, props, this.ctx.now());
    if (session.durationMs === undefined && session.hints.runtimeSeconds) session.durationMs = session.hints.runtimeSeconds * 1000;
    this.session = session;
    this.log.info({ session: session.key, kind: session.hints.kind, title: session.hints.title ?? session.hints.mediaTitle }, "Kodi playback started");
    this.emit(session, session.playing ? "playing" : "paused", this.ctx.now());
    this.reschedule(session);
  }

  private async showDetails(tvshowid: number): Promise<ShowDetails | undefined> {
    const cached = this.showCache.get(tvshowid);
    if (cached) return cached;
    try {
      const { tvshowdetails } = tvShowDetails.parse(
        await this.client.request("VideoLibrary.GetTVShowDetails", { tvshowid, properties: ["uniqueid", "imdbnumber", "title", "year"] }),
      );
      const details: ShowDetails = { uniqueid: tvshowdetails.uniqueid };
      this.showCache.set(tvshowid, details);
      return details;
    } catch (error) {
      this.log.debug({ err: error, tvshowid }, "show details unavailable");
      return undefined;
    }
  }

  private applyProperties(s: Session, props: KodiPlayerProperties, now: number): void {
    const time = timeToMs(props.time);
    if (time !== undefined) {
      s.positionMs = Math.max(0, time);
      s.observedAt = now;
    }
    const total = timeToMs(props.totaltime);
    if (total !== undefined && total > 0) s.durationMs = total;
    if (props.speed !== undefined) {
      s.speed = props.speed;
      s.playing = props.speed !== 0;
    }
  }

  private async refreshPosition(s: Session): Promise<void> {
    try {
      const props = playerProperties.parse(
        await this.client.request("Player.GetProperties", { playerid: s.playerId, properties: [...playerPropertyNames] }),
      );
      if (this.session === s && (timeToMs(props.totaltime) ?? 0) > 0) this.applyProperties(s, props, this.ctx.now());
    } catch (error) {
      this.log.debug({ err: error }, "position refresh failed; using the extrapolated one");
    }
  }

  private async poll(): Promise<void> {
    const s = this.session;
    if (!s || !s.playing || this.stopped) return;
    const props = playerProperties.parse(
      await this.client.request("Player.GetProperties", { playerid: s.playerId, properties: [...playerPropertyNames] }),
    );
    if (this.session !== s) return;
    if ((timeToMs(props.totaltime) ?? 0) <= 0 && (timeToMs(props.time) ?? 0) <= 0) {
      // Zeros: nothing plays on that player any more although no OnStop reached us.
      await this.sync();
      return;
    }
    const wasPlaying = s.playing;
    const now = this.ctx.now();
    const predicted = extrapolatePositionMs(s, now);
    this.applyProperties(s, props, now);
    this.emit(s, s.playing ? "playing" : "paused", now);
    if (wasPlaying && !s.playing) this.clearPollTimer();
    // Not where we expected (still buffering after a seek, stalled, clock drift): look again soon.
    else if (s.playing && Math.abs(s.positionMs - predicted) > SETTLE_TOLERANCE_MS) this.schedulePoll(this.pollMinMs);
    else this.reschedule(s);
  }

  private reschedule(s: Session): void {
    if (s.playing) this.schedulePoll();
    else this.clearPollTimer();
  }

  private schedulePoll(delayMs?: number): void {
    const s = this.session;
    this.clearPollTimer();
    if (!s || !s.playing || this.stopped) return;
    const delay = delayMs ?? nextPollDelayMs({
      positionMs: s.positionMs,
      durationMs: s.durationMs,
      speed: s.speed,
      thresholdPercent: this.threshold,
      minMs: this.pollMinMs,
      maxMs: this.pollMaxMs,
    });
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.enqueue("poll", () => this.poll());
    }, delay);
  }

  private onDisconnected(): void {
    this.clearTimers();
    this.showCache.clear();
    const s = this.session;
    if (!s || s.orphaned) return;
    // We cannot see this playback any more. Report it paused where it probably is; the next connection
    // either picks it up again (same session) or closes it.
    const now = this.ctx.now();
    this.advance(s, now);
    s.orphaned = true;
    if (s.playing) {
      s.playing = false;
      this.emit(s, "paused", now);
    }
  }

  /** Moves the observed position to `now` (extrapolated). */
  private advance(s: Session, now: number): void {
    s.positionMs = extrapolatePositionMs(s, now);
    s.observedAt = now;
  }

  /** Emits the final event for the session, if any, and forgets it. */
  private finish(state: Extract<PlaybackState, "stopped" | "ended">, now: number): void {
    const s = this.session;
    if (!s) return;
    this.clearPollTimer();
    this.session = undefined;
    this.advance(s, now);
    if (state === "ended" && s.durationMs) s.positionMs = s.durationMs;
    s.playing = false;
    this.log.info({ session: s.key, state, progress: this.progress(s) }, "Kodi playback finished");
    this.emit(s, state, now);
    this.lastFinished = s.library ? { session: s, state, at: now, counted: false } : undefined;
  }

  private progress(s: Session): number | undefined {
    if (!s.durationMs) return undefined;
    return Math.min(100, Math.max(0, (s.positionMs / s.durationMs) * 100));
  }

  private emit(s: Session, state: PlaybackState, now: number, playerWatched = false): void {
    const event: PlaybackEvent = {
      player: this.player,
      sessionKey: s.key,
      state,
      positionMs: Math.round(s.positionMs),
      observedAt: now,
      hints: s.hints,
    };
    if (s.durationMs !== undefined) event.durationMs = Math.round(s.durationMs);
    const progress = this.progress(s);
    if (progress !== undefined) event.progress = Math.round(progress * 100) / 100;
    if (s.speed > 0 && s.speed !== 1) event.speed = s.speed;
    if (this.options.account !== undefined) event.account = this.options.account;
    if (playerWatched) event.playerWatched = true;
    try {
      this.ctx.emit(event);
    } catch (error) {
      this.log.error({ err: error }, "playback event listener failed");
    }
  }

  private clearPollTimer(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private clearAvStartTimer(): void {
    if (this.avStartTimer) clearTimeout(this.avStartTimer);
    this.avStartTimer = undefined;
  }

  private clearTimers(): void {
    this.clearPollTimer();
    this.clearAvStartTimer();
  }
}
