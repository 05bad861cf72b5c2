/**
 * The one retry loop for upstream calls, and the time budgets around it.
 *
 * - `CallScope`: the total deadline of one call (all attempts, backoff waits and, for a stream, the
 *   whole stream) merged with the caller's AbortSignal.
 * - `AttemptGuard`: the per-attempt timeouts (connect, first token, idle gap) as one AbortSignal whose
 *   reason says which budget ran out.
 * - `runWithRetries`: attempt → classify → circuit breaker → retry policy → sleep, until a value,
 *   a non-retryable failure, the attempt limit or the deadline. It throws only `UpstreamError`s.
 *
 * Providers (openai.ts) turn whatever their client throws into an `AttemptFailure`; the loop does not
 * know about HTTP clients.
 */
import type { BreakerPermit, CircuitBreaker } from './circuit-breaker.js';
import { sleep, type Clock } from './clock.js';
import { UpstreamError, type FailureKind } from './errors.js';
import { planRetry, type BackoffConfig, type RetryDecision } from './retry-policy.js';

export interface ReliabilityConfig {
  /** Total budget of one call: every attempt, every backoff wait and, for a stream, the whole stream. */
  deadlineMs: number;
  /** Per attempt: until the request is written on a connected socket (DNS, TCP, TLS). */
  connectTimeoutMs: number;
  /** Per streaming attempt: from the attempt's start to the first content delta. */
  firstTokenTimeoutMs: number;
  /** Streams: longest silence between two chunks once content has started. */
  idleTimeoutMs: number;
  /** Attempts per call, the first included (3 = two retries). */
  maxAttempts: number;
  backoff: BackoffConfig;
}

export const DEFAULT_RELIABILITY: ReliabilityConfig = {
  deadlineMs: 120_000,
  connectTimeoutMs: 10_000,
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxAttempts: 3,
  backoff: { baseMs: 500, maxMs: 8_000 },
};

/** How a failed attempt counts for the circuit breaker. */
export type BreakerVerdict = 'failure' | 'success' | 'neutral';

export interface AttemptFailureInit {
  retryable: boolean;
  breaker: BreakerVerdict;
  upstreamStatus?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/** One attempt's failure, classified by the provider. Internal: the loop turns it into an UpstreamError. */
export class AttemptFailure extends Error {
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly breaker: BreakerVerdict;
  readonly upstreamStatus?: number;
  readonly retryAfterMs?: number;

  constructor(kind: FailureKind, message: string, init: AttemptFailureInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AttemptFailure';
    this.kind = kind;
    this.retryable = init.retryable;
    this.breaker = init.breaker;
    if (init.upstreamStatus !== undefined) this.upstreamStatus = init.upstreamStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toUpstreamError(attempts: number, note = ''): UpstreamError {
    const init: ConstructorParameters<typeof UpstreamError>[0] = {
      kind: this.kind,
      message: `${this.message}${note} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      attempts,
      cause: this.cause ?? this,
    };
    if (this.upstreamStatus !== undefined) init.upstreamStatus = this.upstreamStatus;
    if (this.retryAfterMs !== undefined) init.retryAfterMs = this.retryAfterMs;
    return new UpstreamError(init);
  }
}

function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

/**
 * The deadline of one call, merged with the caller's signal. Dispose it when the call is over. Its
 * attempts listen with `onAbort`; the AbortSignal itself is made only when something asks for it
 * (a backoff wait): one AbortController fewer per call.
 */
export class CallScope {
  readonly deadlineMs: number;
  readonly deadlineAt: number;
  private readonly clock: Clock;
  private readonly caller: AbortSignal | undefined;
  private controller: AbortController | undefined;
  /** Why the scope ended (deadline or caller), once it has. */
  private reason: AttemptFailure | undefined;
  private readonly listeners = new Set<(reason: AttemptFailure) => void>();
  private readonly cancelTimer: () => void;
  private readonly onCallerAbort = () => this.abort(this.failure()!);

  constructor(deadlineMs: number, clock: Clock, caller?: AbortSignal) {
    this.deadlineMs = deadlineMs;
    this.clock = clock;
    this.caller = caller;
    this.deadlineAt = clock.now() + deadlineMs;
    this.cancelTimer = clock.setTimer(
      () =>
        this.abort(
          new AttemptFailure('deadline', `the upstream call exceeded its ${deadlineMs} ms deadline`, {
            retryable: false,
            breaker: 'failure',
          }),
        ),
      deadlineMs,
    );
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** Aborts when the deadline passes or the caller aborts. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Whether the scope has ended (deadline or caller). */
  get aborted(): boolean {
    return this.reason !== undefined;
  }

  /** Call `listener` when the scope ends (at once if it has); returns the function that stops listening. */
  onAbort(listener: (reason: AttemptFailure) => void): () => void {
    if (this.reason) {
      listener(this.reason);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private abort(reason: AttemptFailure): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
    for (const listener of [...this.listeners]) listener(reason);
    this.listeners.clear();
  }

  remaining(): number {
    return Math.max(0, this.deadlineAt - this.clock.now());
  }

  /** Why the scope is over (caller abort or deadline), or undefined while it is still running. */
  failure(): AttemptFailure | undefined {
    if (this.caller?.aborted) {
      const reason: unknown = this.caller.reason;
      return isTimeoutReason(reason)
        ? new AttemptFailure('deadline', "the caller's deadline passed before the upstream answered", {
            retryable: false,
            breaker: 'neutral',
          })
        : new AttemptFailure('cancelled', 'the caller cancelled the upstream call', {
            retryable: false,
            breaker: 'neutral',
          });
    }
    return this.reason;
  }

  dispose(): void {
    this.cancelTimer();
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

export type AttemptTimeout = 'connect_timeout' | 'first_token_timeout' | 'idle_timeout';

/** Per-attempt timeouts on top of a CallScope; `signal` aborts on any of them or on the scope. */
export class AttemptGuard {
  readonly signal: AbortSignal;
  private readonly scope: CallScope;
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private readonly timers = new Map<AttemptTimeout, () => void>();
  /** Forwards the scope's abort to this attempt (a listener, cheaper than AbortSignal.any per attempt). */
  private readonly stopListening: () => void;

  constructor(scope: CallScope, clock: Clock) {
    this.scope = scope;
    this.clock = clock;
    this.signal = this.controller.signal;
    this.stopListening = scope.onAbort((reason) => this.controller.abort(reason));
  }

  /** Start (or restart) one timeout; when it fires the attempt aborts with a retryable failure of that kind. */
  arm(kind: AttemptTimeout, ms: number, message: string): void {
    this.disarm(kind);
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.timers.set(
      kind,
      this.clock.setTimer(() => {
        this.timers.delete(kind);
        this.controller.abort(new AttemptFailure(kind, message, { retryable: true, breaker: 'failure' }));
      }, ms),
    );
  }

  disarm(kind: AttemptTimeout): void {
    this.timers.get(kind)?.();
    this.timers.delete(kind);
  }

  /**
   * The idle timeout of a stream, measured only while waiting for a chunk: `beginWait` before each
   * read, `endWait` after it. It behaves like `arm('idle_timeout')` before every read and `disarm`
   * after it, but costs two clock reads per chunk instead of a timer per chunk: one timer runs, and
   * when it fires during a wait that is not yet `ms` old it re-arms for the rest of that wait.
   */
  beginWait(ms: number, message: string): void {
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    const now = this.clock.now();
    const w = (this.wait ??= { ms, message, since: now, waiting: true, pending: false });
    w.ms = ms;
    w.message = message;
    w.since = now;
    w.waiting = true;
    if (!w.pending) this.scheduleWait(ms);
  }

  endWait(): void {
    if (this.wait) this.wait.waiting = false;
  }

  private wait:
    { ms: number; message: string; since: number; waiting: boolean; pending: boolean } | undefined;

  private scheduleWait(delay: number): void {
    const w = this.wait!;
    w.pending = true;
    this.timers.set(
      'idle_timeout',
      this.clock.setTimer(() => {
        w.pending = false;
        this.timers.delete('idle_timeout');
        if (!w.waiting) return; // the next beginWait schedules again
        const waited = this.clock.now() - w.since;
        if (waited >= w.ms) {
          this.controller.abort(
            new AttemptFailure('idle_timeout', w.message, { retryable: true, breaker: 'failure' }),
          );
        } else this.scheduleWait(w.ms - waited);
      }, delay),
    );
  }

  /** Why the attempt was aborted (the scope's reason first), or undefined. */
  failure(): AttemptFailure | undefined {
    const scoped = this.scope.failure();
    if (scoped) return scoped;
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof AttemptFailure ? reason : undefined;
  }

  /**
   * Stop every timer and abort the attempt (frees the socket of an unfinished response). Pass
   * `completed` when the response was read to its end: the connection is already back in the pool,
   * and aborting a finished request only costs an exception object and a round of abort events.
   */
  dispose(completed = false): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    if (this.wait) this.wait.waiting = this.wait.pending = false;
    this.stopListening();
    if (!completed && !this.controller.signal.aborted) this.controller.abort(new Error('attempt finished'));
  }
}

export interface AttemptFailedInfo {
  attempt: number;
  failure: AttemptFailure;
  decision: RetryDecision;
}

export interface RetryLoopOptions {
  scope: CallScope;
  maxAttempts: number;
  backoff: BackoffConfig;
  clock: Clock;
  random: () => number;
  breaker?: CircuitBreaker | undefined;
  /** Called after each failed attempt with the decision taken (logs, metrics). */
  onAttemptFailed?: ((info: AttemptFailedInfo) => void) | undefined;
}

const OK_PERMIT: BreakerPermit = { ok: true, probe: false };

function recordVerdict(
  breaker: CircuitBreaker | undefined,
  permit: BreakerPermit,
  verdict: BreakerVerdict,
): void {
  if (!breaker) return;
  if (verdict === 'failure') breaker.onFailure(permit);
  else if (verdict === 'success') breaker.onSuccess(permit);
  else breaker.release(permit);
}

/** Record a failure that happened after the loop returned (a stream broken after its first delta). */
export function recordLateFailure(breaker: CircuitBreaker | undefined, failure: AttemptFailure): void {
  recordVerdict(breaker, OK_PERMIT, failure.breaker);
}

function noteFor(decision: RetryDecision): string {
  return !decision.retry && decision.reason === 'retry_after_beyond_deadline'
    ? '; its Retry-After does not fit in the remaining deadline'
    : '';
}

/**
 * Run `attempt(n)` (n = 1, 2, …) until it resolves, under the scope's deadline, the breaker and the
 * retry policy. Resolves with the value and the number of attempts; rejects with an UpstreamError.
 */
export async function runWithRetries<T>(
  attempt: (n: number) => Promise<T>,
  opts: RetryLoopOptions,
): Promise<{ value: T; attempts: number }> {
  const { scope, breaker } = opts;
  let last: AttemptFailure | undefined;
  for (let n = 1; ; n++) {
    const over = scope.failure();
    if (over) throw over.toUpstreamError(n - 1);

    const permit = breaker ? breaker.acquire() : OK_PERMIT;
    if (!permit.ok) {
      if (last) throw last.toUpstreamError(n - 1, '; the circuit breaker opened, so no further retry');
      throw new UpstreamError({
        kind: 'breaker_open',
        message: `the upstream circuit breaker is open after repeated failures; retry in ${Math.ceil(permit.retryAfterMs / 1000)} s`,
        attempts: 0,
        retryAfterMs: permit.retryAfterMs,
      });
    }

    let failure: AttemptFailure;
    try {
      const value = await attempt(n);
      breaker?.onSuccess(permit);
      return { value, attempts: n };
    } catch (err) {
      failure =
        scope.failure() ??
        (err instanceof AttemptFailure
          ? err
          : new AttemptFailure('unexpected', 'the upstream call failed unexpectedly', {
              retryable: false,
              breaker: 'neutral',
              cause: err,
            }));
    }
    recordVerdict(breaker, permit, failure.breaker);
    last = failure;

    const decision = planRetry({
      attempt: n,
      maxAttempts: opts.maxAttempts,
      retryable: failure.retryable,
      retryAfterMs: failure.retryAfterMs,
      remainingMs: scope.remaining(),
      backoff: opts.backoff,
      random: opts.random,
    });
    opts.onAttemptFailed?.({ attempt: n, failure, decision });
    if (!decision.retry) throw failure.toUpstreamError(n, noteFor(decision));

    try {
      await sleep(opts.clock, decision.delayMs, scope.signal);
    } catch {
      throw (scope.failure() ?? failure).toUpstreamError(n);
    }
  }
}
