// The shapes of mpv's JSON IPC messages (see test/fixtures/mpv/NOTES.md) and their parsing. Hand-narrowed
// rather than a zod schema: this runs for every time-pos change (tens of lines a second per player) and the
// checks are three fields deep.
import { JsonTooDeepError, parseUntrustedJson } from "../../util/json.js";

/** `{"request_id": 7, "error": "success", "data": …}`; `data` is absent when a property could not be read. */
export interface MpvReply {
  type: "reply";
  requestId: number;
  error: string;
  data?: unknown;
}

/** `{"event": "end-file", "reason": "eof", …}`; property changes carry `id`, `name` and maybe `data`. */
export interface MpvEvent {
  type: "event";
  event: string;
  fields: Readonly<Record<string, unknown>>;
}

export type MpvMessage = MpvReply | MpvEvent;

export class MpvProtocolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MpvProtocolError";
  }
}

/** Parses one line from mpv. Empty lines yield undefined; anything that is not an mpv message throws. */
export function parseMessage(line: string): MpvMessage | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  let value: unknown;
  try {
    value = parseUntrustedJson(text);
  } catch (cause) {
    if (cause instanceof JsonTooDeepError) throw new MpvProtocolError(`a message nested deeper than ${cause.limit} levels`, { cause });
    throw new MpvProtocolError(`not JSON: ${preview(text)}`, { cause });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MpvProtocolError(`not a JSON object: ${preview(text)}`);
  }
  const fields = value as Record<string, unknown>;
  if (typeof fields.event === "string") return { type: "event", event: fields.event, fields };
  if (typeof fields.error === "string") {
    // Old mpv omits request_id in replies to requests that had none; we always send one, so 0 means "not ours".
    const requestId = typeof fields.request_id === "number" ? fields.request_id : 0;
    const reply: MpvReply = { type: "reply", requestId, error: fields.error };
    if ("data" in fields) reply.data = fields.data;
    return reply;
  }
  throw new MpvProtocolError(`neither an event nor a reply: ${preview(text)}`);
}

export function encodeCommand(command: readonly unknown[], requestId: number): string {
  // JSON.stringify never emits a raw newline, which mpv's framing requires.
  return `${JSON.stringify({ command, request_id: requestId })}\n`;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
