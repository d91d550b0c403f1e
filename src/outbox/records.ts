// The journal's record types. One zod schema is the single source of their shape: records read back from disk are
// validated with it, so a damaged or foreign line is reported and skipped instead of corrupting the live set.
import { z } from "zod";
import type { ScrobbleIntent } from "../scrobble/intent.js";

const idMap = z.record(z.string(), z.string()).optional();

const hintsSchema = z
  .object({
    kind: z.enum(["movie", "episode", "unknown"]).optional(),
    title: z.string().optional(),
    year: z.number().optional(),
    showTitle: z.string().optional(),
    season: z.number().optional(),
    episode: z.number().optional(),
    ids: idMap,
    showIds: idMap,
    guids: z.array(z.string()).optional(),
    path: z.string().optional(),
    mediaTitle: z.string().optional(),
    runtimeSeconds: z.number().optional(),
  })
  .loose();

/**
 * A ScrobbleIntent as the outbox accepts it (on submit and when read back from disk). Hints are kept loose so a hint
 * added to the contract later is persisted too. Typed as the contract (zod's optional keys admit `undefined`).
 */
export const intentSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(["start", "pause", "stop", "watched"]),
  account: z.string().min(1).optional(),
  player: z.string(),
  sessionKey: z.string(),
  playthroughId: z.string().min(1),
  progress: z.number().min(1).max(100),
  hints: hintsSchema,
  createdAt: z.number(),
  endedAt: z.number().optional(),
}) as unknown as z.ZodType<ScrobbleIntent>;

/** Why a dead letter is dead. Each has a fix the user can apply (docs/outbox.md). */
export const deadReasons = ["not_found", "invalid", "account_limit", "unknown_media"] as const;
export type DeadReason = (typeof deadReasons)[number];

/** How an intent left the live set. */
export const doneOutcomes = [
  "delivered", // /scrobble/* answered 2xx
  "conflict", // 409: already scrobbled — a success
  "history", // added through /sync/history
  "in_history", // the exactly-once check found it already on Trakt
  "deduped", // same item watched within the dedupe window, or same playthrough already delivered
  "superseded", // a later intent of the same session replaced this start/pause
  "dropped", // removed by `queue drop`
  "expired", // dead letter older than deadLetterExpiryDays
] as const;
export type DoneOutcome = (typeof doneOutcomes)[number];

const at = z.number();

export const recordSchema = z.discriminatedUnion("t", [
  /** An intent joined the queue. Compaction writes the current per-entry state along with it. */
  z.object({
    t: z.literal("intent"),
    at,
    intent: intentSchema,
    attempts: z.number().int().min(0).optional(),
    maybeSent: z.boolean().optional(),
    replayed: z.boolean().optional(),
    /** A /scrobble/stop for it may have reached Trakt (compaction keeps this; older journals leave it out). */
    maybeLive: z.boolean().optional(),
    lastError: z.string().optional(),
  }),
  /** About to send these intents (written and fsync'd before a stop/watched leaves): they may now be on Trakt. */
  z.object({ t: z.literal("send"), at, ids: z.array(z.string()), via: z.enum(["scrobble", "history"]) }),
  /** A send failed without a final answer. notReceived: Trakt certainly did not act on it (refused connection, 4xx). */
  z.object({ t: z.literal("attempt"), at, id: z.string(), error: z.string(), notReceived: z.boolean() }),
  /** A stop/watched switched to /sync/history (not delivered live within replayAfterMinutes, or multi-episode). */
  z.object({ t: z.literal("replay"), at, id: z.string() }),
  z.object({
    t: z.literal("done"),
    at,
    id: z.string(),
    outcome: z.enum(doneOutcomes),
    watchedAt: z.number().optional(),
    expiresAt: z.number().optional(),
    detail: z.string().optional(),
  }),
  z.object({ t: z.literal("dead"), at, id: z.string(), reason: z.enum(deadReasons), message: z.string() }),
  /** A dead letter went back to the queue (`queue retry`). */
  z.object({ t: z.literal("retry"), at, id: z.string() }),
  /** A delivered watch, for the dedupe window (per account and item key) and one-watch-per-playthrough. */
  z.object({ t: z.literal("watch"), at, account: z.string(), key: z.string(), watchedAt: z.number(), playthroughId: z.string() }),
]);

export type JournalRecord = z.infer<typeof recordSchema>;
