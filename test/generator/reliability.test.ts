import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/generator/circuit-breaker.js';
import { UpstreamError } from '../../src/generator/errors.js';
import {
  AttemptFailure,
  AttemptGuard,
  CallScope,
  runWithRetries,
  type AttemptFailedInfo,
} from '../../src/generator/reliability.js';
import { ManualClock } from './manual-clock.js';

const http = (status: number, retryAfterMs?: number) =>
  new AttemptFailure('http_status', `HTTP ${status}`, {
    retryable: status === 429 || status >= 500,
    breaker: status >= 500 ? 'failure' : 'success',
    upstreamStatus: status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
const refused = () => new AttemptFailure('connection', 'refused', { retryable: true, breaker: 'failure' });

function harness(
  opts: { deadlineMs?: number; maxAttempts?: number; breaker?: CircuitBreaker; signal?: AbortSignal } = {},
) {
  const clock = new ManualClock();
  const scope = new CallScope(opts.deadlineMs ?? 10_000, clock, opts.signal);
  const starts: number[] = [];
  const failures: AttemptFailedInfo[] = [];
  const run = <T>(script: Array<() => Promise<T>>) =>
    clock.settle(
      runWithRetries(
        (n) => {
          starts.push(clock.now());
          const step = script[n - 1];
          if (!step) throw new Error(`no step ${n}`);
          return step();
        },
        {
          scope,
          maxAttempts: opts.maxAttempts ?? 3,
          backoff: { baseMs: 100, maxMs: 1_000 },
          clock,
          random: () => 0.5,
          breaker: opts.breaker,
          onAttemptFailed: (i) => failures.push(i),
        },
      ).finally(() => scope.dispose()),
    );
  return { clock, scope, starts, failures, run };
}

const reject = (f: unknown) => () => Promise.reject(f);
const resolve =
  <T>(v: T) =>
  () =>
    Promise.resolve(v);

async function caught(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  }
  throw new Error('expected a rejection');
}

describe('runWithRetries', () => {
  it('retries retryable failures with jittered exponential backoff and reports attempts', async () => {
    const h = harness();
    const out = await h.run([reject(http(500)), reject(refused()), resolve('ok')]);
    expect(out).toEqual({ value: 'ok', attempts: 3 });
    // random 0.5: first wait 0.5·100, second 0.5·200
    expect(h.starts).toEqual([0, 50, 150]);
    expect(h.failures.map((f) => f.decision)).toEqual([
      { retry: true, delayMs: 50, source: 'backoff' },
      { retry: true, delayMs: 100, source: 'backoff' },
    ]);
  });

  it('honours Retry-After exactly', async () => {
    const h = harness();
    const out = await h.run([reject(http(429, 2_500)), resolve('ok')]);
    expect(out.attempts).toBe(2);
    expect(h.starts).toEqual([0, 2_500]);
  });

  it('stops at once on a non-retryable failure', async () => {
    const h = harness();
    const err = await caught(h.run([reject(http(400)), resolve('never')]));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', attempts: 1, upstreamStatus: 400 });
    expect(h.starts).toEqual([0]);
  });

  it('reports the last failure when attempts run out', async () => {
    const h = harness({ maxAttempts: 2 });
    const err = await caught(h.run([reject(http(503)), reject(http(429))]));
    expect(err).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      attempts: 2,
      kind: 'http_status',
    });
    expect(err.message).toMatch(/HTTP 429 \(2 attempts\)/);
  });

  it('fails fast with the Retry-After when it does not fit in the deadline', async () => {
    const h = harness({ deadlineMs: 5_000 });
    const err = await caught(h.run([reject(http(429, 30_000)), resolve('never')]));
    expect(err).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', attempts: 1, retryAfterMs: 30_000 });
    expect(err.message).toMatch(/Retry-After does not fit/);
    expect(h.clock.now()).toBe(0);
  });

  it('the deadline aborts a hanging attempt: UPSTREAM_TIMEOUT with the attempts so far', async () => {
    const h = harness({ deadlineMs: 1_000 });
    const hang = () =>
      new Promise<never>((_, rej) =>
        h.scope.signal.addEventListener('abort', () => rej(new Error('aborted'))),
      );
    const err = await caught(h.run([reject(http(502)), hang]));
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', kind: 'deadline', attempts: 2 });
    expect(h.clock.now()).toBe(1_000);
  });

  it('the caller cancelling maps to UPSTREAM_CANCELLED; a caller TimeoutError to UPSTREAM_TIMEOUT', async () => {
    for (const [reason, code] of [
      [new DOMException('bye', 'AbortError'), 'UPSTREAM_CANCELLED'],
      [new DOMException('late', 'TimeoutError'), 'UPSTREAM_TIMEOUT'],
    ] as const) {
      const ac = new AbortController();
      const h = harness({ signal: ac.signal });
      const step = () => {
        ac.abort(reason);
        return Promise.reject(new Error('aborted by caller'));
      };
      const err = await caught(h.run([step]));
      expect(err.code).toBe(code);
      expect(err.attempts).toBe(1);
    }
  });

  it('an unclassified error is not retried and hides its message', async () => {
    const h = harness();
    const err = await caught(h.run([reject(new TypeError('x is undefined')), resolve('never')]));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'unexpected', attempts: 1 });
    expect(err.message).not.toMatch(/undefined/);
    expect((err.cause as Error).message).toBe('x is undefined');
  });

  it('the breaker stops the retries when it opens, and rejects the next call before any attempt', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(
      'u',
      { failureThreshold: 2, cooldownMs: 5_000, maxCooldownMs: 5_000 },
      clock,
    );
    const h = harness({ maxAttempts: 5, breaker });
    const err = await caught(h.run([reject(http(500)), reject(http(500)), resolve('never')]));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', attempts: 2, upstreamStatus: 500 });
    expect(err.message).toMatch(/circuit breaker opened/);
    const h2 = harness({ breaker });
    const open = await caught(h2.run([resolve('never')]));
    expect(open).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      kind: 'breaker_open',
      attempts: 0,
    });
    expect(open.retryAfterMs).toBe(5_000);
    expect(h2.starts).toEqual([]);
  });

  it('4xx answers count as breaker successes, 5xx as failures', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(
      'u',
      { failureThreshold: 2, cooldownMs: 5_000, maxCooldownMs: 5_000 },
      clock,
    );
    await caught(harness({ breaker, maxAttempts: 1 }).run([reject(http(500))]));
    await caught(harness({ breaker, maxAttempts: 1 }).run([reject(http(404))]));
    await caught(harness({ breaker, maxAttempts: 1 }).run([reject(http(500))]));
    expect(breaker.state).toBe('closed');
    await caught(harness({ breaker, maxAttempts: 1 }).run([reject(http(500))]));
    expect(breaker.state).toBe('open');
  });
});

describe('AttemptGuard', () => {
  it('aborts with the reason of the timer that fired; disarm and re-arm restart it', () => {
    const clock = new ManualClock();
    const scope = new CallScope(10_000, clock);
    const guard = new AttemptGuard(scope, clock);
    guard.arm('idle_timeout', 100, 'stalled');
    clock.advance(90);
    guard.arm('idle_timeout', 100, 'stalled'); // a chunk arrived: restart
    clock.advance(90);
    expect(guard.signal.aborted).toBe(false);
    guard.arm('first_token_timeout', 50, 'slow');
    guard.disarm('first_token_timeout');
    clock.advance(10);
    expect(guard.signal.aborted).toBe(true);
    expect(guard.failure()).toMatchObject({ kind: 'idle_timeout', retryable: true, message: 'stalled' });
    guard.dispose();
    scope.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the scope deadline wins over the attempt reason and aborts the attempt signal', () => {
    const clock = new ManualClock();
    const scope = new CallScope(100, clock);
    const guard = new AttemptGuard(scope, clock);
    guard.arm('connect_timeout', 500, 'connect');
    clock.advance(100);
    expect(guard.signal.aborted).toBe(true);
    expect(guard.failure()).toMatchObject({ kind: 'deadline' });
    guard.dispose();
    scope.dispose();
  });
});
