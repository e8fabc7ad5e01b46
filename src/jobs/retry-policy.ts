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

/**
 * A permanent SMTP refusal is a hard bounce when it says the mailbox itself cannot receive mail:
 * enhanced status 5.1.x (bad address, unknown user, no such domain, null MX; except 5.1.7 and
 * 5.1.8, which are about our sender address) or 5.2.1 (mailbox disabled), or, from a server that
 * gives no enhanced code, 550, 551 or 553. Anything else permanent (5.7.x policy, 552 size, 5.2.2
 * mailbox full, 554 rejected) says nothing certain about the address: the message fails, and the
 * address stays. Takes the server's reply, which begins with its code ("550 5.1.1 User unknown").
 */
export function classifySmtpFailure(reply: string): 'hard_bounce' | 'failed' {
  const match = /^\s*(5\d\d)[ -](?:(\d)\.(\d{1,3})\.(\d{1,3})(?=\s|$))?/.exec(reply);
  if (!match) return 'failed';
  const [, code, klass, subject, detail] = match;
  if (klass === undefined) return ['550', '551', '553'].includes(code!) ? 'hard_bounce' : 'failed';
  if (klass !== '5') return 'failed';
  if (subject === '1') return detail === '7' || detail === '8' ? 'failed' : 'hard_bounce';
  return subject === '2' && detail === '1' ? 'hard_bounce' : 'failed';
}
