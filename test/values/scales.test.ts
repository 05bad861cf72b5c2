import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALES, SCALE_IDS, convertScore, toCenteredScore, type Scale } from '../../src/values/scales.js';

const inRange = (s: Scale) => fc.double({ min: SCALES[s].min, max: SCALES[s].max, noNaN: true });

describe('scales', () => {
  it('endpoints and midpoints correspond: likert 1/3/5 ↔ pvq 1/3.5/6 ↔ centered −2.5/0/+2.5', () => {
    expect(convertScore(1, 'likert5', 'pvq6').value).toBe(1);
    expect(convertScore(3, 'likert5', 'pvq6').value).toBe(3.5);
    expect(convertScore(5, 'likert5', 'pvq6').value).toBe(6);
    expect(convertScore(5, 'likert5', 'centered').value).toBe(2.5);
    expect(convertScore(1, 'likert5', 'centered').value).toBe(-2.5);
    expect(convertScore(4, 'likert5', 'centered').value).toBe(1.25);
    expect(convertScore(0, 'centered', 'pvq6').value).toBe(3.5);
    expect(convertScore(6, 'pvq6', 'likert5').value).toBe(5);
    // centered = pvq6 − 3.5: one PVQ rating point is one centered point.
    expect(toCenteredScore(4.5, 'pvq6')).toBe(1);
  });

  it('round-trips every pair of scales inside the range', () => {
    for (const from of SCALE_IDS) {
      for (const to of SCALE_IDS) {
        // Only values that land inside the target range come back unchanged.
        const lo = Math.max(SCALES[from].min, convertScore(SCALES[to].min, to, from).value);
        const hi = Math.min(SCALES[from].max, convertScore(SCALES[to].max, to, from).value);
        fc.assert(
          fc.property(fc.double({ min: lo, max: hi, noNaN: true }), (x) => {
            const there = convertScore(x, from, to);
            expect(there.clamped).toBe(false);
            expect(convertScore(there.value, to, from).value).toBeCloseTo(x, 8);
          }),
        );
      }
    }
  });

  it('is order-preserving: strictly inside the range, weakly (ties) when clamping', () => {
    for (const from of SCALE_IDS) {
      for (const to of SCALE_IDS) {
        fc.assert(
          fc.property(inRange(from), inRange(from), (a, b) => {
            const ca = convertScore(a, from, to).value;
            const cb = convertScore(b, from, to).value;
            if (a < b) expect(ca).toBeLessThanOrEqual(cb);
            if (a > b) expect(ca).toBeGreaterThanOrEqual(cb);
            if (a < b - 1e-6 && !convertScore(a, from, to).clamped && !convertScore(b, from, to).clamped) {
              expect(ca).toBeLessThan(cb);
            }
          }),
        );
      }
    }
  });

  it('clamps centered scores beyond ±2.5 to the bounded scales and says so', () => {
    expect(convertScore(-3.2, 'centered', 'likert5')).toEqual({ value: 1, clamped: true });
    expect(convertScore(3, 'centered', 'pvq6')).toEqual({ value: 6, clamped: true });
    expect(convertScore(2.5, 'centered', 'pvq6')).toEqual({ value: 6, clamped: false });
  });
});
