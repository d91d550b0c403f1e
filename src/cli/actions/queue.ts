// `trakt-scrobblerd queue list | retry ID | drop ID`: look at and manage the outbox and its dead letters.
// When the daemon is running it holds the journal's lock: `list` then reads a snapshot, and `retry`/`drop` are handed
// to the daemon through <stateDir>/outbox/control/ (which it watches: applied at once). Otherwise the command opens the
// journal itself, with the lock, so two writers never meet.
import path from "node:path";
import { openQueueOutbox, outboxDir } from "../../compose/app.js";
import { tryLoadConfig } from "../../config/load.js";
import { resolveStateDir, systemPathContext } from "../../config/paths.js";
import { Outbox, lockHolder, type QueueEntryView } from "../../outbox/index.js";
import type { GlobalOptions } from "../options.js";
import { formatTable } from "../../util/table.js";

/**
 * The state dir and default account as the daemon sees them (config file + environment + --state-dir). A config
 * that does not validate must not keep you from managing the queue: then the state dir is found without it (and
 * a warning says so).
 */
export function queueContext(globals: GlobalOptions, warn: (line: string) => void): { stateDir: string; defaultAccount: string } {
  const loaded = tryLoadConfig({ configFile: globals.config, stateDir: globals.stateDir });
  if (loaded.ok) return { stateDir: loaded.loaded.stateDir, defaultAccount: loaded.loaded.config.accounts.default };
  warn(`warning: the configuration is invalid (${loaded.error.message.split("\n")[0]}); locating the state directory without it`);
  return { stateDir: resolveStateDir({ flag: globals.stateDir }, systemPathContext()).dir, defaultAccount: "default" };
}

export interface QueueIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

const FIX: Record<string, string> = {
  not_found: "Trakt does not know this item: check the ids/title your player sends, add an identify override, then `queue retry ID`",
  invalid: "Trakt refused the request (422/400): usually progress or ids are wrong; `queue retry ID` after fixing, or `queue drop ID`",
  account_limit: "your Trakt account hit a limit (420): free space or upgrade, then `queue retry ID`",
  unknown_media: "could not identify the media: add an identify override (see `trakt-scrobblerd match`), then `queue retry ID`",
};

export function printListing(entries: { pending: QueueEntryView[]; deadLetters: QueueEntryView[] }, io: QueueIo, daemon: string | undefined): void {
  const short = (id: string): string => (id.length > 12 ? id.slice(0, 12) : id);
  io.out(daemon ? `outbox (daemon running: ${daemon})` : "outbox (daemon not running)");
  io.out(`pending: ${entries.pending.length}`);
  if (entries.pending.length > 0) {
    const rows = [["ID", "KIND", "ACCOUNT", "AGE", "TRIES", "MEDIA", "LAST ERROR"]];
    for (const e of entries.pending) {
      rows.push([short(e.id), e.replayed ? `${e.kind}→history` : e.kind, e.account, age(e.ageMs), String(e.attempts), e.label, e.lastError ?? ""]);
    }
    for (const line of formatTable(rows, { indent: "  " })) io.out(line);
  }
  io.out(`dead letters: ${entries.deadLetters.length}`);
  if (entries.deadLetters.length > 0) {
    const rows = [["ID", "KIND", "ACCOUNT", "AGE", "REASON", "MEDIA", "WHY"]];
    for (const e of entries.deadLetters) rows.push([short(e.id), e.kind, e.account, age(e.ageMs), e.dead?.reason ?? "?", e.label, e.dead?.message ?? ""]);
    for (const line of formatTable(rows, { indent: "  " })) io.out(line);
    const reasons = new Set(entries.deadLetters.map((e) => e.dead?.reason ?? ""));
    for (const r of reasons) if (FIX[r]) io.out(`  ${r}: ${FIX[r]}`);
  }
}

/** The command's work, apart from commander so it can be tested. Returns the exit code. */
export async function runQueue(
  stateDir: string,
  op: "list" | "retry" | "drop",
  id: string | undefined,
  io: QueueIo,
  options: { json?: boolean; defaultAccount?: string } = {},
): Promise<number> {
  const dir = outboxDir(stateDir);
  const holder = await lockHolder(path.join(dir, "lock"));
  const daemon = holder ? `pid ${holder.pid} on ${holder.host}` : undefined;
  const base = { defaultAccount: options.defaultAccount ?? "default", ...(io.now ? { now: io.now } : {}) };

  if (op === "list" || holder) {
    const snapshot = await openQueueOutbox(stateDir, { ...base, readOnly: true });
    if (op === "list") {
      const listing = snapshot.list();
      if (options.json) io.out(JSON.stringify(listing, null, 2));
      else printListing(listing, io, daemon);
      return 0;
    }
    // The daemon owns the journal: check the id now for a clear answer, then hand the request over.
    const entry = snapshot.find(id ?? "");
    if (op === "retry" && !entry.dead) throw new Error(`${entry.id} is not a dead letter; it is already waiting in the queue`);
    await Outbox.requestControl(dir, { op, id: entry.id });
    io.out(`${op === "retry" ? "retry" : "drop"} of ${entry.id} (${entry.label}) handed to the running daemon (${daemon}); it applies it at once`);
    return 0;
  }

  const outbox = await openQueueOutbox(stateDir, base);
  try {
    if (op === "retry") {
      const e = await outbox.retry(id ?? "");
      io.out(`moved ${e.id} (${e.kind}, ${e.label}) back to the queue; it is sent when the daemon next runs`);
    } else {
      const e = await outbox.drop(id ?? "");
      io.out(`dropped ${e.id} (${e.kind}, ${e.label}${e.dead ? `, dead letter: ${e.dead.reason}` : ", was pending"}) — it will not be sent`);
    }
    return 0;
  } finally {
    await outbox.close();
  }
}


export async function queue(opts: GlobalOptions & { json?: boolean }, op: "list" | "retry" | "drop", id?: string): Promise<void> {
  const io: QueueIo = { out: (l) => console.log(l), err: (l) => console.error(l) };
  try {
    const { stateDir, defaultAccount } = queueContext(opts, io.err);
    process.exitCode = await runQueue(stateDir, op, id, io, { defaultAccount, ...(opts.json ? { json: true } : {}) });
  } catch (error) {
    io.err(`queue ${op}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
