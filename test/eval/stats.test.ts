/**
 * The seeded percentile bootstrap, checked against an independent Python re-implementation
 * (fixtures/bootstrap_reference.py: mulberry32 with explicit 32-bit arithmetic, type-7 quantiles
 * cross-checked with statistics.quantiles) and against cases computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { bootstrap, clusteredMean, fnv1a, mean, mulberry32, quantile } from '../../src/eval/index.js';

// Printed by `python3 test/eval/fixtures/bootstrap_reference.py`.
const PY = {
  first3: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099],
  ci95: [1.8, 6.804999999999995],
  ci90: [0.43437499999999984, 1.625],
};

describe('mulberry32 and quantiles', () => {
  it('matches the Python re-implementation', () => {
    const r = mulberry32(42);
    expect([r(), r(), r()]).toEqual(PY.first3);
  });

  it('type-7 quantiles by hand', () => {
    const xs = [1, 2, 3, 4, 10];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(10);
    expect(quantile(xs, 0.5)).toBe(3);
    expect(quantile(xs, 0.875)).toBeCloseTo(4 + 0.5 * 6, 12); // h = 3.5
    expect(quantile([7], 0.3)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow();
  });

  it('mean and fnv1a', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
    expect(fnv1a('')).toBe('811c9dc5');
    expect(fnv1a('a')).toBe('e40c292c'); // the published FNV-1a 32 test vector
  });
});

describe('bootstrap confidence intervals', () => {
  it('mean of [1, 2, 3, 4, 10], 1000 resamples, seed 7, 95%: the Python numbers', () => {
    const ci = clusteredMean([[1], [2], [3], [4], [10]], { resamples: 1000, seed: 7, level: 0.95 });
    expect(ci.estimate).toBe(4);
    expect(ci.lo).toBeCloseTo(PY.ci95[0]!, 12);
    expect(ci.hi).toBeCloseTo(PY.ci95[1]!, 12);
    expect(ci.n).toBe(5);
  });

  it('mean of [0.5, 1.5, 0.25, 2], 200 resamples, seed 123, 90%: the Python numbers', () => {
    const ci = clusteredMean([[0.5], [1.5], [0.25], [2]], { resamples: 200, seed: 123, level: 0.9 });
    expect(ci.estimate).toBeCloseTo(1.0625, 12);
    expect(ci.lo).toBeCloseTo(PY.ci90[0]!, 12);
    expect(ci.hi).toBeCloseTo(PY.ci90[1]!, 12);
  });

  it('is reproducible with a seed and changes with another', () => {
    const a = clusteredMean([[1], [5], [2], [8]], { seed: 1 });
    expect(clusteredMean([[1], [5], [2], [8]], { seed: 1 })).toEqual(a);
    expect(clusteredMean([[1], [5], [2], [8]], { seed: 2 }).lo).not.toBe(a.lo);
  });

  it('two values, by hand: every replicate mean is 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4', () => {
    const ci = clusteredMean([[0], [1]], { resamples: 4000, seed: 3, level: 0.5 });
    // The 25% and 75% quantiles of that distribution are 0.5 (the middle half is all 0.5).
    expect(ci.lo).toBe(0.5);
    expect(ci.hi).toBe(0.5);
    const wide = clusteredMean([[0], [1]], { resamples: 4000, seed: 3, level: 0.95 });
    expect([wide.lo, wide.hi]).toEqual([0, 1]);
  });

  it('a constant sample has a zero-width interval; one cluster has none', () => {
    expect(clusteredMean([[2], [2], [2]], { resamples: 100 })).toMatchObject({ estimate: 2, lo: 2, hi: 2 });
    expect(clusteredMean([[2, 4]], { resamples: 100 })).toMatchObject({ estimate: 3, lo: null, hi: null });
    expect(clusteredMean([], {})).toMatchObject({ estimate: null, lo: null, hi: null, n: 0 });
  });

  it('clusters move together: the pooled mean of the drawn clusters', () => {
    // Two clusters [0, 0, 0] and [3]: pooled mean 0.75; replicates draw {A,A} → 0, {B,B} → 3,
    // {A,B} → 0.75; so the 95% interval spans [0, 3] and the estimate is the pooled 0.75.
    const ci = clusteredMean([[0, 0, 0], [3]], { resamples: 2000, seed: 5 });
    expect(ci.estimate).toBeCloseTo(0.75, 12);
    expect(ci.lo).toBe(0);
    expect(ci.hi).toBe(3);
    // Empty clusters are dropped.
    expect(clusteredMean([[0, 0, 0], [], [3]], { resamples: 2000, seed: 5 })).toEqual(ci);
  });

  it('drops replicates where the statistic is undefined, and counts them', () => {
    // Undefined unless both clusters are drawn (probability 1/2).
    const ci = bootstrap(2, (w) => (w[0]! > 0 && w[1]! > 0 ? 1 : null), { resamples: 1000, seed: 9 });
    expect(ci.undefinedResamples).toBeGreaterThan(400);
    expect(ci.undefinedResamples).toBeLessThan(600);
    expect([ci.lo, ci.hi]).toEqual([1, 1]);
  });
});
