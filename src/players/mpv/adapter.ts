// The mpv PlayerAdapter: finds mpv sockets (explicit paths and/or a watched directory), keeps one connection per
// running mpv, and passes on the PlaybackEvents its connections produce. Connection policy lives here; the
// protocol is in client.ts, the playback logic in tracker.ts. Nothing is polled while mpv is not running: sockets
// are found through file system events (discovery.ts, path-watch.ts); only an explicit socket whose directory
// cannot be watched is retried every reconnectSeconds.
import type { MpvSection } from "../../config/sections/players.js";
import { backoffMs } from "../../util/backoff.js";
import { firstErrorCode } from "../../util/error-causes.js";
import type { Logger } from "../../util/log.js";
import { reportConnection, type AdapterConnectionState, type AdapterContext, type AdapterStatus, type PlayerAdapter } from "../adapter.js";
import { MpvConnection } from "./connection.js";
import { defaultSocketDir, SocketDirWatcher } from "./discovery.js";
import { SocketPathWatcher } from "./path-watch.js";

export interface MpvAdapterOptions {
  /** The parsed `mpv` config section. */
  config: MpvSection;
  context: AdapterContext;
  log: Logger;
  /** For the default socket directory ($XDG_RUNTIME_DIR). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** The state directory: the default socket directory is `<stateDir>/mpv` when $XDG_RUNTIME_DIR is not set. */
  stateDir?: string;
  /** Longest line accepted from a socket before it is dropped as broken. Default 1 MiB. */
  maxLineBytes?: number;
}

type Source = "config" | "dir";

interface Endpoint {
  path: string;
  source: Source;
  log: Logger;
  connections: Set<MpvConnection>;
  connecting: boolean;
  /** Another trigger arrived while connecting (e.g. the socket was replaced): try once more afterwards. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  /** An explicit socket's watch (its directory); while it is active the socket is not polled. */
  watch: SocketPathWatcher | undefined;
  /** Consecutive failures that were not "not running", for backoff. */
  failures: number;
  lastProblem: string | undefined;
  /** The connection state last reported to the context (each change is reported once). */
  reported: AdapterConnectionState | undefined;
}

/** Errors that only mean "no mpv listening there right now". */
const NOT_RUNNING = new Set(["ECONNREFUSED", "ENOENT", "ENOTSOCK", "ECONNRESET"]);
/** Retry delays after a watched socket appeared but refused (mpv binds before it listens), or vanished while mpv
 * replaced it. */
const DIR_RETRY_MS = [100, 400, 1000];
const MAX_BACKOFF_MS = 60_000;
/** The next try of an endpoint: in how long, and which try it is (for DIR_RETRY_MS). */
interface Retry {
  inMs: number;
  attempt: number;
}

export class MpvAdapter implements PlayerAdapter {
  readonly name = "mpv";
  private readonly endpoints = new Map<string, Endpoint>();
  private watcher: SocketDirWatcher | undefined;
  private dir: string | undefined;
  private state: AdapterStatus["state"] = "stopped";
  private detail: string | undefined;
  private running = false;
  private config: MpvSection;

  constructor(private readonly options: MpvAdapterOptions) {
    this.config = options.config;
  }

  /** Live reload: account, timings and timeouts apply to connections made from now on. socketDir and sockets
   * need a restart of the adapter (they are marked so in the schema). */
  updateSettings(config: MpvSection): void {
    this.config = config;
  }

  private socketDir(): string | undefined {
    const { config } = this;
    if (config.socketDir) return config.socketDir;
    if (config.sockets.length > 0) return undefined;
    const dir = defaultSocketDir(this.options.env ?? process.env, this.options.stateDir);
    if (dir === undefined) throw new Error("no mpv socket directory: set mpv.socketDir ($XDG_RUNTIME_DIR is not set)");
    return dir;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.running) return;
    if (signal.aborted) return;
    const { config } = this;
    const { log } = this.options;
    const dir = this.socketDir();
    this.running = true;
    this.state = "starting";
    this.detail = undefined;
    signal.addEventListener("abort", () => void this.stop(), { once: true });
    if (dir !== undefined) {
      const watcher = new SocketDirWatcher({ dir, log, onSocket: (path) => this.trigger(this.endpoint(path, "dir")) });
      this.watcher = watcher;
      this.dir = dir;
      try {
        await watcher.start();
      } catch (error) {
        this.state = "failed";
        this.detail = error instanceof Error ? error.message : String(error);
        await this.stop();
        this.state = "failed";
        throw error;
      }
      log.info({ dir }, "watching for mpv sockets");
    }
    if (!this.running) return;
    for (const path of config.sockets) {
      const endpoint = this.endpoint(path, "config");
      this.watchPath(endpoint, true);
      this.trigger(endpoint);
    }
    this.state = "connected";
    const overall = this.status()[0];
    if (overall) reportConnection(this.options.context, overall, log);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const watcher = this.watcher;
    this.watcher = undefined;
    for (const endpoint of this.endpoints.values()) {
      clearTimeout(endpoint.timer);
      endpoint.timer = undefined;
      endpoint.watch?.close();
      // Closing reports anything still playing as stopped, synchronously.
      for (const connection of [...endpoint.connections]) connection.close();
      endpoint.connections.clear();
      if (endpoint.reported !== undefined) this.report(endpoint, "stopped", undefined);
    }
    this.state = "stopped";
    await watcher?.close();
  }

  status(): AdapterStatus[] {
    const out: AdapterStatus[] = [];
    const overall: AdapterStatus = { name: "mpv", kind: "mpv", state: this.state };
    const detail = this.detail ?? (this.dir !== undefined ? `watching ${this.dir}` : undefined);
    if (detail !== undefined) overall.detail = detail;
    out.push(overall);
    for (const endpoint of this.endpoints.values()) {
      const connected = [...endpoint.connections].filter((c) => c.isOpen);
      if (endpoint.source === "dir" && connected.length === 0) continue;
      const status: AdapterStatus = {
        name: `mpv:${endpoint.path}`,
        kind: "mpv",
        state: !this.running ? "stopped" : connected.length > 0 ? "connected" : "disconnected",
      };
      const text = connected.length > 0 ? connected.map((c) => `pid ${c.pid ?? "?"}: ${c.describe()}`).join("; ") : endpoint.lastProblem;
      if (text !== undefined) status.detail = text;
      out.push(status);
    }
    return out;
  }

  private endpoint(path: string, source: Source): Endpoint {
    let endpoint = this.endpoints.get(path);
    if (!endpoint) {
      endpoint = {
        path,
        source,
        log: this.options.log.child({ socket: path }),
        connections: new Set(),
        connecting: false,
        again: false,
        timer: undefined,
        watch: undefined,
        failures: 0,
        lastProblem: undefined,
        reported: undefined,
      };
      this.endpoints.set(path, endpoint);
    } else if (source === "config") {
      endpoint.source = "config";
    }
    return endpoint;
  }

  /** Tries to connect to an endpoint now (a socket appeared, was replaced, or a retry is due). */
  private trigger(endpoint: Endpoint, attempt = 0): void {
    if (!this.running) return;
    if (endpoint.connecting) {
      endpoint.again = true;
      return;
    }
    clearTimeout(endpoint.timer);
    endpoint.timer = undefined;
    endpoint.connecting = true;
    endpoint.again = false;
    void this.connect(endpoint, attempt);
  }

  private async connect(endpoint: Endpoint, attempt: number): Promise<void> {
    const { config } = this;
    const { context } = this.options;
    const connection = new MpvConnection({
      path: endpoint.path,
      player: `mpv:${endpoint.path}`,
      account: config.account,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      maxLineBytes: this.options.maxLineBytes ?? 1024 * 1024,
      progressIntervalMs: config.progressIntervalSeconds * 1000,
      log: endpoint.log,
      now: context.now,
      emit: context.emit,
      onClosed: (closed, error) => this.closed(endpoint, closed, error),
    });
    let retry: Retry | undefined;
    // Listed while it opens, so that stop() closes it and status() shows it.
    endpoint.connections.add(connection);
    try {
      // One connection per mpv process: a replaced-socket event for an mpv we already follow is a duplicate.
      const isNew = (pid: number | undefined): boolean =>
        pid === undefined || ![...endpoint.connections].some((c) => c !== connection && c.isOpen && c.pid === pid);
      const opened = await connection.open(isNew);
      if (!opened) {
        endpoint.connections.delete(connection);
        endpoint.log.debug({ pid: connection.pid }, "already following this mpv");
      } else if (!this.running) {
        connection.close();
      } else {
        endpoint.failures = 0;
        endpoint.lastProblem = undefined;
        endpoint.log.info({ pid: connection.pid }, "connected to mpv");
        this.report(endpoint, "connected", `pid ${connection.pid ?? "?"}`);
      }
    } catch (error) {
      endpoint.connections.delete(connection);
      if (!this.running) return;
      const code = firstErrorCode(error);
      if (code !== undefined && NOT_RUNNING.has(code)) {
        endpoint.lastProblem = `mpv not running (${code})`;
        endpoint.log.debug({ code }, "no mpv listening on this socket");
        retry = this.retryWhileNotRunning(endpoint, attempt);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        if (endpoint.lastProblem !== message) endpoint.log.warn({ err: error }, "mpv socket is not usable; disconnected");
        endpoint.lastProblem = message;
        endpoint.failures += 1;
        if (endpoint.source === "config") retry = { inMs: this.backoff(endpoint), attempt: attempt + 1 };
      }
    } finally {
      endpoint.connecting = false;
    }
    if (!this.running) return;
    if (endpoint.connections.size === 0 && endpoint.source === "config") this.report(endpoint, "disconnected", endpoint.lastProblem);
    if (endpoint.again) {
      this.trigger(endpoint);
    } else if (retry !== undefined && endpoint.connections.size === 0) {
      this.schedule(endpoint, retry.inMs, retry.attempt);
    }
  }

  /**
   * When to try an endpoint again after "no mpv listening": a watched socket (in a socket directory, or an explicit one
   * whose directory is watched) a few times shortly after an event, then only at the next event; an explicit socket
   * that cannot be watched every reconnectSeconds — and each time it is tried, watching its directory is tried too.
   */
  private retryWhileNotRunning(endpoint: Endpoint, attempt: number): Retry | undefined {
    if (endpoint.source === "dir" || endpoint.watch?.active) {
      const inMs = DIR_RETRY_MS[attempt];
      return inMs === undefined ? undefined : { inMs, attempt: attempt + 1 };
    }
    // Watched from now on (its directory appeared): one more look in case mpv started just before, then events only.
    if (this.watchPath(endpoint, false)) return { inMs: DIR_RETRY_MS[0]!, attempt: DIR_RETRY_MS.length };
    return { inMs: this.config.reconnectSeconds * 1000, attempt: attempt + 1 };
  }

  /** Starts watching an explicit socket's directory; false when it cannot be (the socket is then polled). */
  private watchPath(endpoint: Endpoint, first: boolean): boolean {
    endpoint.watch ??= new SocketPathWatcher({
      path: endpoint.path,
      onEvent: () => this.trigger(endpoint),
      onLost: (reason) => {
        endpoint.log.info({ reason }, `no longer watching for this mpv socket; trying it every ${this.config.reconnectSeconds} s`);
        if (endpoint.connections.size === 0) this.schedule(endpoint, this.config.reconnectSeconds * 1000, 0);
      },
    });
    const problem = endpoint.watch.start();
    if (problem === undefined) {
      if (!first) endpoint.log.info("watching for this mpv socket again");
      return true;
    }
    if (first) endpoint.log.info({ reason: problem }, `cannot watch for this mpv socket; trying it every ${this.config.reconnectSeconds} s instead`);
    return false;
  }

  private closed(endpoint: Endpoint, connection: MpvConnection, error: Error | undefined): void {
    endpoint.connections.delete(connection);
    if (!this.running) return;
    const code = firstErrorCode(error);
    const broken = error !== undefined && !(code !== undefined && NOT_RUNNING.has(code));
    if (broken) {
      endpoint.failures += 1;
      endpoint.lastProblem = error.message;
      endpoint.log.warn({ err: error, pid: connection.pid }, "mpv connection dropped");
    } else {
      endpoint.lastProblem = "mpv quit";
      endpoint.log.info({ pid: connection.pid }, "mpv disconnected");
    }
    // A watched socket's mpv that quit is gone, as in status(); an explicit socket's is disconnected until it is back.
    if (endpoint.connections.size === 0) this.report(endpoint, endpoint.source === "dir" ? "stopped" : "disconnected", endpoint.lastProblem);
    // The next mpv on a watched socket shows up through its watcher (it replaces the file); an explicit socket that
    // is not watched is polled. After a broken connection the mpv may still be listening: it is tried with backoff.
    if (endpoint.source === "config" && endpoint.connections.size === 0) {
      if (broken) this.schedule(endpoint, this.backoff(endpoint), 0);
      else if (!endpoint.watch?.active) this.schedule(endpoint, this.config.reconnectSeconds * 1000, 0);
    }
  }

  /** Tells the context of an endpoint's new connection state, once per change. */
  private report(endpoint: Endpoint, state: AdapterConnectionState, detail: string | undefined): void {
    if (endpoint.reported === state) return;
    endpoint.reported = state;
    reportConnection(this.options.context, { name: `mpv:${endpoint.path}`, kind: "mpv", state, ...(detail === undefined ? {} : { detail }) }, endpoint.log);
  }

  private schedule(endpoint: Endpoint, delayMs: number, attempt: number): void {
    clearTimeout(endpoint.timer);
    endpoint.timer = setTimeout(() => {
      endpoint.timer = undefined;
      this.trigger(endpoint, attempt);
    }, delayMs);
    endpoint.timer.unref();
  }

  private backoff(endpoint: Endpoint): number {
    return backoffMs(endpoint.failures - 1, { initialMs: this.config.reconnectSeconds * 1000, maxMs: MAX_BACKOFF_MS, jitter: 0 });
  }
}

