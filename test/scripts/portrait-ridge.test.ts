import { describe, expect, it } from 'vitest';
import { groupFolds, scorePortrait } from '../../src/attribution/learned/portrait.js';
import { mulberry32 } from '../../src/scm/random.js';
import {
  crossValidateDeviation,
  dualRidge,
  styleFeatures,
  STYLE_FEATURES,
  wordTfidf,
} from '../../scripts/lib/portrait-ridge.js';

describe('portrait ridge attempts', () => {
  it('dual ridge recovers a linear map with a small penalty and shrinks it with a large one', () => {
    const rand = mulberry32(1);
    const x = Array.from({ length: 40 }, () => [rand(), rand(), rand()]);
    const y = x.map((r) => [2 * r[0]! - r[1]! + 5, -r[2]!]);
    const fit = dualRidge(x, y, 1e-8);
    const mean0 = y.reduce((s, r) => s + r[0]!, 0) / y.length;
    const mean1 = y.reduce((s, r) => s + r[1]!, 0) / y.length;
    for (const r of x.slice(0, 5)) {
      const [a, b] = fit(r);
      expect(a! + mean0).toBeCloseTo(2 * r[0]! - r[1]! + 5, 5);
      expect(b! + mean1).toBeCloseTo(-r[2]!, 5);
    }
    const shrunk = dualRidge(x, y, 1e4);
    expect(Math.abs(shrunk([1, 0, 0])[0]!)).toBeLessThan(0.01);
  });

  it('builds the tf-idf vocabulary from the training rows only', () => {
    const texts = ['care for others', 'care and help', 'care a lot', 'power and wealth'];
    const x = wordTfidf(texts, [0, 1, 2], 2);
    // Only "care" is in two training rows: the test row's words are not in the vocabulary.
    expect(x[0]!.length).toBe(1);
    expect(x[3]).toEqual([0]);
    expect(x[0]![0]).toBeCloseTo(1, 10);
  });

  it('reads style features', () => {
    const f = styleFeatures('You should not do that! Why?');
    expect(f).toHaveLength(STYLE_FEATURES.length);
    const at = (name: string) => f[STYLE_FEATURES.indexOf(name)]!;
    expect(at('you')).toBeCloseTo(1 / 6, 10);
    expect(at('should')).toBeCloseTo(1 / 6, 10);
    expect(at('questions')).toBeCloseTo(1 / 6, 10);
    expect(at('exclamations')).toBeCloseTo(1 / 6, 10);
    expect(at('log length')).toBeCloseTo(Math.log(6), 10);
  });

  /** Per-response Spearman of the constant: each row gets the mean truth of the other folds. */
  function constantScore(truth: number[][], groups: number[], seed: number): number {
    const fold = groupFolds(groups, 5, seed);
    const constant = truth.map((_, r) => {
      const tr = truth.filter((_, d) => fold[d] !== fold[r]);
      return truth[0]!.map((_, v) => tr.reduce((s, t) => s + t[v]!, 0) / tr.length);
    });
    return scorePortrait(constant, truth).perResponse;
  }

  /** 40 prompts × 5 responses; the truth is a mean ordering plus what feature 0 says, plus noise. */
  function synthetic(signal: number) {
    const rand = mulberry32(5);
    const m = [0.1, 0.06, 0.02, -0.02, -0.06, -0.1];
    const groups = Array.from({ length: 200 }, (_, i) => Math.floor(i / 5));
    const x = groups.map(() => [rand() - 0.5, rand() - 0.5]);
    const truth = x.map((r) =>
      m.map((v, k) => v + signal * r[0]! * (k % 2 ? 1 : -1) * 0.3 + 0.02 * (rand() - 0.5)),
    );
    return { truth, groups, x };
  }

  it('moves away from the constant when the text predicts the deviations, and beats it per response', () => {
    const { truth, groups, x } = synthetic(1);
    const res = crossValidateDeviation(truth, groups, 5, 1, {
      features: () => x,
      target: 'values',
      lambdas: [0.01, 1],
      gammas: [0, 1],
      objective: 'perResponse',
    });
    expect(res.chosen.every((c) => c.gamma === 1)).toBe(true);
    expect(res.score.perResponse).toBeGreaterThan(constantScore(truth, groups, 1) + 0.2);
    expect(res.score.across).toBeGreaterThan(0.5);
  });

  it('is exactly the constant when γ = 0 is the only move', () => {
    const { truth, groups, x } = synthetic(1);
    const res = crossValidateDeviation(truth, groups, 5, 2, {
      features: () => x,
      target: 'loading',
      lambdas: [1],
      gammas: [0],
      objective: 'perResponse',
    });
    expect(res.score.perResponse).toBeCloseTo(constantScore(truth, groups, 2), 12);
    expect(res.outputs).toHaveLength(truth.length);
  });
});
