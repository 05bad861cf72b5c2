import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertProfile } from '../../src/values/profile.js';
import {
  HUMAN_RANK_CURVE,
  partialRankScores,
  rankScores,
  scoresToRanking,
} from '../../src/values/ranking.js';

describe('rankings', () => {
  it('the human rank curve is strictly decreasing (so ranking → scores keeps the order)', () => {
    expect(HUMAN_RANK_CURVE).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(HUMAN_RANK_CURVE[i]!).toBeLessThan(HUMAN_RANK_CURVE[i - 1]!);
    // A person's top value is about +1.2 above their average priority, the bottom about −1.5.
    expect(HUMAN_RANK_CURVE[0]).toBeCloseTo(1.21, 2);
    expect(HUMAN_RANK_CURVE[9]).toBeCloseTo(-1.54, 2);
  });

  it('k = 10 reproduces the curve; other k interpolate it end to end', () => {
    expect(rankScores(10)).toEqual([...HUMAN_RANK_CURVE]);
    const three = rankScores(3);
    expect(three[0]).toBe(HUMAN_RANK_CURVE[0]);
    expect(three[2]).toBe(HUMAN_RANK_CURVE[9]);
    expect(three[1]).toBeCloseTo((HUMAN_RANK_CURVE[4]! + HUMAN_RANK_CURVE[5]!) / 2, 12);
    expect(rankScores(1)).toEqual([HUMAN_RANK_CURVE[0]]);
    expect(() => rankScores(0)).toThrow();
  });

  it('scores are strictly decreasing for every k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), (k) => {
        const s = rankScores(k);
        for (let i = 1; i < k; i++) expect(s[i]!).toBeLessThan(s[i - 1]!);
      }),
    );
  });

  it('scores → ranking sorts highest first, breaks ties by the system order and reports them', () => {
    const order = ['a', 'b', 'c', 'd'];
    expect(scoresToRanking({ c: 1, a: 3, d: 2 }, order)).toEqual({ ranking: ['a', 'd', 'c'], ties: [] });
    expect(scoresToRanking({ d: 2, b: 2, a: 1, c: 1 }, order)).toEqual({
      ranking: ['b', 'd', 'a', 'c'],
      ties: [
        ['b', 'd'],
        ['a', 'c'],
      ],
    });
  });
});

describe('partial rankings', () => {
  it('give the listed values the top ranks of the system, in order', () => {
    expect(partialRankScores(3, 10)).toEqual([1.212, 0.9498, 0.724]);
    expect(partialRankScores(10, 10)).toEqual(rankScores(10));
    expect(() => partialRankScores(11, 10)).toThrow(/at least 11/);
  });

  it('the issue’s example: listed values come first, benevolence third, not last of all ten', () => {
    const { values } = convertProfile(
      { format: 'ranking', ranking: ['achievement', 'self_direction', 'benevolence'] },
      'centered',
    );
    expect(values).toEqual({ achievement: 1.212, self_direction: 0.9498, benevolence: 0.724 });
  });
});
