// What the page shows, built from the running daemon's parts each time something changes: one JSON document (a few
// KB) that the page renders whole. Everything here is read synchronously from memory; nothing asks Trakt.
import path from "node:path";
import type { Config } from "../config/schema.js";
import { parseMediaName } from "../identify/parse/name.js";
import type { MediaHints } from "../core/playback.js";
import type { QueueEntryView, WatchView } from "../outbox/index.js";
import type { AdapterStatus } from "../players/adapter.js";
import type { DashboardHost } from "./host.js";
import type { LoginView } from "./logins.js";

export interface PlayingView {
  id: string;
  player: string;
  account: string;
  state: string;
  item: string;
  file?: string;
  progress?: number;
  positionMs?: number;
  durationMs?: number;
  updatedAt: string;
}

export interface QueueItemView {
  id: string;
  kind: string;
  account: string;
  /** A readable name ("Breaking Bad S01E01"); `file` is what the player gave when that was a file name. */
  label: string;
  file?: string;
  /** What a pending entry waits for, when it is something the user can do ("login"). */
  waitingFor?: "login";
  player: string;
  queuedAt: string;
  attempts: number;
  watch: boolean;
  lastError?: string;
  reason?: string;
  message?: string;
}

export interface UnidentifiedView {
  /** The path or name the player gave: what the item is known by. */
  what: string;
  /** A short name to show (the file name). */
  name: string;
  /** What identification tried and why it was not enough. */
  reason: string;
  at: string;
  /** Dead letters waiting for this item (delivered once it is fixed). */
  waiting: number;
  /** What to search Trakt for, from the file name. */
  guess: { query: string; type: "movie" | "show"; year?: number };
  /** The override conditions the page offers: every file with this title, or this file only. */
  match: { title?: string; path: string };
}

export interface AccountView {
  account: string;
  user?: string;
  state: string;
  reason?: string;
  expiresAt?: string;
  backend?: string;
  isDefault: boolean;
  /** The players whose watches go to this account. */
  players: string[];
  login?: LoginView;
}

export interface DashboardState {
  version: string;
  /** Sent back with every change (X-CSRF-Token). */
  csrf: string;
  /** Whether the server asks for a password (the page then offers "sign out"). */
  passwordProtected: boolean;
  ready: { ready: boolean; reasons: string[] };
  playing: PlayingView[];
  recent: (WatchView & { file?: string })[];
  queue: { pending: QueueItemView[]; dead: QueueItemView[] };
  unidentified: UnidentifiedView[];
  accounts: AccountView[];
  health: {
    adapters: AdapterStatus[];
    pending: number;
    deadLetters: number;
    startedAt: string;
    configFile?: string;
  };
}

/** "mpv:/run/user/1000/mpv/tv.sock" → "mpv · tv"; "kodi:living-room" → "Kodi · living-room". */
export function playerLabel(player: string): string {
  const colon = player.indexOf(":");
  const kind = colon < 0 ? player : player.slice(0, colon);
  const rest = colon < 0 ? "" : player.slice(colon + 1);
  const names: Record<string, string> = { mpv: "mpv", kodi: "Kodi", plex: "Plex", jellyfin: "Jellyfin", emby: "Emby", simulated: "Demo player" };
  const name = names[kind] ?? kind;
  if (!rest) return name;
  const base = path.basename(rest).replace(/\.sock$/, "");
  return `${name} · ${base}`;
}

/** What an item is known by: the path, else mpv's media-title, else the titles (as identification names a miss). */
export function hintsWhat(hints: MediaHints, label: string): string {
  return hints.path ?? hints.mediaTitle ?? hints.showTitle ?? hints.title ?? label;
}

/**
 * A readable name for an item known only by a file name: "Breaking.Bad.S01E01.Pilot.720p.mkv" → "Breaking Bad
 * S01E01", "Guardians.of.the.Galaxy.2014.1080p.mkv" → "Guardians of the Galaxy (2014)". For display only: what is
 * scrobbled is decided by identification. Labels that are not file names are kept.
 */
export function readable(label: string): { label: string; file?: string } {
  if (!/\.[a-z0-9]{2,4}$/i.test(label)) return { label };
  const parsed = parseMediaName(label);
  if (!parsed.title) return { label };
  const pad = (n: number): string => String(n).padStart(2, "0");
  let name = parsed.title;
  if (parsed.type === "episode" && parsed.episodes?.length) {
    name += parsed.absolute || parsed.seasons === undefined ? ` ${parsed.episodes.join("-")}` : ` S${pad(parsed.seasons[0] ?? 0)}E${parsed.episodes.map(pad).join("E")}`;
  } else if (parsed.year !== undefined) {
    name += ` (${parsed.year})`;
  }
  return { label: name, file: label };
}

function queueItem(e: QueueEntryView, needsLogin: ReadonlySet<string>): QueueItemView {
  return {
    id: e.id,
    kind: e.kind,
    account: e.account,
    ...readable(e.label),
    ...(!e.dead && needsLogin.has(e.account) ? { waitingFor: "login" as const } : {}),
    player: playerLabel(e.player),
    queuedAt: e.queuedAt,
    attempts: e.attempts,
    watch: e.watch,
    ...(e.lastError ? { lastError: e.lastError } : {}),
    ...(e.dead ? { reason: e.dead.reason, message: e.dead.message } : {}),
  };
}

function unidentified(what: string, reason: string, at: string, waiting: number): UnidentifiedView {
  const name = /[\\/]/.test(what) ? path.basename(what) : what;
  const parsed = parseMediaName(what);
  const type = parsed.type === "episode" ? "show" : "movie";
  const title = parsed.title?.trim();
  return {
    what,
    name,
    reason,
    at,
    waiting,
    guess: { query: title || name.replace(/\.[a-z0-9]{2,4}$/i, ""), type, ...(parsed.year !== undefined && type === "movie" ? { year: parsed.year } : {}) },
    match: { ...(title ? { title } : {}), path: name },
  };
}

/** Which players send their watches to which account, from the running config. */
export function routes(config: Config): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (account: string, player: string): void => {
    const list = out.get(account) ?? [];
    list.push(player);
    out.set(account, list);
  };
  const fallback = config.accounts.default;
  if (config.mpv.enabled) add(config.mpv.account ?? fallback, "mpv");
  if (config.kodi.enabled) for (const k of config.kodi.instances) add(k.account ?? fallback, `Kodi · ${k.name}`);
  if (config.plex.enabled) {
    for (const [user, account] of Object.entries(config.plex.users)) add(account, `Plex · ${user}`);
    if (config.plex.defaultAccount !== undefined) add(config.plex.defaultAccount, Object.keys(config.plex.users).length > 0 ? "Plex · other users" : "Plex");
  }
  return out;
}

export function buildState(host: DashboardHost, extra: { csrf: string; passwordProtected: boolean; logins: Record<string, LoginView> }): DashboardState {
  const config = host.config();
  const listing = host.outbox.list();
  const outbox = host.outbox.status();

  const playing: PlayingView[] = host.sessions().map((s) => ({
    id: `${s.player}\u0000${s.sessionKey}`,
    player: playerLabel(s.player),
    account: s.account ?? config.accounts.default,
    state: s.state,
    ...(() => {
      const r = readable(s.item);
      return { item: r.label, ...(r.file ? { file: r.file } : {}) };
    })(),
    ...(s.progress !== undefined ? { progress: s.progress } : {}),
    ...(s.positionMs !== undefined ? { positionMs: s.positionMs } : {}),
    ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
    updatedAt: new Date(s.updatedAt).toISOString(),
  }));

  // Not identified: the dead letters waiting for a match (kept across restarts) and this run's misses, by item.
  const byWhat = new Map<string, UnidentifiedView>();
  for (const e of listing.deadLetters) {
    if (e.dead?.reason !== "unknown_media") continue;
    const what = hintsWhat(e.hints, e.label);
    const known = byWhat.get(what);
    if (known) known.waiting += 1;
    else byWhat.set(what, unidentified(what, e.dead.message, e.dead.at, 1));
  }
  for (const m of host.misses()) {
    const known = byWhat.get(m.what);
    if (known) known.reason = m.reason;
    else byWhat.set(m.what, unidentified(m.what, m.reason, new Date(m.at).toISOString(), 0));
  }

  const routed = routes(config);
  const statuses = new Map(host.tokens.snapshot().map((a) => [a.account, a]));
  const names = new Set([config.accounts.default, ...statuses.keys(), ...routed.keys(), ...Object.keys(extra.logins)]);
  const accounts: AccountView[] = [...names].sort().map((account) => {
    const s = statuses.get(account);
    const login = extra.logins[account];
    return {
      account,
      state: s?.state ?? "needs_login",
      isDefault: account === config.accounts.default,
      players: routed.get(account) ?? [],
      ...(s?.username ? { user: s.username } : {}),
      ...(s?.reason ? { reason: s.reason } : s ? {} : { reason: "not logged in" }),
      ...(s?.expiresAt ? { expiresAt: s.expiresAt.toISOString() } : {}),
      ...(s?.backend ? { backend: s.backend } : {}),
      ...(login ? { login } : {}),
    };
  });

  const needsLogin = new Set(accounts.filter((a) => a.state === "needs_login" || a.state === "locked").map((a) => a.account));
  const configFile = host.configFile();
  return {
    version: host.version,
    csrf: extra.csrf,
    passwordProtected: extra.passwordProtected,
    ready: host.readiness(),
    playing,
    recent: outbox.lastWatches.map((w) => ({ ...w, ...readable(w.label), player: playerLabel(w.player) })),
    queue: { pending: listing.pending.map((e) => queueItem(e, needsLogin)), dead: listing.deadLetters.map((e) => queueItem(e, needsLogin)) },
    unidentified: [...byWhat.values()].sort((a, b) => b.at.localeCompare(a.at)),
    accounts,
    health: {
      adapters: host.adapters().map((a) => ({ ...a, name: a.name.includes(":") ? playerLabel(a.name) : a.name })),
      pending: listing.counts.pending,
      deadLetters: listing.counts.deadLetters,
      startedAt: new Date(host.startedAt).toISOString(),
      ...(configFile ? { configFile } : {}),
    },
  };
}
