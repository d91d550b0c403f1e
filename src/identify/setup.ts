// The one way to build an identifier from config: the composition root (src/compose/app.ts) and `match` both call this.
import { join } from "node:path";
import type { ActivitySink } from "../core/activity.js";
import type { IdentifySection } from "../config/sections/identify.js";
import type { Logger } from "../util/log.js";
import { IdentificationCache } from "./cache.js";
import { TraktIdentifier, type SearchApi } from "./identifier.js";

export const CACHE_FILE = "identify-cache.json";

export interface IdentifierSetup {
  identifier: TraktIdentifier;
  /** Undefined when there is no state dir (e.g. `match` without one): nothing is remembered. */
  cache: IdentificationCache | undefined;
}

export function createIdentifier(options: {
  config: IdentifySection;
  /** Where the cache file lives; undefined = no cache. */
  stateDir: string | undefined;
  /** The Trakt client (search endpoints); undefined = ids only, no searches. */
  api: SearchApi | undefined;
  log?: Logger;
  now?: () => number;
  /** Told of every item that could not be identified. */
  activity?: ActivitySink;
}): IdentifierSetup {
  const { config, stateDir, api, log } = options;
  const cache =
    stateDir === undefined
      ? undefined
      : new IdentificationCache({
          file: join(stateDir, CACHE_FILE),
          maxEntries: config.cacheMaxEntries,
          hitTtlMs: config.cacheTtlDays * 24 * 3_600_000,
          missTtlMs: config.missTtlHours * 3_600_000,
          ...(log ? { log } : {}),
          ...(options.now ? { now: options.now } : {}),
        });
  const identifier = new TraktIdentifier({ api, config, ...(cache ? { cache } : {}), ...(log ? { log } : {}), ...(options.activity ? { activity: options.activity } : {}) });
  return { identifier, cache };
}
