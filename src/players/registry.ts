// Every kind of player the daemon follows, keyed by its config section. A new player (Jellyfin, Emby) is a folder
// with a factory (its index.ts) and a config section, plus one line here: status, metrics and live reload follow.
// A factory is loaded only when its section is enabled, so a player nobody uses costs no memory.
import type { EmbySection, JellyfinSection } from "../config/sections/mediabrowser.js";
import type { KodiSection, MpvSection, PlexSection } from "../config/sections/players.js";
import type { PlayerFactory } from "./adapter.js";

/** The config sections of the players (the daemon passes its config: the shapes must match). */
export interface PlayerSections {
  mpv: MpvSection;
  kodi: KodiSection;
  plex: PlexSection;
  jellyfin: JellyfinSection;
  emby: EmbySection;
}

export type PlayerKind = keyof PlayerSections;

export const PLAYERS: { readonly [K in PlayerKind]: () => Promise<PlayerFactory<PlayerSections[K]>> } = {
  mpv: async () => (await import("./mpv/index.js")).mpvAdapters,
  kodi: async () => (await import("./kodi/index.js")).kodiAdapters,
  plex: async () => (await import("./plex/index.js")).plexAdapters,
  jellyfin: async () => (await import("./mediabrowser/index.js")).jellyfinAdapters,
  emby: async () => (await import("./mediabrowser/index.js")).embyAdapters,
};
