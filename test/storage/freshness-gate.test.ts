import { describe, expect, it } from 'vitest';
import { FreshnessGate } from '../../src/storage/freshness-gate.js';

describe('FreshnessGate', () => {
  it('answers every caller from a run that started after it called, sharing runs under load', async () => {
    const starts: number[] = [];
    let clock = 0;
    let release: (() => void) | null = null;
    const gate = new FreshnessGate(async () => {
      starts.push(clock);
      await new Promise<void>((r) => (release = r));
    });
    const tick = () => new Promise((r) => setImmediate(r));

    clock = 1;
    const first = gate.pass(); // starts run 1 at t=1
    clock = 2;
    const during = [gate.pass(), gate.pass(), gate.pass()]; // called during run 1: share run 2
    expect(starts).toEqual([1]);
    clock = 3;
    release!();
    await first;
    await tick();
    expect(starts).toEqual([1, 3]); // run 2 started after the calls made during run 1
    release!();
    await Promise.all(during);
    expect(starts).toHaveLength(2); // three callers, one run

    clock = 4;
    const idle = gate.pass(); // nothing running: a run of its own, at once
    expect(starts).toEqual([1, 3, 4]);
    release!();
    await idle;
  });
});
