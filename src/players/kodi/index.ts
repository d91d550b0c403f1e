// The Kodi player: one adapter per configured instance.
import type { KodiSection } from "../../config/sections/players.js";
import type { PlayerFactory } from "../adapter.js";
import { KodiAdapter } from "./adapter.js";

export { KodiAdapter, type KodiAdapterOptions } from "./adapter.js";
export { KodiClient, KodiRpcError, KodiTimeoutError, KodiDisconnectedError, type KodiNotification } from "./client.js";

export const kodiAdapters: PlayerFactory<KodiSection> = (section, shared) =>
  section.instances.map((instance) => {
    const settings = {
      name: instance.name,
      url: instance.url,
      account: instance.account,
      ignoreLiveTv: section.ignoreLiveTv,
      excludePaths: section.excludePaths,
      pollMaxMs: section.pollMaxSeconds * 1000,
      watchedThreshold: shared.watchedThreshold,
    };
    return {
      name: instance.name,
      fingerprint: JSON.stringify(settings),
      // The adapter names its component and instance in its log lines.
      create: (context, log) => new KodiAdapter({ ...settings, log }, context),
    };
  });
