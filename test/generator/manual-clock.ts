/** A manual clock for unit tests: time moves only when the test advances it. */
import type { Clock } from '../../src/generator/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  /** Wall time at t = 0 (for HTTP-date Retry-After). */
  readonly wallStart = Date.UTC(2026, 0, 1, 12, 0, 0);

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return this.wallStart + this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  /** Move time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = target;
  }

  /**
   * Drive `promise` to completion: let microtasks and I/O callbacks run, and whenever the code is only
   * waiting on a timer, jump to it.
   */
  async settle<T>(promise: Promise<T>, maxSteps = 10_000): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    for (let i = 0; i < maxSteps && !done; i++) {
      await new Promise((r) => setImmediate(r));
      if (done) break;
      const next = this.earliest();
      if (next) this.advance(next.at - this.t);
    }
    return tracked;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers)
      if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }
}
