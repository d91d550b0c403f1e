// Live delivery through /scrobble/start|pause|stop: one entry at a time, as it happens. A watch is marked as sent
// (fsync'd) before its stop leaves, and looked up in the history first when an earlier send may have arrived. While
// Trakt refuses /scrobble/pause itself, pauses go as stops below 80 % (pause-fallback.ts).
import type { MediaItem } from "../core/media.js";
import type { ScrobbleIntent } from "../scrobble/intent.js";
import { isTraktError } from "../trakt/errors.js";
import { endOf, type Delivery } from "./delivery.js";
import { lookUpInHistory } from "./history.js";
import { itemLabel, scrobbleBody } from "./items.js";
import { PAUSE_FALLBACK_HOLD_MS, pauseAsStopProgress } from "./pause-fallback.js";
import { classifyFailure } from "./policy.js";
import { isWatch, type Entry } from "./state.js";

export async function deliverLive(d: Delivery, account: string, entry: Entry): Promise<void> {
  const { api, counters, scheduler, log, signal, appVersion } = d.deps;
  entry.inFlight = true;
  try {
    const items = await d.identify(entry);
    if (!items || d.closing) return;
    const intent = entry.intent;
    const watch = isWatch(intent);
    if (watch) {
      if (items.length > 1) {
        // A multi-episode file: one scrobble cannot carry several episodes; /sync/history can.
        await d.write([{ t: "replay", at: d.now(), id: intent.id }]);
        return;
      }
      const dup = d.duplicateOf(entry, items);
      if (dup) {
        log.info({ id: intent.id, account, why: dup }, "watch not sent again (duplicate)");
        return await d.complete(entry, "deduped", [], { detail: dup });
      }
      if (entry.ambiguous) {
        // An earlier send may have reached Trakt: look before sending again.
        const found = await lookUpInHistory(d, account, [{ entry, items }]);
        if (!found) return;
        if (found.has(intent.id)) return await d.completeInHistory(entry, items);
      }
      await d.write([{ t: "send", at: d.now(), ids: [intent.id], via: "scrobble" }]);
    }
    const [item] = items;
    if (!item) return;
    const action = intent.kind === "start" ? "start" : intent.kind === "pause" ? "pause" : "stop";
    try {
      if (action === "pause") {
        await sendPause(d, account, item, intent);
      } else {
        await api.scrobble(account, action, scrobbleBody(item, intent.progress, appVersion), { signal, retries: 0 });
        counters.request("scrobble");
      }
    } catch (error) {
      counters.failedRequest("scrobble", error);
      if (isTraktError(error, "conflict")) {
        const watchedAt = error.conflict?.watchedAt?.getTime() ?? intent.endedAt ?? d.now();
        log.info({ id: intent.id, account, media: itemLabel(item), watchedAt: new Date(watchedAt).toISOString() }, "Trakt already had this scrobble (409): counted as delivered");
        scheduler.ok(account);
        return await d.complete(entry, "conflict", watch ? d.watchRecords(entry, items, watchedAt) : [], {
          watchedAt,
          ...(error.conflict?.expiresAt ? { expiresAt: error.conflict.expiresAt.getTime() } : {}),
        });
      }
      const failure = classifyFailure(error);
      if (failure.action !== "accepted") return await d.failed(account, [entry], error);
      log.warn({ id: intent.id, err: error }, "Trakt accepted the scrobble but its answer was unreadable; counted as delivered");
    }
    scheduler.ok(account);
    await d.complete(entry, "delivered", watch ? d.watchRecords(entry, items, endOf(intent)) : []);
    log.debug({ id: intent.id, account, action, media: itemLabel(item), progress: intent.progress }, "scrobbled");
  } finally {
    entry.inFlight = false;
  }
}

/**
 * A pause — or, while Trakt refuses /scrobble/pause itself, a stop with the progress held below 80 %, which Trakt
 * records as a pause (the progress is saved, nothing is counted; a pause past 80 % keeps 79.9 %).
 */
async function sendPause(d: Delivery, account: string, item: MediaItem, intent: ScrobbleIntent): Promise<void> {
  const { api, counters, log, signal, appVersion } = d.deps;
  const fallback = d.pauseFallback;
  if (!fallback.active(d.now())) {
    try {
      await api.scrobble(account, "pause", scrobbleBody(item, intent.progress, appVersion), { signal, retries: 0 });
      counters.request("scrobble");
      if (fallback.worked()) log.info("Trakt accepts /scrobble/pause again; pauses are sent as pauses");
      return;
    } catch (error) {
      const refusal = fallback.refused(error, d.now());
      if (!refusal.fallback) throw error;
      counters.failedRequest("scrobble", error);
      const minutes = PAUSE_FALLBACK_HOLD_MS / 60_000;
      log[refusal.first ? "warn" : "debug"](
        { err: error, account, holdMinutes: minutes },
        `Trakt refuses /scrobble/pause; pauses are sent as /scrobble/stop below 80 % (Trakt records that as a pause) for the next ${minutes} min`,
      );
    }
  }
  await api.scrobble(account, "stop", scrobbleBody(item, pauseAsStopProgress(intent.progress), appVersion), { signal, retries: 0 });
  counters.request("scrobble");
}
