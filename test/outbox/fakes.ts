// Small in-memory stand-ins at the network edge (Trakt) and for identification, for the outbox's table tests.
// The must-show tests (crash, outage, bench) run against the real emulator instead.
import type { Identification, Identifier } from "../../src/identify/types.js";
import type { MediaHints } from "../../src/core/playback.js";
import type { ScrobbleIntent } from "../../src/scrobble/intent.js";
import type { HistoryQuery, Page } from "../../src/trakt/api.js";
import { TraktError } from "../../src/trakt/errors.js";
import type { HistoryAddResult, HistoryBody, HistoryEntry, ScrobbleAction, ScrobbleBody, ScrobbleResponse } from "../../src/trakt/types.js";
import type { OutboxApi } from "../../src/outbox/outbox.js";

export interface Call {
  call: "scrobble" | "history" | "getHistory";
  account: string;
  action?: ScrobbleAction;
  body?: ScrobbleBody | HistoryBody;
  at: number;
}

/** A Trakt stand-in: scrobble stops ≥ 80 % become history entries; a repeat within an hour is a 409. */
export class FakeTrakt implements OutboxApi {
  readonly calls: Call[] = [];
  readonly history = new Map<string, HistoryEntry[]>();
  /** Throw this for the next calls (first-in first-out); a function may also let the call through first. */
  readonly failures: { error: TraktError | Error; after?: boolean; call?: Call["call"]; account?: string }[] = [];
  notFoundMovies = new Set<number>();
  /** While true every call fails as a refused connection (Trakt unreachable). */
  down = false;
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  private failure(call: Call["call"], account: string, after: boolean): Error | undefined {
    if (this.down && !after) {
      const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1"), { code: "ECONNREFUSED" }) });
      return new TraktError("retryable", "Trakt unreachable", { cause: refused });
    }
    const i = this.failures.findIndex((f) => (f.call === undefined || f.call === call) && (f.account === undefined || f.account === account) && (f.after ?? false) === after);
    if (i < 0) return undefined;
    return this.failures.splice(i, 1)[0]!.error;
  }

  historyOf(account: string): HistoryEntry[] {
    let h = this.history.get(account);
    if (!h) this.history.set(account, (h = []));
    return h;
  }

  scrobble(account: string, action: ScrobbleAction, body: ScrobbleBody): Promise<ScrobbleResponse> {
    this.calls.push({ call: "scrobble", account, action, body, at: this.now() });
    const failure = this.failure("scrobble", account, false);
    if (failure) return Promise.reject(failure);
    const movie = "movie" in body ? body.movie : undefined;
    if (action === "stop" && body.progress >= 80 && movie) {
      const h = this.historyOf(account);
      const last = h.find((e) => e.movie?.ids.trakt === movie.ids.trakt && this.now() - Date.parse(e.watched_at) < 3_600_000);
      if (last) {
        return Promise.reject(
          new TraktError("conflict", "409", { status: 409, conflict: { watchedAt: new Date(last.watched_at), expiresAt: new Date(Date.parse(last.watched_at) + 3_600_000) } }),
        );
      }
      h.unshift({ id: this.nextId++, watched_at: new Date(this.now()).toISOString(), action: "scrobble", type: "movie", movie });
    }
    const late = this.failure("scrobble", account, true);
    if (late) return Promise.reject(late);
    return Promise.resolve({ id: this.nextId++, action: action === "stop" && body.progress >= 80 ? "scrobble" : action, progress: body.progress, ...(movie ? { movie } : {}) });
  }

  addHistory(account: string, body: HistoryBody): Promise<HistoryAddResult> {
    this.calls.push({ call: "history", account, body, at: this.now() });
    const failure = this.failure("history", account, false);
    if (failure) return Promise.reject(failure);
    const result: HistoryAddResult = { added: { movies: 0, episodes: 0 }, not_found: { movies: [], shows: [], seasons: [], episodes: [] } };
    const h = this.historyOf(account);
    for (const m of body.movies ?? []) {
      if (m.ids.trakt !== undefined && this.notFoundMovies.has(m.ids.trakt)) {
        result.not_found.movies.push({ ids: m.ids });
        continue;
      }
      h.unshift({ id: this.nextId++, watched_at: m.watched_at ?? new Date(this.now()).toISOString(), action: "watch", type: "movie", movie: { ids: m.ids } });
      result.added.movies += 1;
    }
    const late = this.failure("history", account, true);
    if (late) return Promise.reject(late);
    return Promise.resolve(result);
  }

  getHistory(account: string, query: HistoryQuery = {}): Promise<Page<HistoryEntry>> {
    this.calls.push({ call: "getHistory", account, at: this.now() });
    const failure = this.failure("getHistory", account, false);
    if (failure) return Promise.reject(failure);
    const all = this.historyOf(account)
      .filter((e) => (!query.startAt || Date.parse(e.watched_at) >= query.startAt.getTime()) && (!query.endAt || Date.parse(e.watched_at) <= query.endAt.getTime()))
      .sort((a, b) => Date.parse(b.watched_at) - Date.parse(a.watched_at));
    const limit = query.limit ?? 10;
    const page = query.page ?? 1;
    return Promise.resolve({ items: all.slice((page - 1) * limit, page * limit), page, pageCount: Math.max(1, Math.ceil(all.length / limit)), itemCount: all.length });
  }

  count(call: Call["call"], account?: string): number {
    return this.calls.filter((c) => c.call === call && (account === undefined || c.account === account)).length;
  }
}

/** Hints with `ids.trakt` identify as that movie; title "unknown" is unknown media; title "flaky" is retryable. */
export class FakeIdentifier implements Identifier {
  calls = 0;
  identify(hints: MediaHints): Promise<Identification> {
    this.calls += 1;
    if (hints.title === "unknown") return Promise.resolve({ ok: false, reason: "no match for 'unknown'", retryable: false });
    if (hints.title === "flaky") return Promise.resolve({ ok: false, reason: "Trakt search unreachable", retryable: true });
    const trakt = Number(hints.ids?.trakt);
    if (!Number.isFinite(trakt)) return Promise.resolve({ ok: false, reason: "no ids", retryable: false });
    return Promise.resolve({ ok: true, items: [{ type: "movie", movie: { title: hints.title ?? `Movie ${trakt}`, ids: { trakt } } }], source: "trakt-ids", confidence: 1, reason: "ids" });
  }
}

let seq = 0;
export function intent(partial: Partial<ScrobbleIntent> & { kind: ScrobbleIntent["kind"]; movie?: number }, now: number): ScrobbleIntent {
  seq += 1;
  const { movie = 1, ...rest } = partial;
  return {
    id: `i-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    player: "mpv:test",
    sessionKey: "s1",
    playthroughId: `p-${movie}`,
    progress: partial.kind === "stop" || partial.kind === "watched" ? 95 : 10,
    hints: { kind: "movie", title: `Movie ${movie}`, ids: { trakt: String(movie) } },
    createdAt: now,
    ...(partial.kind === "stop" || partial.kind === "watched" ? { endedAt: now } : {}),
    ...rest,
  };
}
