// How long to wait before the next Player.GetProperties while playing. Pure.
// Far from the watched threshold a poll now and then is enough (the position between polls is extrapolated);
// as the threshold (then the end) nears, polls come closer so the progress at stop is accurate.

export interface PollInput {
  positionMs: number;
  durationMs: number | undefined;
  speed: number;
  /** Watched threshold, percent. */
  thresholdPercent: number;
  minMs: number;
  maxMs: number;
}

export function nextPollDelayMs(input: PollInput): number {
  const { positionMs, durationMs, speed, thresholdPercent, minMs, maxMs } = input;
  if (!durationMs || durationMs <= 0 || speed <= 0) return maxMs;
  const thresholdMs = (durationMs * thresholdPercent) / 100;
  const target = positionMs < thresholdMs ? thresholdMs : durationMs;
  const remainingMs = (target - positionMs) / speed;
  // Half the remaining distance: the poll lands before the target and the next one closer still.
  return Math.round(Math.min(maxMs, Math.max(minMs, remainingMs / 2)));
}

/** Position now, extrapolated from the last observation (Kodi's OnStop carries no position). */
export function extrapolatePositionMs(
  observed: { positionMs: number; observedAt: number; speed: number; playing: boolean; durationMs: number | undefined },
  now: number,
): number {
  const elapsed = observed.playing ? Math.max(0, now - observed.observedAt) * observed.speed : 0;
  const position = Math.max(0, observed.positionMs + elapsed);
  return observed.durationMs && observed.durationMs > 0 ? Math.min(position, observed.durationMs) : position;
}
