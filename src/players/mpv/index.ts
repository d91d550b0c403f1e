// The mpv player: one adapter that follows every mpv socket it is told of (or finds in the socket directory).
import type { MpvSection } from "../../config/sections/players.js";
import type { PlayerFactory } from "../adapter.js";
import { MpvAdapter } from "./adapter.js";

export const mpvAdapters: PlayerFactory<MpvSection> = (section, shared) => [
  {
    name: "mpv",
    // Any change (sockets, directory, intervals) restarts the adapter: mpv sessions are read again on connect.
    fingerprint: JSON.stringify(section),
    create: (context, log) => new MpvAdapter({ config: section, context, log: log.child({ component: "mpv" }), stateDir: shared.stateDir }),
  },
];
