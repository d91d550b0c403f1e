// Queue control files: how `queue retry|drop` hands a request to the daemon that holds the journal's lock. The CLI
// writes `<dir>/control/<time>-<uuid>.json` (atomically: a hidden temp file renamed into place); the daemon lists
// them in name order, reads each with `readControlFile` and removes it once applied.
// Reading a control file happens only in `readControlFile`: how such a file may be opened is decided there.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";

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

/** Reads one request. Undefined when it is not a request we know; throws when the file cannot be read or parsed. */
export async function readControlFile(file: string): Promise<ControlRequest | undefined> {
  const request = JSON.parse(await readFile(file, "utf8")) as Partial<ControlRequest>;
  if ((request.op === "retry" || request.op === "drop") && typeof request.id === "string") return { op: request.op, id: request.id };
  return undefined;
}

export async function removeControlFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}
