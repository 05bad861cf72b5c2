import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  type BreakerPermit,
  type BreakerState,
} from '../../src/generator/circuit-breaker.js';
import { ManualClock } from './manual-clock.js';

function setup(config = { failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 4_000 }) {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker('test', config, clock);
  const transitions: string[] = [];
  breaker.onStateChange((to, from) => transitions.push(`${from}->${to}`));
  const fail = () => {
    const p = breaker.acquire();
    expect(p.ok).toBe(true);
    breaker.onFailure(p);
    return p;
  };
  const succeed = () => {
    const p = breaker.acquire();
    expect(p.ok).toBe(true);
    breaker.onSuccess(p);
    return p;
  };
  return { clock, breaker, transitions, fail, succeed };
}

const states = (b: CircuitBreaker): BreakerState => b.state;

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and rejects fast while open', () => {
    const { breaker, transitions, fail } = setup();
    fail();
    fail();
    expect(states(breaker)).toBe('closed');
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
    fail();
    expect(states(breaker)).toBe('open');
    expect(transitions).toEqual(['closed->open']);
    const p = breaker.acquire();
    expect(p).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      retryInMs: 1_000,
      totalOpens: 1,
      opensInARow: 1,
    });
  });

  it('a success resets the consecutive count', () => {
    const { breaker, fail, succeed } = setup();
    fail();
    fail();
    succeed();
    fail();
    fail();
    expect(states(breaker)).toBe('closed');
    fail();
    expect(states(breaker)).toBe('open');
  });

  it('goes half-open after the cool-down, lets one probe through, closes on its success', () => {
    const { clock, breaker, transitions, fail } = setup();
    for (let i = 0; i < 3; i++) fail();
    clock.advance(999);
    expect(breaker.acquire().ok).toBe(false);
    clock.advance(1);
    expect(states(breaker)).toBe('half_open');
    const probe = breaker.acquire();
    expect(probe).toEqual({ ok: true, probe: true });
    const second = breaker.acquire();
    expect(second.ok).toBe(false); // one probe at a time
    breaker.onSuccess(probe);
    expect(states(breaker)).toBe('closed');
    expect(breaker.acquire()).toEqual({ ok: true, probe: false });
    expect(transitions).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    expect(breaker.snapshot()).toMatchObject({ consecutiveFailures: 0, opensInARow: 0, totalOpens: 1 });
  });

  it('a failed probe reopens with a doubled cool-down, capped at maxCooldownMs', () => {
    const { clock, breaker, fail } = setup();
    for (let i = 0; i < 3; i++) fail();
    const cooldowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      const p = breaker.acquire() as Extract<BreakerPermit, { ok: false }>;
      cooldowns.push(p.retryAfterMs);
      clock.advance(p.retryAfterMs);
      const probe = breaker.acquire();
      expect(probe).toEqual({ ok: true, probe: true });
      breaker.onFailure(probe);
      expect(states(breaker)).toBe('open');
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 4_000]);
    // Recovery resets the growth.
    clock.advance(4_000);
    breaker.onSuccess(breaker.acquire());
    expect(states(breaker)).toBe('closed');
    for (let i = 0; i < 3; i++) fail();
    expect(breaker.acquire()).toEqual({ ok: false, retryAfterMs: 1_000 });
  });

  it('results of calls admitted before the circuit opened do not decide it', () => {
    const { clock, breaker, fail } = setup();
    const early = breaker.acquire();
    for (let i = 0; i < 3; i++) fail();
    breaker.onSuccess(early); // late success while open: ignored
    expect(states(breaker)).toBe('open');
    clock.advance(1_000);
    const probe = breaker.acquire();
    breaker.onFailure(early); // late failure while half-open: ignored, the probe decides
    expect(states(breaker)).toBe('half_open');
    breaker.onSuccess(probe);
    expect(states(breaker)).toBe('closed');
  });

  it('a released probe frees the slot; a lost probe stops blocking after one cool-down', () => {
    const { clock, breaker, fail } = setup();
    for (let i = 0; i < 3; i++) fail();
    clock.advance(1_000);
    const probe = breaker.acquire();
    breaker.release(probe);
    const lost = breaker.acquire();
    expect(lost).toEqual({ ok: true, probe: true });
    expect(breaker.acquire().ok).toBe(false);
    clock.advance(1_000);
    expect(breaker.acquire()).toEqual({ ok: true, probe: true });
  });

  it('threshold 0 disables it', () => {
    const { breaker, fail } = setup({ failureThreshold: 0, cooldownMs: 1_000, maxCooldownMs: 1_000 });
    for (let i = 0; i < 50; i++) fail();
    expect(states(breaker)).toBe('closed');
  });

  it('a throwing listener does not break the call path', () => {
    const { breaker, fail } = setup();
    breaker.onStateChange(() => {
      throw new Error('metrics down');
    });
    for (let i = 0; i < 3; i++) fail();
    expect(states(breaker)).toBe('open');
  });
});
