/**
 * Retry policy as pure functions: which upstream answers are retryable, how long to wait (exponential
 * backoff with full jitter, or the upstream's Retry-After), and when to stop. No I/O, no timers: the
 * random source and the wall clock are parameters, so tests pin every branch.
 */

export interface BackoffConfig {
  /** Cap of the first retry's wait; doubles on every further retry. */
  baseMs: number;
  /** Largest cap, whatever the retry number. */
  maxMs: number;
}

export interface HeaderGetter {
  get(name: string): string | null;
}

/**
 * Statuses worth retrying: 408 (request timeout), 409 (lock conflict), 429 (rate limited) and every 5xx
 * (including 529 "overloaded"). An explicit `x-should-retry: true|false` from the upstream wins, as in
 * the OpenAI SDK.
 */
export function isRetryableStatus(status: number, headers?: HeaderGetter | null): boolean {
  const hint = headers?.get('x-should-retry')?.trim().toLowerCase();
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Exponential backoff with full jitter (AWS "full jitter"): uniform in [0, cap) where
 * cap = min(maxMs, baseMs·2^(retry−1), capMs). `retry` counts from 1; `random` returns [0, 1).
 */
export function backoffDelay(
  retry: number,
  cfg: BackoffConfig,
  random: () => number,
  capMs: number = Number.POSITIVE_INFINITY,
): number {
  const exp = cfg.baseMs * 2 ** Math.max(0, retry - 1);
  const cap = Math.max(0, Math.min(cfg.maxMs, exp, capMs));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * cap);
}

/**
 * The wait the upstream asked for, in ms, or undefined when it said nothing usable:
 * `retry-after-ms` (milliseconds, OpenAI/Azure) first, then `retry-after` as delta-seconds (fractions
 * accepted) or as an HTTP date (relative to `wallNowMs`; a date in the past means 0).
 */
export function parseRetryAfter(
  headers: HeaderGetter | null | undefined,
  wallNowMs: number,
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const ra = headers.get('retry-after')?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
  if (!/[a-z]/i.test(ra)) return undefined; // "-5", "1e3": neither delta-seconds nor a date
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - wallNowMs);
}

export type RetryDecision =
  | { retry: true; delayMs: number; source: 'retry-after' | 'backoff' }
  | {
      retry: false;
      reason: 'not_retryable' | 'attempts_exhausted' | 'deadline' | 'retry_after_beyond_deadline';
    };

export interface RetryInput {
  /** The attempt that just failed, counting from 1. */
  attempt: number;
  maxAttempts: number;
  retryable: boolean;
  /** From parseRetryAfter. */
  retryAfterMs?: number | undefined;
  /** Time left before the call's deadline. */
  remainingMs: number;
  backoff: BackoffConfig;
  random: () => number;
}

/**
 * Whether to try again and after how long. Retry-After is honoured exactly (never retried earlier);
 * when it does not fit in the remaining deadline the call stops now rather than sleep into a timeout.
 * The computed backoff is capped at half the remaining deadline, so at least half is left for the attempt.
 */
export function planRetry(input: RetryInput): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not_retryable' };
  if (input.attempt >= input.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  if (input.remainingMs <= 0) return { retry: false, reason: 'deadline' };
  if (input.retryAfterMs !== undefined) {
    if (input.retryAfterMs >= input.remainingMs)
      return { retry: false, reason: 'retry_after_beyond_deadline' };
    return { retry: true, delayMs: input.retryAfterMs, source: 'retry-after' };
  }
  const delayMs = backoffDelay(input.attempt, input.backoff, input.random, input.remainingMs / 2);
  return { retry: true, delayMs, source: 'backoff' };
}
