/**
 * A per-upstream circuit breaker: closed → open after `failureThreshold` consecutive failures → half-open
 * once the cool-down has passed (one probe call at a time) → closed on a success, or open again with a
 * doubled cool-down (capped at `maxCooldownMs`) when the probe fails. A success resets the count.
 *
 * What counts is the caller's decision (see reliability.ts): connection failures, timeouts, 5xx and
 * broken responses are failures; any other answer from the upstream (2xx, 4xx, 429) proves it is
 * reachable and counts as a success. The state is observable (`state`, `snapshot()`, `onStateChange`)
 * for metrics. Time comes from an injected clock.
 */
import { systemClock, type Clock } from './clock.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerConfig {
  /** Consecutive failures that open the circuit (0 disables the breaker). */
  failureThreshold: number;
  /** Wait before the first probe after opening. */
  cooldownMs: number;
  /** Ceiling for the cool-down, which doubles each time a probe fails. */
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerConfig = {
  failureThreshold: 5,
  cooldownMs: 30_000,
  maxCooldownMs: 60_000,
};

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  consecutiveFailures: number;
  /** Times the circuit opened since it was last closed (drives the cool-down growth). */
  opensInARow: number;
  /** Times the circuit opened since the breaker was created (a counter for metrics). */
  totalOpens: number;
  /** While open: time until a probe is allowed. */
  retryInMs?: number;
}

/** Admission for one attempt: `probe` marks the single call let through while half-open. */
export type BreakerPermit = { ok: true; probe: boolean } | { ok: false; retryAfterMs: number };

export type BreakerListener = (to: BreakerState, from: BreakerState, snapshot: BreakerSnapshot) => void;

export class CircuitBreaker {
  readonly name: string;
  readonly config: BreakerConfig;
  private readonly clock: Clock;
  private current: BreakerState = 'closed';
  private failures = 0;
  private opens = 0;
  private total = 0;
  private openUntil = 0;
  private probeSince: number | null = null;
  private readonly listeners = new Set<BreakerListener>();

  constructor(name: string, config: Partial<BreakerConfig> = {}, clock: Clock = systemClock) {
    this.name = name;
    this.config = { ...DEFAULT_BREAKER, ...config };
    this.clock = clock;
  }

  /** The current state (an open circuit whose cool-down has passed reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() >= this.openUntil) this.transition('half_open');
    return this.current;
  }

  /** Ask to make one upstream attempt. */
  acquire(): BreakerPermit {
    if (this.config.failureThreshold <= 0) return { ok: true, probe: false };
    const state = this.state;
    if (state === 'closed') return { ok: true, probe: false };
    if (state === 'open')
      return { ok: false, retryAfterMs: Math.max(0, Math.ceil(this.openUntil - this.clock.now())) };
    // Half-open: one probe at a time. A probe that never reported back (a bug, a lost promise) stops
    // blocking after one cool-down.
    const now = this.clock.now();
    if (this.probeSince === null || now - this.probeSince >= this.cooldown()) {
      this.probeSince = now;
      return { ok: true, probe: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(this.probeSince + this.cooldown() - now)) };
  }

  /** The attempt reached the upstream and it answered. */
  onSuccess(permit: BreakerPermit): void {
    if (!permit.ok) return;
    if (permit.probe) this.probeSince = null;
    if (this.current === 'open') return; // a late answer from before the circuit opened: the probe decides
    this.failures = 0;
    if (this.current === 'half_open') {
      this.opens = 0;
      this.transition('closed');
    }
  }

  /** The attempt failed in a way that says the upstream is unhealthy. */
  onFailure(permit: BreakerPermit): void {
    if (!permit.ok || this.config.failureThreshold <= 0) return;
    if (this.current === 'half_open') {
      if (!permit.probe) return; // a call admitted before the circuit opened: the probe decides
      this.probeSince = null;
      this.open();
      return;
    }
    if (this.current === 'open') return;
    this.failures += 1;
    if (this.failures >= this.config.failureThreshold) this.open();
  }

  /** The attempt ended without a verdict (e.g. the caller cancelled): only frees the probe slot. */
  release(permit: BreakerPermit): void {
    if (permit.ok && permit.probe) this.probeSince = null;
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const snap: BreakerSnapshot = {
      name: this.name,
      state,
      consecutiveFailures: this.failures,
      opensInARow: this.opens,
      totalOpens: this.total,
    };
    if (state === 'open') snap.retryInMs = Math.max(0, Math.ceil(this.openUntil - this.clock.now()));
    return snap;
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onStateChange(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private cooldown(): number {
    const n = Math.max(1, this.opens);
    return Math.min(this.config.maxCooldownMs, this.config.cooldownMs * 2 ** (n - 1));
  }

  private open(): void {
    this.opens += 1;
    this.total += 1;
    this.failures = Math.max(this.failures, this.config.failureThreshold);
    this.openUntil = this.clock.now() + this.cooldown();
    this.transition('open');
  }

  private transition(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === 'closed') this.failures = 0;
    if (to !== 'half_open') this.probeSince = null;
    const snap: BreakerSnapshot = {
      name: this.name,
      state: to,
      consecutiveFailures: this.failures,
      opensInARow: this.opens,
      totalOpens: this.total,
    };
    for (const l of this.listeners) {
      try {
        l(to, from, snap);
      } catch {
        // a metrics listener must never break the call path
      }
    }
  }
}
