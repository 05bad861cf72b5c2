import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/scm/random.js';
import {
  cholesky,
  gaussian,
  meanLoading,
  nullTopEigenvalue,
  samplingNoiseFit,
  simulateCeiling,
} from '../../scripts/lib/portrait-ceiling.js';
import { pearson } from '../../src/values/stats.js';

/** Four values whose (ipsatised-like) scores correlate: 0–1 compatible, 2–3 compatible, the pairs opposed. */
const C = [
  [1, 0.4, -0.5, -0.3],
  [0.4, 1, -0.3, -0.5],
  [-0.5, -0.3, 1, 0.4],
  [-0.3, -0.5, 0.4, 1],
];

/** Truths as Value Portrait makes them: per response, the correlation of n raters' value scores with their rating. */
function noiseTruths(responses: number, raters: number, seed: number): number[][] {
  const g = gaussian(mulberry32(seed));
  const l = cholesky(C);
  return Array.from({ length: responses }, () => {
    const scores = Array.from({ length: raters }, () => {
      const e = C.map(() => g());
      return l.map((row) => row.reduce((s, x, k) => s + x * e[k]!, 0));
    });
    const rating = scores.map(() => g()); // pure noise: nothing response-specific
    return C.map((_, v) =>
      pearson(
        scores.map((s) => s[v]!),
        rating,
      ),
    );
  });
}

describe('portrait ceiling analysis', () => {
  it('cholesky gives L with L·Lᵀ = A', () => {
    const l = cholesky(C);
    C.forEach((row, i) =>
      row.forEach((a, j) => {
        const s = l[i]!.reduce((acc, x, k) => acc + x * l[j]![k]!, 0);
        expect(s).toBeCloseTo(a, 10);
      }),
    );
  });

  it('recovers the raters per response when the truths are pure sampling noise', () => {
    const fit = samplingNoiseFit(noiseTruths(600, 30, 7), C);
    // Sampling variance of a correlation near 0 is about 1/n: the fit should find about 30 raters.
    expect(fit.impliedRaters).toBeGreaterThan(22);
    expect(fit.impliedRaters).toBeLessThan(40);
    expect(fit.offDiagonalCorrelation).toBeGreaterThan(0.9);
    expect(Math.abs(fit.residualShare)).toBeLessThan(0.1);
  });

  it('separates the loadings on the mean from the noise, and sees signal in another direction', () => {
    const noise = noiseTruths(600, 30, 8);
    const m = [0.1, 0.05, -0.05, -0.1];
    const g = gaussian(mulberry32(9));
    const loaded = noise.map((t) => {
      const a = 1 + 2 * g();
      return t.map((x, v) => x + a * m[v]!);
    });
    const fit = samplingNoiseFit(loaded, C);
    expect(Math.sqrt(fit.loadingVariance)).toBeGreaterThan(1.6);
    expect(Math.sqrt(fit.loadingVariance)).toBeLessThan(2.4);
    expect(fit.impliedRaters).toBeGreaterThan(22);
    expect(fit.impliedRaters).toBeLessThan(40);
    expect(Math.abs(fit.residualShare)).toBeLessThan(0.1);
    const chance = nullTopEigenvalue({ mean: m, raterCorrelation: C, fit, responses: 600 }, 40, 0.95, 1);
    expect(fit.residualTop.eigenvalue).toBeLessThan(chance * 1.5);
    // Another direction (values 0 and 2 against 1 and 3) that responses differ in: above chance.
    const other = loaded.map((t) => {
      const b = 0.15 * g();
      return t.map((x, v) => x + (v % 2 ? -b : b));
    });
    const fit2 = samplingNoiseFit(other, C);
    expect(fit2.residualShare).toBeGreaterThan(0.05);
    expect(fit2.residualTop.eigenvalue).toBeGreaterThan(2 * chance);
  });

  it('splits the loading on the mean into noise and signal', () => {
    const m = [0.2, 0.1, -0.1, -0.2];
    const loadings = [1, -1, 2, 0, 3];
    const truths = loadings.map((a) => m.map((x) => a * x));
    const zero = C.map((row) => row.map(() => 0));
    const exact = meanLoading(truths, zero);
    exact.loadings.forEach((a, i) => expect(a).toBeCloseTo(loadings[i]!, 10));
    expect(exact.signalSd).toBeCloseTo(exact.sd, 10);
    expect(exact.negativeShare).toBeCloseTo(1 / 5, 10);
    const noisy = meanLoading(
      truths,
      C.map((row) => row.map((c) => c * 10)),
    );
    expect(noisy.noiseSd).toBeGreaterThan(noisy.sd);
    expect(noisy.signalSd).toBe(0);
  });

  it('simulates the per-response ceiling: no signal reverses nothing, an oracle of a strong signal gains', () => {
    const base = {
      mean: [0.08, 0.05, 0.02, -0.01, -0.06],
      noise: Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? 0.03 : 0))),
      samples: 4000,
      seed: 3,
    };
    const none = simulateCeiling({ ...base, signalSd: 0, reliabilities: [1] });
    expect(none.predictors[0]!.reversedShare).toBe(0);
    expect(none.predictors[0]!.perResponse).toBeCloseTo(none.constant, 12);
    const strong = simulateCeiling({ ...base, signalSd: 2, reliabilities: [0, 1] });
    expect(strong.predictors[0]!.perResponse).toBeCloseTo(strong.constant, 12);
    expect(strong.predictors[1]!.reversedShare).toBeGreaterThan(0.2);
    expect(strong.predictors[1]!.perResponse).toBeGreaterThan(strong.constant + 0.1);
  });
});
