// A client for one mpv JSON IPC connection: framing, request/reply matching by request_id (events arrive in
// between), request timeouts, and closing on anything that is not mpv speaking its protocol. It knows nothing
// about playback; the adapter turns its events into PlaybackEvents.
import { createConnection, type Socket } from "node:net";
import type { Logger } from "../../util/log.js";
import { LineSplitter, LineTooLongError } from "./lines.js";
import { encodeCommand, MpvProtocolError, parseMessage, type MpvEvent, type MpvReply } from "./protocol.js";

export class MpvCommandError extends Error {
  constructor(
    readonly command: string,
    readonly mpvError: string,
  ) {
    super(`mpv refused ${command}: ${mpvError}`);
    this.name = "MpvCommandError";
  }
}

export class MpvTimeoutError extends Error {
  constructor(command: string, timeoutMs: number) {
    super(`mpv did not answer ${command} within ${timeoutMs} ms`);
    this.name = "MpvTimeoutError";
  }
}

export class MpvClosedError extends Error {
  constructor(message = "mpv connection closed") {
    super(message);
    this.name = "MpvClosedError";
  }
}

export interface MpvClientOptions {
  /** Unix socket path or Windows named pipe, passed to net.connect as is. */
  path: string;
  requestTimeoutMs: number;
  maxLineBytes: number;
  log: Logger;
  onEvent: (event: MpvEvent) => void;
  /** Called once after a successful connect. `error` is undefined when mpv closed normally (it quit). */
  onClose: (error: Error | undefined) => void;
}

interface Pending {
  command: string;
  resolve: (reply: MpvReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const PROPERTY_UNAVAILABLE = "property unavailable";

export class MpvClient {
  private socket: Socket | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private closed = false;
  private closeError: Error | undefined;
  private finished = false;

  constructor(private readonly options: MpvClientOptions) {}

  get isOpen(): boolean {
    return this.socket !== undefined && !this.closed;
  }

  /** Connects; rejects with the socket error (its `code`, e.g. ECONNREFUSED or ENOENT, tells why). */
  connect(): Promise<void> {
    if (this.socket) return Promise.reject(new Error("MpvClient.connect called twice"));
    const splitter = new LineSplitter(this.options.maxLineBytes);
    return new Promise<void>((resolve, reject) => {
      const socket = createConnection(this.options.path);
      this.socket = socket;
      let connected = false;
      socket.once("connect", () => {
        connected = true;
        resolve();
      });
      socket.on("data", (chunk: Buffer) => {
        if (this.closed) return;
        let lines: string[];
        try {
          lines = splitter.push(chunk);
        } catch (error) {
          this.fail(error instanceof LineTooLongError ? new MpvProtocolError(error.message, { cause: error }) : toError(error));
          return;
        }
        for (const line of lines) {
          if (this.closed) return;
          this.handleLine(line);
        }
      });
      socket.on("error", (error) => {
        if (!connected) {
          this.closed = true;
          reject(error);
          return;
        }
        this.closeError ??= error;
      });
      socket.on("close", () => {
        if (!connected) return;
        if (splitter.bufferedBytes > 0) {
          this.options.log.debug({ bytes: splitter.bufferedBytes }, "mpv connection closed in the middle of a line");
        }
        this.finish(this.closeError);
      });
    });
  }

  /** Sends a command and resolves with mpv's reply (whatever its `error`). */
  request(command: readonly unknown[]): Promise<MpvReply> {
    const socket = this.socket;
    if (!socket || this.closed) return Promise.reject(new MpvClosedError());
    const requestId = this.nextRequestId++;
    const name = String(command[0]);
    return new Promise<MpvReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new MpvTimeoutError(name, this.options.requestTimeoutMs));
      }, this.options.requestTimeoutMs);
      this.pending.set(requestId, { command: name, resolve, reject, timer });
      socket.write(encodeCommand(command, requestId));
    });
  }

  /** Runs a command; resolves with its `data`, rejects with MpvCommandError when mpv reports a failure. */
  async command(command: readonly unknown[]): Promise<unknown> {
    const reply = await this.request(command);
    if (reply.error !== "success") throw new MpvCommandError(String(command[0]), reply.error);
    return reply.data;
  }

  /** A property's value, or undefined when mpv says it is unavailable right now (no file, unknown duration…). */
  async getProperty(name: string): Promise<unknown> {
    const reply = await this.request(["get_property", name]);
    if (reply.error === PROPERTY_UNAVAILABLE) return undefined;
    if (reply.error !== "success") throw new MpvCommandError(`get_property ${name}`, reply.error);
    return reply.data;
  }

  /** Observes a property; `id` must not be 0 (mpv omits a zero id from its events). */
  async observe(id: number, name: string): Promise<void> {
    if (!Number.isInteger(id) || id <= 0) throw new RangeError(`observer id must be a positive integer, got ${id}`);
    await this.command(["observe_property", id, name]);
  }

  /** Closes the connection; onClose is called with `error` (undefined for a deliberate close). */
  close(error?: Error): void {
    if (this.closed) return;
    this.finish(error);
    this.socket?.destroy();
  }

  private handleLine(line: string): void {
    let message;
    try {
      message = parseMessage(line);
    } catch (error) {
      this.fail(toError(error));
      return;
    }
    if (!message) return;
    if (message.type === "event") {
      try {
        this.options.onEvent(message);
      } catch (error) {
        // A bug in a listener must not take the connection down with it.
        this.options.log.error({ err: error, event: message.event }, "mpv event handler failed");
      }
      return;
    }
    const pending = this.pending.get(message.requestId);
    if (!pending) {
      this.options.log.debug({ requestId: message.requestId }, "mpv reply to no request of ours; ignored");
      return;
    }
    this.pending.delete(message.requestId);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  private fail(error: Error): void {
    this.close(error);
  }

  private finish(error: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error ?? new MpvClosedError());
      this.pending.delete(id);
    }
    this.options.onClose(error);
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
