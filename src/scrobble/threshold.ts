// What a finished playthrough turns into on Trakt, given the user's threshold. Trakt's own rule is fixed:
// /scrobble/stop at ≥ 80 % is a scrobble, below 80 % it is a pause, below 1 % a 422.

/** Trakt counts a /scrobble/stop at or above this progress as a watch. */
export const TRAKT_SCROBBLE_PERCENT = 80;

export type FinalKind = "stop" | "pause" | "watched";

/** Progress as sent to Trakt: within [1, 100] (Trakt rejects < 1 with 422), two decimals. */
export function clampProgress(progress: number | undefined): number {
  if (progress === undefined || !Number.isFinite(progress)) return 1;
  return Math.round(Math.min(100, Math.max(1, progress)) * 100) / 100;
}

/**
 * The intents that end a playthrough at `progress` (already clamped).
 * `eligible` is false when this playthrough may not count (already watched, or preview not satisfied).
 * `playerCounted`: the player itself counted it as watched (and the user trusts that): a watch at any progress.
 *
 * - counted (progress ≥ threshold, or the player counted it) and ≥ 80: `stop` — Trakt scrobbles it.
 * - counted and below 80: `pause` then `watched` — the pause saves progress and clears Trakt's "watching" state
 *   (a stop would do the same there), the watch goes through /sync/history.
 * - everything else (below the threshold, 80 ≤ progress < threshold > 80, or not eligible): `pause` — never a
 *   `stop`, so Trakt cannot count something we decided does not count.
 */
export function finalIntentKinds(progress: number, threshold: number, eligible: boolean, playerCounted = false): FinalKind[] {
  if (eligible && (playerCounted || progress >= threshold)) {
    return progress >= TRAKT_SCROBBLE_PERCENT ? ["stop"] : ["pause", "watched"];
  }
  return ["pause"];
}

/** True when reaching `progress` would count as a watch under `threshold` (ignoring preview/once rules). */
export function countsAsWatch(progress: number, threshold: number): boolean {
  return clampProgress(progress) >= threshold;
}
