/**
 * Temporary failures (4xx replies, dropped connections) are retried with capped exponential
 * back-off: 1, 2, 4 ... minutes, at most an hour apart, 8 attempts in all (about 2 hours), after
 * which the message is marked failed with the last reason.
 */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 8 };

/** Delay before the next try, after `attempts` tries so far (1 after the first). */
export function retryDelayMs(policy: RetryPolicy, attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(policy.baseMs * 2 ** exponent, policy.maxDelayMs);
}
