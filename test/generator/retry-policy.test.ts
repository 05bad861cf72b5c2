import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  planRetry,
  type BackoffConfig,
} from '../../src/generator/retry-policy.js';

const h = (o: Record<string, string>) => new Headers(o);
const BACKOFF: BackoffConfig = { baseMs: 500, maxMs: 8_000 };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('isRetryableStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529, 599])('retries %i', (s) => {
    expect(isRetryableStatus(s)).toBe(true);
  });
  it.each([400, 401, 403, 404, 413, 422, 200, 600])('does not retry %i', (s) => {
    expect(isRetryableStatus(s)).toBe(false);
  });
  it('obeys x-should-retry from the upstream either way', () => {
    expect(isRetryableStatus(500, h({ 'x-should-retry': 'false' }))).toBe(false);
    expect(isRetryableStatus(400, h({ 'x-should-retry': 'true' }))).toBe(true);
    expect(isRetryableStatus(503, h({ 'x-should-retry': 'maybe' }))).toBe(true);
  });
});

describe('backoffDelay (full jitter)', () => {
  it('spans [0, cap) with the cap doubling per retry up to maxMs', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((r) => backoffDelay(r, BACKOFF, top))).toEqual([
      499, 999, 1999, 3999, 7999, 7999, 7999,
    ]);
    expect(backoffDelay(1, BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(3, BACKOFF, () => 0.5)).toBe(1000);
  });

  it('is capped by the extra cap (the remaining deadline)', () => {
    expect(backoffDelay(5, BACKOFF, () => 0.5, 300)).toBe(150);
    expect(backoffDelay(5, BACKOFF, () => 0.5, 0)).toBe(0);
  });

  it('stays within bounds for any retry, config and random value (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 200_000 }),
        (retry, baseMs, maxMs, r, capMs) => {
          const cap = Math.min(maxMs, baseMs * 2 ** (retry - 1), capMs);
          const d = backoffDelay(retry, { baseMs, maxMs }, () => r, capMs);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          if (cap > 0) expect(d).toBeLessThan(cap);
          else expect(d).toBe(0);
        },
      ),
    );
  });

  it('clamps a random source that misbehaves', () => {
    expect(backoffDelay(1, BACKOFF, () => 7)).toBe(500);
    expect(backoffDelay(1, BACKOFF, () => -1)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, fractions included', () => {
    expect(parseRetryAfter(h({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(parseRetryAfter(h({ 'retry-after': ' 0.25 ' }), NOW)).toBe(250);
    expect(parseRetryAfter(h({ 'retry-after': '0' }), NOW)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter(h({ 'retry-after-ms': '150', 'retry-after': '30' }), NOW)).toBe(150);
    expect(parseRetryAfter(h({ 'retry-after-ms': '12.2' }), NOW)).toBe(13);
  });

  it('falls back to retry-after when retry-after-ms is unusable', () => {
    expect(parseRetryAfter(h({ 'retry-after-ms': 'soon', 'retry-after': '1' }), NOW)).toBe(1000);
  });

  it('reads an HTTP date relative to the wall clock; a past date means now', () => {
    const in3s = new Date(NOW + 3000).toUTCString();
    expect(parseRetryAfter(h({ 'retry-after': in3s }), NOW)).toBe(3000);
    expect(parseRetryAfter(h({ 'retry-after': new Date(NOW - 60_000).toUTCString() }), NOW)).toBe(0);
  });

  it('ignores garbage, negatives and absent headers', () => {
    for (const v of ['-5', '1e3', 'soon', '', 'Infinity']) {
      expect(parseRetryAfter(h({ 'retry-after': v }), NOW)).toBeUndefined();
    }
    expect(parseRetryAfter(h({}), NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('planRetry', () => {
  const base = {
    attempt: 1,
    maxAttempts: 3,
    retryable: true,
    remainingMs: 60_000,
    backoff: BACKOFF,
    random: () => 0.5,
  };

  it('does not retry a non-retryable failure, or past the attempt limit', () => {
    expect(planRetry({ ...base, retryable: false })).toEqual({ retry: false, reason: 'not_retryable' });
    expect(planRetry({ ...base, attempt: 3 })).toEqual({ retry: false, reason: 'attempts_exhausted' });
    expect(planRetry({ ...base, remainingMs: 0 })).toEqual({ retry: false, reason: 'deadline' });
  });

  it('waits exactly the Retry-After when it fits in the deadline (no jitter, never earlier)', () => {
    expect(planRetry({ ...base, retryAfterMs: 2000 })).toEqual({
      retry: true,
      delayMs: 2000,
      source: 'retry-after',
    });
    expect(planRetry({ ...base, retryAfterMs: 0 })).toEqual({
      retry: true,
      delayMs: 0,
      source: 'retry-after',
    });
  });

  it('gives up at once when Retry-After does not fit in the remaining deadline', () => {
    expect(planRetry({ ...base, retryAfterMs: 60_000 })).toEqual({
      retry: false,
      reason: 'retry_after_beyond_deadline',
    });
    expect(planRetry({ ...base, retryAfterMs: 5_000, remainingMs: 4_999 }).retry).toBe(false);
  });

  it('uses jittered backoff otherwise, capped at half the remaining deadline', () => {
    expect(planRetry({ ...base, attempt: 2 })).toEqual({ retry: true, delayMs: 500, source: 'backoff' });
    expect(planRetry({ ...base, attempt: 2, random: () => 0.999_999, remainingMs: 600 })).toEqual({
      retry: true,
      delayMs: 299,
      source: 'backoff',
    });
  });
});
