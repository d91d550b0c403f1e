// Reading one queue control request (`queue retry|drop` handing its request to the running daemon through
// `<outbox>/control/*.json`). The directory is the daemon's, but if it ever is writable by others (a mistake doctor
// warns about) a planted file must not be a way to read other files: a symlink, a FIFO, a device or a large file is
// refused, and no error message quotes what the file holds.
import { parseUntrustedJson } from "../util/json.js";
import { readRegularFile } from "../util/safe-fs.js";

export interface ControlRequest {
  op: "retry" | "drop";
  id: string;
}

/** A request is ~80 bytes; anything much larger is not one. */
export const MAX_CONTROL_FILE_BYTES = 4096;

/** Reads and checks one control file; throws an Error that names the file and the problem, never its content. */
export async function readControlFileSafely(file: string): Promise<ControlRequest> {
  const text = await readRegularFile(file, MAX_CONTROL_FILE_BYTES);
  let value: unknown;
  try {
    value = parseUntrustedJson(text, 4);
  } catch {
    throw new Error(`${file} is not a queue control request (not JSON)`);
  }
  const request = value as Partial<Record<keyof ControlRequest, unknown>> | null;
  if (typeof request !== "object" || request === null || (request.op !== "retry" && request.op !== "drop") || typeof request.id !== "string") {
    throw new Error(`${file} is not a queue control request (expected {"op":"retry"|"drop","id":"…"})`);
  }
  return { op: request.op, id: request.id };
}
