// Queue control files: how `queue retry|drop` hands a request to the daemon that holds the journal's lock. The CLI
// writes `<dir>/control/<time>-<uuid>.json` (atomically: a hidden temp file renamed into place); the daemon lists
// them in name order, reads each with `readControlFile` and removes it once applied.
// Reading a control file happens only in `readControlFile`. The directory is the daemon's, but if it ever is writable
// by others (a mistake doctor warns about) a planted file must not be a way to read other files: a symlink, a FIFO,
// a device or a large file is refused, and no error message quotes what the file holds.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { parseUntrustedJson } from "../util/json.js";
import { readRegularFile } from "../util/safe-fs.js";

export type ControlRequest = { op: "retry" | "drop"; id: string };

export function controlDir(outboxDir: string): string {
  return path.join(outboxDir, "control");
}

/** Writes a request for the running daemon; returns the file's path. */
export async function writeControlRequest(outboxDir: string, request: ControlRequest): Promise<string> {
  const control = controlDir(outboxDir);
  await mkdir(control, { recursive: true, mode: 0o700 });
  const file = path.join(control, `${Date.now()}-${randomUUID()}.json`);
  await writeFileAtomic(file, JSON.stringify(request));
  return file;
}

/** The waiting request files, oldest first; none when the directory does not exist. */
export async function listControlFiles(outboxDir: string): Promise<string[]> {
  const control = controlDir(outboxDir);
  let names: string[];
  try {
    names = await readdir(control);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json") && !n.startsWith("."))
    .sort()
    .map((n) => path.join(control, n));
}

/** A request is ~80 bytes; anything much larger is not one. */
export const MAX_CONTROL_FILE_BYTES = 4096;

/** Reads and checks one request; throws an Error that names the file and the problem, never its content. */
export async function readControlFile(file: string): Promise<ControlRequest> {
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

export async function removeControlFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}
