// `status`: what the running daemon is doing, from its /api/status.
import { clientServerToken } from "../../config/server-address.js";
import { runningDaemon } from "../daemon-url.js";
import { httpGet } from "../http-get.js";
import type { GlobalOptions } from "../options.js";

interface StatusReply {
  version?: string;
  uptimeSeconds?: number;
  ready?: { ready: boolean; reasons: string[] };
  adapters?: { name: string; state: string; detail?: string; sessions?: ServerSession[] }[];
  playing?: { player: string; state: string; item: string; progress?: number; account?: string }[];
  outbox?: { pending: number; deadLetters: number };
  lastScrobbles?: { label: string; kind: string; outcome: string; at: string; account: string }[];
  notIdentified?: { at: string; what: string; reason: string }[];
  accounts?: { account: string; user?: string; state: string; backend?: string; expiresAt?: string; reason?: string }[];
  notify?: {
    targets: { name: string; url: string; queued: number; sending?: number; sent: number; failed: number; dropped: number; lastResult?: { at: string; ok: boolean; error?: string }; retryAt?: string; disabled?: string }[];
  };
}

/** A media server's session (Plex, Jellyfin, Emby), as /api/status lists it under its adapter. */
interface ServerSession {
  user?: string;
  player?: string;
  item: string;
  state: string;
  progress?: number;
  account?: string;
  ignored?: string;
}

function renderSession(s: ServerSession): string {
  const who = `${s.user ?? "?"}${s.player ? ` on ${s.player}` : ""}`;
  const where = s.progress === undefined ? "" : ` at ${s.progress.toFixed(1)} %`;
  const to = s.ignored !== undefined ? ` — ignored: ${s.ignored}` : s.account !== undefined ? ` → ${s.account}` : "";
  return `    ${who}: ${s.state} ${s.item}${where}${to}`;
}

function render(status: StatusReply, base: string, token: string | undefined): string {
  const lines: string[] = [];
  lines.push(`trakt-scrobblerd ${status.version ?? "?"}, up ${status.uptimeSeconds ?? "?"} s — ${status.ready?.ready ? "ready" : "NOT READY"}`);
  for (const reason of status.ready?.reasons ?? []) lines.push(`  ! ${reason}`);
  lines.push("", `Dashboard: ${base}/${token ? ` — password: ${token}` : ""}`);
  lines.push("", "Accounts:");
  if (!status.accounts?.length) lines.push("  (none: run `trakt-scrobblerd login`)");
  for (const a of status.accounts ?? []) {
    lines.push(`  ${a.account}: ${a.state}${a.user ? ` (${a.user})` : ""}${a.expiresAt ? `, token expires ${a.expiresAt}` : ""}${a.backend ? `, ${a.backend}` : ""}${a.reason ? ` — ${a.reason}` : ""}`);
  }
  lines.push("", "Players:");
  for (const a of status.adapters ?? []) {
    lines.push(`  ${a.name}: ${a.state}${a.detail ? ` — ${a.detail}` : ""}`);
    for (const s of a.sessions ?? []) lines.push(renderSession(s));
  }
  lines.push("", "Playing now:");
  if (!status.playing?.length) lines.push("  (nothing)");
  for (const p of status.playing ?? []) {
    lines.push(`  ${p.player}: ${p.state} ${p.item}${p.progress === undefined ? "" : ` at ${p.progress.toFixed(1)} %`}${p.account ? ` → ${p.account}` : ""}`);
  }
  lines.push("", `Outbox: ${status.outbox?.pending ?? 0} waiting, ${status.outbox?.deadLetters ?? 0} dead letters (see \`trakt-scrobblerd queue list\`)`);
  if (status.lastScrobbles?.length) {
    lines.push("", "Last scrobbles:");
    for (const s of status.lastScrobbles.slice(0, 10)) lines.push(`  ${s.at} ${s.kind} ${s.label} → ${s.account}: ${s.outcome}`);
  }
  if (status.notify?.targets.length) {
    lines.push("", "Notifications:");
    for (const t of status.notify.targets) {
      const last = t.lastResult ? `last ${t.lastResult.ok ? "sent" : `FAILED (${t.lastResult.error ?? "?"})`} at ${t.lastResult.at}` : "nothing sent yet";
      const waiting = `${t.sending ? `, ${t.sending} being sent` : ""}${t.queued ? `, ${t.queued} waiting${t.retryAt ? ` (retry at ${t.retryAt})` : ""}` : ""}`;
      lines.push(`  ${t.name} (${t.url}): ${t.disabled ? `NOT USED: ${t.disabled}` : last}${waiting}; ${t.sent} sent, ${t.failed} failed, ${t.dropped} dropped`);
    }
  }
  if (status.notIdentified?.length) {
    lines.push("", "Not scrobbled (not identified):");
    for (const m of status.notIdentified.slice(-5)) lines.push(`  ${m.at} ${m.what}`, `    ${m.reason}`);
  }
  return lines.join("\n");
}

export async function status(globals: GlobalOptions, opts: { json?: boolean; url?: string }): Promise<void> {
  let base = opts.url;
  try {
    const daemon = base === undefined ? await runningDaemon(globals) : { url: base, token: clientServerToken(process.env, { stateDir: globals.stateDir }) };
    base = daemon.url;
    // Beyond loopback the daemon asks for its token: the one in its state directory (readable by its own user).
    const response = await httpGet(new URL("/api/status", base), 5_000, daemon.token ? { authorization: `Bearer ${daemon.token}` } : {});
    if (response.status === 401) {
      throw new Error("the daemon asks for its password: run this as the daemon's user (it reads <stateDir>/server-token), or set TRAKT_SCROBBLERD_SERVER_TOKEN");
    }
    if (response.status !== 200) throw new Error(`the daemon answered ${response.status}`);
    const reply = JSON.parse(response.body) as StatusReply;
    console.log(opts.json ? JSON.stringify(reply, null, 2) : render(reply, base, daemon.token));
    if (reply.ready && !reply.ready.ready) process.exitCode = 3;
  } catch (error) {
    console.error(`cannot reach the daemon at ${base ?? "(unknown)"}: ${error instanceof Error ? error.message : String(error)}. Is \`trakt-scrobblerd run\` running?`);
    process.exitCode = 1;
  }
}
