// Retry policy for Trakt calls: p-retry drives the loop (AbortSignal, AbortError for final errors, a retry cap);
// the waiting is ours, so it can honour Retry-After and be driven by an injected sleep in tests.
import pRetry, { AbortError } from "p-retry";
import { backoffMs } from "../util/backoff.js";
import { isTraktError, type TraktError } from "./errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt (so at most retries + 1 requests). */
  retries: number;
  /** First backoff step; doubles per retry. */
  baseDelayMs: number;
  /** Cap on one backoff step. */
  maxDelayMs: number;
  /** A 429 asking us to wait longer than this is not retried inline: the caller (outbox) gets it and defers. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 15_000,
};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * How long to wait before retry number `retry` (1-based) after `error`.
 * A rate limit waits exactly what the server asked (Retry-After, or the safe default); everything else uses
 * exponential backoff with "equal jitter" (between half and all of the step, so a herd of clients spreads out
 * but nobody retries immediately), capped at maxDelayMs.
 */
export function retryDelayMs(error: TraktError, retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (error.kind === "rate_limited" && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const jittered = backoffMs(retry - 1, { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 0.5 }, random);
  // A 503 with Retry-After: respect it if it is longer than our own backoff.
  return error.retryAfterMs !== undefined ? Math.max(jittered, Math.min(error.retryAfterMs, policy.maxDelayMs)) : jittered;
}

/** Is this error worth another attempt under `policy`? */
export function isRetryable(error: unknown, policy: RetryPolicy): error is TraktError {
  if (!isTraktError(error) || !error.retryable) return false;
  if (error.kind === "rate_limited" && (error.retryAfterMs ?? 0) > policy.maxRetryAfterMs) return false;
  return true;
}

export interface RetryHooks {
  sleep: Sleep;
  random?: () => number;
  onRetry?: (error: TraktError, retry: number, delayMs: number) => void;
  signal?: AbortSignal | undefined;
}

/** Runs `attempt` until it succeeds, fails with a final error, or the retry cap is reached. */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  return pRetry(
    async (attemptNumber) => {
      try {
        return await attempt(attemptNumber);
      } catch (error) {
        if (isRetryable(error, policy)) throw error;
        // Final: p-retry rethrows the original error without calling any hook.
        throw new AbortError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    {
      retries: policy.retries,
      minTimeout: 0, // we wait ourselves in onFailedAttempt
      factor: 1,
      signal: hooks.signal,
      onFailedAttempt: async ({ error, retriesLeft, attemptNumber }) => {
        if (retriesLeft <= 0 || !isTraktError(error)) return;
        const delay = retryDelayMs(error, attemptNumber, policy, hooks.random);
        hooks.onRetry?.(error, attemptNumber, delay);
        await hooks.sleep(delay, hooks.signal);
      },
    },
  );
}
