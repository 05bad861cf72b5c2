/** Ranking methods and the preference transform (src/decisions/methods.ts), on small hand-checked matrices. */
import { describe, expect, it } from 'vitest';
import { PROMETHEE_P, preferenceWeights, rankByScore, scoreActions } from '../../src/decisions/methods.js';

describe('preferenceWeights', () => {
  it('maps 1–5 levels to (level − 1) / 4, normalised to sum 1; 1 weighs nothing', () => {
    expect(preferenceWeights([5, 3, 1])).toEqual([2 / 3, 1 / 3, 0]);
    expect(preferenceWeights([9, 0])).toEqual([1, 0]); // clamped to the scale
  });
  it('gives equal weights when every level is 1', () => {
    expect(preferenceWeights([1, 1, 1, 1])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

// Two values (fairness, curiosity); three actions: fair, curious, against fairness.
const R = [
  [1, 0],
  [0, 1],
  [-1, 0.2],
];

describe('weighted-sum', () => {
  it('scores Σ w·r with contributions summing to the score', () => {
    const { scores, contributions } = scoreActions('weighted-sum', R, [0.75, 0.25]);
    expect(scores).toEqual([0.75, 0.25, -0.75 + 0.05]);
    expect(contributions[2]).toEqual([-0.75, 0.05]);
    expect(rankByScore(scores)).toEqual([0, 1, 2]);
    // The other person prefers the curious action.
    expect(rankByScore(scoreActions('weighted-sum', R, [0.25, 0.75]).scores)).toEqual([1, 0, 2]);
  });
});

describe('topsis', () => {
  it('is closeness to the ideal on min–max normalised criteria', () => {
    const { scores, contributions } = scoreActions('topsis', R, [0.5, 0.5]);
    // Action 0: fairness at the ideal (1), curiosity at the anti-ideal (0): distances 0.5 and 0.5.
    expect(scores[0]).toBeCloseTo(0.5, 10);
    expect(contributions[0]).toEqual([0.5, 0]);
    // Action 2: fairness at the anti-ideal, curiosity 0.2 of the way: D+ = √(0.25 + 0.16), D− = 0.1.
    expect(scores[2]).toBeCloseTo(0.1 / (0.1 + Math.sqrt(0.25 + 0.16)), 10);
  });
  it('gives 0.5 to every action when they all tie', () => {
    expect(scoreActions('topsis', [[1], [1]], [1]).scores).toEqual([0.5, 0.5]);
  });
});

describe('promethee', () => {
  it('net flows sum to 0, contributions sum to the flow, and a difference beyond p is full preference', () => {
    const { scores, contributions } = scoreActions('promethee', R, [0.5, 0.5]);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    contributions.forEach((c, a) => expect(c[0]! + c[1]!).toBeCloseTo(scores[a]!, 12));
    // Fairness: action 0 beats 1 and 2 by ≥ p → flow (1 + 1) / 2 = 1, weighted 0.5.
    expect(contributions[0]![0]).toBeCloseTo(0.5, 12);
    expect(PROMETHEE_P).toBe(0.5);
    // Curiosity: 1 vs 0.2 = 0.8 ≥ p; 0.2 vs 0: (0.2 − 0.05) / 0.45 partial preference.
    expect(contributions[2]![1]).toBeCloseTo((0.5 * (0.15 / 0.45 - 1)) / 2, 12);
  });
});
