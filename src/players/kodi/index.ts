// Builds one KodiAdapter per configured instance.
import type { AdapterContext } from "../adapter.js";
import type { KodiSection } from "../../config/sections/players.js";
import type { Logger } from "../../util/log.js";
import { KodiAdapter } from "./adapter.js";

export { KodiAdapter, type KodiAdapterOptions } from "./adapter.js";
export { KodiClient, KodiRpcError, KodiTimeoutError, KodiDisconnectedError, type KodiNotification } from "./client.js";

export function createKodiAdapters(
  section: KodiSection,
  ctx: AdapterContext,
  extra: { log?: Logger; watchedThreshold?: number; defaultAccount?: string } = {},
): KodiAdapter[] {
  if (!section.enabled) return [];
  return section.instances.map(
    (instance) =>
      new KodiAdapter(
        {
          name: instance.name,
          url: instance.url,
          account: instance.account ?? extra.defaultAccount,
          ignoreLiveTv: section.ignoreLiveTv,
          excludePaths: section.excludePaths,
          pollMaxMs: section.pollMaxSeconds * 1000,
          ...(extra.watchedThreshold !== undefined ? { watchedThreshold: extra.watchedThreshold } : {}),
          ...(extra.log ? { log: extra.log } : {}),
        },
        ctx,
      ),
  );
}
