import { z } from "zod";

export const scrobbleSection = z
  .object({
    watchedThreshold: z
      .number()
      .min(1)
      .max(100)
      .default(80)
      .describe("Progress (%) at which a stop counts as watched. Trakt itself counts ≥ 80; above 80 a stop below this is sent as a pause, below 80 a stop from here up is added to history."),
    dedupeWindowMinutes: z.number().min(0).default(360).describe("A second watch of the same item within this window is not sent again.").meta({ restart: true }),
    previewSeconds: z
      .number()
      .min(0)
      .default(60)
      .describe("A file opened (or skipped) already past the threshold must really play this long before it counts."),
    staleAfterSeconds: z
      .number()
      .positive()
      .default(300)
      .describe("A 'playing' session that reports nothing for this long is paused on Trakt."),
    closeAfterSeconds: z
      .number()
      .positive()
      .default(3600)
      .describe("A stale or paused session that reports nothing for this long is closed (never less than staleAfterSeconds)."),
    pauseDebounceSeconds: z
      .number()
      .min(0)
      .default(5)
      .describe("A pause is held this long; resumed within it, nothing is sent (fast pause/resume). 0 sends pauses at once."),
    seekDebounceSeconds: z
      .number()
      .min(0)
      .default(3)
      .describe("After a seek while playing, wait this long for further seeks before re-sending start with the new progress."),
    seekToleranceSeconds: z
      .number()
      .positive()
      .default(10)
      .describe("A position jump larger than this (beyond what elapsed time explains) is treated as a seek."),
    trustPlayerVerdict: z
      .boolean()
      .default(true)
      .describe(
        "When the player itself marks the item watched (Kodi raises its play count, Plex sends media.scrobble), that playthrough counts, whatever watchedThreshold and previewSeconds say. false: only the daemon's own rules decide.",
      ),
  })
  .default({
    watchedThreshold: 80,
    dedupeWindowMinutes: 360,
    previewSeconds: 60,
    staleAfterSeconds: 300,
    closeAfterSeconds: 3600,
    pauseDebounceSeconds: 5,
    seekDebounceSeconds: 3,
    seekToleranceSeconds: 10,
    trustPlayerVerdict: true,
  })
  .describe("When a playback counts as a watch.");

export const outboxSection = z
  .object({
    replayAfterMinutes: z
      .number()
      .positive()
      .default(10)
      .describe(
        "A watch not delivered live within this time is sent through /sync/history with its real time. One that missed its first delivery (Trakt failing or unreachable) goes there already 45 s after playback ended.",
      )
      .meta({ restart: true }),
    deadLetterExpiryDays: z.number().positive().default(30).describe("Dead letters (not found, invalid, account limit, unknown media) are kept this long for `queue list|retry|drop`.").meta({ restart: true }),
    historyBatchSize: z.number().int().min(1).max(1000).default(100).describe("Most watches sent in one /sync/history request when replaying.").meta({ restart: true }),
    retryMaxDelaySeconds: z.number().positive().default(300).describe("Upper bound of the backoff between retries when Trakt is unreachable or failing (Retry-After is always obeyed).").meta({ restart: true }),
    accountHoldMinutes: z.number().positive().default(10).describe("How long an account that needs a new login (or is locked) waits before its queue is tried again.").meta({ restart: true }),
  })
  .default({ replayAfterMinutes: 10, deadLetterExpiryDays: 30, historyBatchSize: 100, retryMaxDelaySeconds: 300, accountHoldMinutes: 10 })
  .describe("The durable outbox.");

export type ScrobbleSection = z.infer<typeof scrobbleSection>;
export type OutboxSection = z.infer<typeof outboxSection>;
