// Reads the guid strings players send (Plex new-agent Guid array, Plex legacy agent guids, Kodi's default id) into
// ids Trakt understands. A guid names either the item itself or, for legacy TV agents, the show plus season/episode.

export interface ExternalIds {
  trakt?: number;
  slug?: string;
  imdb?: string;
  tmdb?: number;
  tvdb?: number;
}

export type GuidInfo =
  /** Ids of the item itself (a movie, or an episode's own ids). */
  | { kind: "item"; ids: ExternalIds; legacy: boolean; raw: string }
  /** Ids of the show, with season and episode when the guid carries them. */
  | { kind: "show"; ids: ExternalIds; season?: number; episode?: number; legacy: boolean; raw: string }
  /** Recognised but carries nothing Trakt can use (plex://, local://, none://, anidb-…). */
  | { kind: "none"; why: string; raw: string };

const IMDB = /^tt\d{5,}$/;

function positive(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

/** "73871/2/15" → show 73871, season 2, episode 15 (episode may be absent for a season or show guid). */
function showPath(rest: string): { id: string; season?: number; episode?: number } {
  const [id = "", s, e] = rest.split("/");
  const out: { id: string; season?: number; episode?: number } = { id };
  if (s !== undefined && /^\d+$/.test(s)) out.season = Number(s);
  if (e !== undefined && /^\d+$/.test(e)) out.episode = Number(e);
  return out;
}

function showGuid(ids: ExternalIds, path: { season?: number; episode?: number }, raw: string): GuidInfo {
  const info: GuidInfo = { kind: "show", ids, legacy: true, raw };
  if (path.season !== undefined) info.season = path.season;
  if (path.episode !== undefined) info.episode = path.episode;
  return info;
}

export function parseGuid(raw: string): GuidInfo | undefined {
  const trimmed = raw.trim();
  const m = /^([a-z0-9.+_-]+):\/\/(.*)$/i.exec(trimmed);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!.replace(/\?.*$/, "").replace(/\/+$/, "");
  const agent = scheme.replace(/^com\.plexapp\.agents\./, "").replace(/^tv\.plex\.agents\./, "");
  switch (agent) {
    // new Plex agents' Guid array and Kodi-style schemes: the item's own ids
    case "imdb": {
      if (scheme === "imdb" || scheme === "com.plexapp.agents.imdb") {
        return IMDB.test(rest) ? { kind: "item", ids: { imdb: rest }, legacy: scheme !== "imdb", raw } : undefined;
      }
      return undefined;
    }
    case "tmdb":
    case "themoviedb": {
      if (rest.includes("/")) {
        const p = showPath(rest);
        const id = positive(p.id);
        return id === undefined ? undefined : showGuid({ tmdb: id }, p, raw);
      }
      const id = positive(rest);
      return id === undefined ? undefined : { kind: "item", ids: { tmdb: id }, legacy: agent === "themoviedb", raw };
    }
    case "tvdb": {
      const id = positive(rest);
      return id === undefined ? undefined : { kind: "item", ids: { tvdb: id }, legacy: false, raw };
    }
    case "thetvdb":
    case "thetvdbdvd":
    case "xbmcnfotv": {
      const p = showPath(rest);
      const id = positive(p.id);
      return id === undefined ? undefined : showGuid({ tvdb: id }, p, raw);
    }
    case "xbmcnfo": {
      // movie NFO agent: usually an IMDb id
      if (IMDB.test(rest)) return { kind: "item", ids: { imdb: rest }, legacy: true, raw };
      return { kind: "none", why: "xbmcnfo guid without an IMDb id", raw };
    }
    case "hama": {
      // Hama (anime): "tvdb-81797/9/21", "tvdb2-…"; "anidb-1234" has no id Trakt knows
      const h = /^tvdb\d?-(\d+)(\/.*)?$/.exec(rest);
      if (h) {
        const p = showPath(`${h[1]}${h[2] ?? ""}`);
        return showGuid({ tvdb: Number(h[1]) }, p, raw);
      }
      return { kind: "none", why: "Hama guid with an AniDB id (Trakt has no AniDB ids)", raw };
    }
    case "trakt": {
      const id = positive(rest);
      return id === undefined ? undefined : { kind: "item", ids: { trakt: id }, legacy: false, raw };
    }
    case "kodi-imdbnumber":
    case "kodi-default": {
      // Kodi's imdbnumber: the scraper's default id — IMDb for most movies, a TVDB number for episodes
      if (IMDB.test(rest)) return { kind: "item", ids: { imdb: rest }, legacy: false, raw };
      return { kind: "none", why: "Kodi default id that is not an IMDb id (provider unknown)", raw };
    }
    case "plex":
      return { kind: "none", why: "new Plex agent guid (opaque; ids are in the Guid array)", raw };
    case "local":
    case "none":
    case "com.plexapp.agents.none":
      return { kind: "none", why: "local media without an agent id", raw };
    default:
      return undefined;
  }
}
