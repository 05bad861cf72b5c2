/** The decision metrics (src/decisions/evaluate.ts): Kendall τ-b, agreement with a reference ranking. */
import { describe, expect, it } from 'vitest';
import { agreement, kendallTau, rankingScores } from '../../src/decisions/evaluate.js';

describe('kendallTau', () => {
  it('is 1 for the same order, −1 for the reverse, and τ-b with ties', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // One discordant pair of six: (5 − 1) / 6.
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    // Ties: a = [1, 1, 2], b = [1, 2, 3]: pairs (0,1) tied in a only, (0,2) and (1,2) concordant → 2 / √(2·3).
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(kendallTau([1, 1], [1, 2])).toBeNull();
  });
});

describe('agreement', () => {
  it('compares predicted scores with a ranking (indices, best first)', () => {
    expect(rankingScores([2, 0, 1], 3)).toEqual([2, 1, 3]);
    const same = agreement([0.2, 0.1, 0.9], [2, 0, 1]);
    expect(same).toEqual({ spearman: 1, kendall: 1, top1: 1 });
    const reverse = agreement([0.9, 1, 0.1], [2, 0, 1]);
    expect(reverse.spearman).toBeCloseTo(-1, 12);
    expect(reverse.top1).toBe(0);
  });
});
