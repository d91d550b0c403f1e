// How adapters fill MediaHints (the contract in docs/identify.md), applied to the captured player fixtures.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { MediaHints } from "../../src/core/playback.js";
import { FIXTURES_DIR } from "../support/fixtures.js";

export const FIXTURES = FIXTURES_DIR;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw captured JSON, read loosely on purpose
type Json = Record<string, any>;

/**
 * Kodi `Player.GetItem` item (or an old-XBMC notification's data): library items keep their type, anything else
 * is "unknown" (Kodi says "movie" for a plain S05E14 file); `uniqueid` → `ids`; `imdbnumber` → guid
 * `kodi-imdbnumber://…`; sentinels (-1, "", 0, 1601) are left for identify/ to drop.
 */
export function kodiHints(item: Json, showUniqueId?: Json): MediaHints {
  const hints: MediaHints = {};
  const library = typeof item.id === "number" && (item.type === "movie" || item.type === "episode");
  hints.kind = library ? item.type : item.type === "episode" && item.showtitle ? "episode" : "unknown";
  if (typeof item.title === "string") hints.title = item.title;
  if (typeof item.year === "number") hints.year = item.year;
  if (typeof item.showtitle === "string") hints.showTitle = item.showtitle;
  if (typeof item.season === "number") hints.season = item.season;
  if (typeof item.episode === "number") hints.episode = item.episode;
  const ids = (u: Json | undefined) =>
    Object.fromEntries(Object.entries(u ?? {}).filter(([k, v]) => ["imdb", "tmdb", "tvdb", "trakt"].includes(k) && typeof v === "string" && v !== ""));
  if (item.uniqueid) hints.ids = ids(item.uniqueid);
  if (showUniqueId) hints.showIds = ids(showUniqueId);
  if (typeof item.imdbnumber === "string" && item.imdbnumber !== "") hints.guids = [`kodi-imdbnumber://${item.imdbnumber}`];
  if (typeof item.file === "string" && item.file !== "") hints.path = item.file;
  else if (!library && typeof item.label === "string" && item.label !== "") hints.mediaTitle = item.label;
  return hints;
}

export function readJson(...parts: string[]): Json {
  return JSON.parse(readFileSync(join(FIXTURES, ...parts), "utf8"));
}

export function plexFixtures(): { name: string; payload: Json }[] {
  return readdirSync(join(FIXTURES, "plex"))
    .filter((f) => f.endsWith(".json"))
    .map((name) => ({ name, payload: readJson("plex", name) }));
}

/** Every distinct non-empty item Player.GetItem returned in the real Kodi 20 transcript, per scenario. */
export function kodiTranscriptItems(): { scenario: string; item: Json }[] {
  const transcript = readJson("kodi", "transcript.kodi20.real-headless.json");
  const out: { scenario: string; item: Json }[] = [];
  for (const [scenario, s] of Object.entries<Json>(transcript.scenarios)) {
    const sent = new Map<number, Json>();
    const seen = new Set<string>();
    for (const e of s.events as Json[]) {
      const msg = e.msg as Json | undefined;
      if (!msg) continue;
      if (e.dir === "send" && msg.id !== undefined) sent.set(msg.id, msg);
      if (e.dir !== "recv" || msg.id === undefined || sent.get(msg.id)?.method !== "Player.GetItem") continue;
      const item = msg.result?.item as Json | undefined;
      if (!item || (item.file === "" && item.label === "")) continue;
      const key = JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ scenario, item });
    }
  }
  return out;
}
