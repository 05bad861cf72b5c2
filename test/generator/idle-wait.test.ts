/**
 * AttemptGuard.beginWait/endWait: the stream idle timeout counts only the time spent waiting for a
 * chunk, exactly like arm('idle_timeout') before each read and disarm after it, with one timer per
 * idle period instead of one per chunk.
 */
import { describe, expect, it } from 'vitest';
import { AttemptGuard, CallScope } from '../../src/generator/reliability.js';
import { ManualClock } from './manual-clock.js';

function setup() {
  const clock = new ManualClock();
  const scope = new CallScope(100_000, clock);
  return { clock, scope, guard: new AttemptGuard(scope, clock) };
}

describe('AttemptGuard idle waits', () => {
  it('fires when one wait lasts the whole budget, with the idle reason', () => {
    const { clock, guard, scope } = setup();
    guard.beginWait(100, 'stalled for 100 ms');
    clock.advance(99);
    expect(guard.signal.aborted).toBe(false);
    clock.advance(1);
    expect(guard.signal.aborted).toBe(true);
    expect(guard.failure()).toMatchObject({
      kind: 'idle_timeout',
      retryable: true,
      message: 'stalled for 100 ms',
    });
    guard.dispose();
    scope.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('many short waits never fire, and the time between reads does not count', () => {
    const { clock, guard, scope } = setup();
    for (let i = 0; i < 50; i++) {
      guard.beginWait(100, 'stalled');
      clock.advance(60); // waiting for a chunk
      guard.endWait();
      clock.advance(80); // the consumer is busy: not idle time
    }
    expect(guard.signal.aborted).toBe(false);
    expect(clock.pendingTimers()).toBeLessThanOrEqual(2); // one idle timer (+ the scope deadline)
    // A wait that starts late in the timer's period still gets its full budget.
    guard.beginWait(100, 'stalled');
    clock.advance(99);
    expect(guard.signal.aborted).toBe(false);
    clock.advance(1);
    expect(guard.failure()).toMatchObject({ kind: 'idle_timeout' });
    guard.dispose();
    scope.dispose();
  });

  it('a zero or infinite budget never arms; dispose stops the timer', () => {
    const { clock, guard, scope } = setup();
    guard.beginWait(0, 'x');
    guard.beginWait(Infinity, 'x');
    expect(clock.pendingTimers()).toBe(1); // the scope deadline only
    guard.beginWait(50, 'x');
    guard.dispose();
    clock.advance(1_000);
    expect(guard.failure()).toBeUndefined();
    scope.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });
});
