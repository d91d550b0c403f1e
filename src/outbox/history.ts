// Delivery through /sync/history: watches not delivered live in time (or never meant to go live) go out in batches
// with their real end times, after the exactly-once lookup for those that may already be there.
import type { MediaItem } from "../core/media.js";
import type { HistoryAddResult, HistoryEntry } from "../trakt/types.js";
import { endOf, goesThroughHistory, type Candidate, type Delivery } from "./delivery.js";
import { findInHistory, HISTORY_PAGE_LIMIT, HISTORY_SLACK_MS, historyRange, wantsNextPage, type HistoryWindow } from "./history-match.js";
import { historyBody, inNotFound, itemKey, itemLabel } from "./items.js";
import { MINUTE } from "./options.js";
import { classifyFailure, describeError } from "./policy.js";
import type { JournalRecord } from "./records.js";
import type { Entry } from "./state.js";

/**
 * Exactly once: which of these watches are already in the account's history? Undefined when Trakt could not be
 * asked (the failure is recorded and the account waits).
 */
export async function lookUpInHistory(d: Delivery, account: string, candidates: Candidate[]): Promise<Set<string> | undefined> {
  if (candidates.length === 0) return new Set();
  const { api, counters, store, settings, signal } = d.deps;
  const window: HistoryWindow = { replayMs: settings.replayAfterMinutes * MINUTE, slackMs: HISTORY_SLACK_MS };
  const watches = candidates.map((c) => ({ id: c.entry.intent.id, playthroughId: c.entry.intent.playthroughId, endedAt: endOf(c.entry.intent), live: c.entry.maybeLive, items: c.items }));
  const { startAt, endAt } = historyRange(watches, window);
  const entries: HistoryEntry[] = [];
  try {
    for (let page = 1; ; page++) {
      const result = await api.getHistory(account, { startAt: new Date(startAt), endAt: new Date(endAt), page, limit: HISTORY_PAGE_LIMIT }, { signal, retries: 0 });
      counters.request("history-check", "200");
      entries.push(...result.items);
      if (!wantsNextPage(page, result.pageCount, result.items.length)) break;
    }
  } catch (error) {
    counters.failedRequest("history-check", error);
    const action = classifyFailure(error).action;
    // The check is a read: a refusal (or an unreadable answer) is a reason to wait, never to dead-letter the watch.
    const asWait = action === "dead" || action === "accepted" ? new Error(`history lookup failed: ${describeError(error)}`, { cause: error }) : error;
    await d.failed(account, candidates.map((c) => c.entry), asWait);
    return undefined;
  }
  return findInHistory(watches, entries, (key) => store.state.delivered.get(`${account}\u0000${key}`) ?? [], window);
}

/**
 * The identified items with what /sync/history needs (an absolute-numbered episode gets its season and number).
 * Undefined when the watch cannot go now: dead-lettered when Trakt cannot place it, waiting when Trakt was not reached.
 */
async function placeForHistory(d: Delivery, account: string, entry: Entry, items: MediaItem[]): Promise<MediaItem[] | undefined> {
  const { identifier, signal } = d.deps;
  if (!identifier.forHistory) return items;
  let placed: MediaItem[] | undefined;
  try {
    placed = await identifier.forHistory(items, signal);
  } catch (error) {
    await d.failed(account, [entry], error);
    return undefined;
  }
  if (!placed) await d.deadLetter([entry], "not_found", `Trakt numbers no season and episode for ${items.map(itemLabel).join(", ")} (absolute episode number), so it cannot be added to the history`);
  return placed;
}

/** Sends `head` and up to historyBatchSize−1 other ready history-mode watches of the account in one request. */
export async function deliverHistory(d: Delivery, account: string, head: Entry, queue: Map<string, Entry>, now: number): Promise<void> {
  const { settings, log } = d.deps;
  const batch: Entry[] = [head];
  if (!head.solo) {
    for (const e of queue.values()) {
      if (batch.length >= settings.historyBatchSize) break;
      if (e === head || e.inFlight || e.solo || e.notBefore > now || !goesThroughHistory(e, now, settings.replayAfterMinutes)) continue;
      batch.push(e);
    }
  }
  for (const e of batch) e.inFlight = true;
  try {
    // Identify (cached), drop duplicates, and look up the ones that may already be on Trakt.
    const candidates: Candidate[] = [];
    const batchKeys = new Map<string, number>();
    for (const entry of batch) {
      const identified = await d.identify(entry);
      if (d.closing) return;
      if (!identified) continue;
      const items = await placeForHistory(d, account, entry, identified);
      if (d.closing) return;
      if (!items) continue;
      const dup = d.duplicateOf(entry, items, batchKeys);
      if (dup) {
        log.info({ id: entry.intent.id, account, why: dup }, "watch not sent again (duplicate)");
        await d.complete(entry, "deduped", [], { detail: dup });
        continue;
      }
      for (const item of items) {
        const key = itemKey(item);
        if (key) batchKeys.set(key, endOf(entry.intent));
      }
      candidates.push({ entry, items });
    }
    const maybeThere = candidates.filter((c) => c.entry.ambiguous);
    let toSend = candidates;
    if (maybeThere.length > 0) {
      const found = await lookUpInHistory(d, account, maybeThere);
      if (!found) return;
      for (const c of candidates) if (found.has(c.entry.intent.id)) await d.completeInHistory(c.entry, c.items);
      toSend = candidates.filter((c) => !found.has(c.entry.intent.id));
    }
    if (toSend.length === 0 || d.closing) return;
    await send(d, account, toSend);
  } finally {
    for (const e of batch) e.inFlight = false;
  }
}

async function send(d: Delivery, account: string, toSend: Candidate[]): Promise<void> {
  const { api, counters, scheduler, log, signal } = d.deps;
  const at = d.now();
  const marks: JournalRecord[] = toSend.filter((c) => !c.entry.replayed).map((c) => ({ t: "replay", at, id: c.entry.intent.id }));
  marks.push({ t: "send", at, ids: toSend.map((c) => c.entry.intent.id), via: "history" });
  await d.write(marks);
  counters.add("replayed", marks.length - 1);

  const body = historyBody(toSend.flatMap((c) => c.items.map((item) => ({ item, watchedAt: endOf(c.entry.intent) }))));
  let result: HistoryAddResult | undefined;
  try {
    result = await api.addHistory(account, body, { signal, retries: 0 });
    counters.request("history");
  } catch (error) {
    counters.failedRequest("history", error);
    if (classifyFailure(error).action !== "accepted") return await d.failed(account, toSend.map((c) => c.entry), error);
    log.warn({ account, err: error }, "Trakt accepted the history add but its answer was unreadable; counted as delivered");
  }
  scheduler.ok(account);
  const notFound: Candidate[] = [];
  const unsure: Candidate[] = [];
  const records: JournalRecord[] = [];
  const done: Candidate[] = [];
  for (const c of toSend) {
    const missing = result ? c.items.map((item) => inNotFound(item, result)) : [];
    if (missing.includes(true) || (missing.includes("unknown") && toSend.length === 1)) {
      notFound.push(c);
      continue;
    }
    if (missing.includes("unknown")) {
      // Trakt listed an episode it did not find without saying which: look it up, then send it alone.
      unsure.push(c);
      c.entry.solo = true;
      records.push({ t: "attempt", at: d.now(), id: c.entry.intent.id, error: "not_found listed an episode without ids; checking", notReceived: false });
      continue;
    }
    const watchedAt = endOf(c.entry.intent);
    records.push(...d.watchRecords(c.entry, c.items, watchedAt), { t: "done", at: d.now(), id: c.entry.intent.id, outcome: "history", watchedAt });
    done.push(c);
  }
  await d.write(records);
  for (const c of done) d.finished(c.entry, "history");
  log.info({ account, added: done.length, notFound: notFound.length, unsure: unsure.length }, "watches recorded through /sync/history with their real times");
  for (const c of notFound) {
    await d.deadLetter([c.entry], "not_found", `Trakt did not find ${c.items.map(itemLabel).join(", ")} (sync/history not_found)`);
  }
}
