import { describe, expect, it } from 'vitest';
import {
  attributeText,
  AttributionError,
  averageRanks,
  compareProfiles,
  spearman,
  type ValueAttribution,
} from '../../src/attribution/index.js';
import { graph } from './helpers.js';

/** An attribution with chosen likert5 scores (the other fields do not enter the metrics). */
function attributed(scores: Record<string, number>) {
  const values: ValueAttribution[] = Object.entries(scores).map(([value, likert5]) => ({
    value,
    label: value.replace(/_/g, ' '),
    mean: 1.25 * (likert5 - 3),
    sd: 0.5,
    likert5,
    likert5Sd: 0.4,
    interval: [likert5 - 0.8, likert5 + 0.8],
    basis: 'concepts',
  }));
  return { graph: { id: 'g' }, values };
}

function failure(f: () => unknown): AttributionError {
  try {
    f();
  } catch (e) {
    if (e instanceof AttributionError) return e;
    throw e;
  }
  throw new Error('expected an AttributionError');
}

describe('averageRanks', () => {
  it('gives tied entries the mean of the ranks they span', () => {
    expect(averageRanks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    expect(averageRanks([5, 5, 5])).toEqual([2, 2, 2]);
    expect(averageRanks([10, 20, 30])).toEqual([1, 2, 3]);
  });
});

describe('spearman', () => {
  it('is ±1 for monotone relations and null when undefined', () => {
    expect(spearman([1, 2, 3], [10, 40, 90])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([4], [2])).toBeNull();
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3], [2, 2, 2])).toBeNull();
  });
});

describe('compareProfiles', () => {
  it("computes COUPLE's MAE and Spearman (average ranks for ties), by hand", () => {
    const target = { a: 5, b: 4, c: 4, d: 1 };
    const cmp = compareProfiles(target, attributed({ a: 4.5, b: 4, c: 3, d: 2, e: 5 }));
    // errors −0.5, 0, −1, +1 → MAE 2.5 / 4
    expect(cmp.mae).toBeCloseTo(0.625, 12);
    // ranks: target [4, 2.5, 2.5, 1], attributed [4, 3, 2, 1]; deviations [1.5, 0, 0, −1.5] and
    // [1.5, 0.5, −0.5, −1.5]: ρ = 4.5 / √(4.5 · 5) = 3 / √10
    expect(cmp.spearman).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(cmp.dimensions).toEqual([
      { value: 'a', target: 5, attributed: 4.5, error: -0.5 },
      { value: 'b', target: 4, attributed: 4, error: 0 },
      { value: 'c', target: 4, attributed: 3, error: -1 },
      { value: 'd', target: 1, attributed: 2, error: 1 },
    ]);
  });

  it('handles ties on both sides', () => {
    // target ranks [1.5, 1.5, 3.5, 3.5], attributed ranks [1, 2.5, 2.5, 4]:
    // deviations [−1, −1, 1, 1] and [−1.5, 0, 0, 1.5] → ρ = 3 / √(4 · 4.5) = 1 / √2
    const cmp = compareProfiles({ a: 2, b: 2, c: 5, d: 5 }, attributed({ a: 1, b: 3, c: 3, d: 4 }));
    expect(cmp.spearman).toBeCloseTo(1 / Math.sqrt(2), 12);
    expect(cmp.mae).toBeCloseTo((1 + 1 + 2 + 1) / 4, 12);
  });

  it('is null for one dimension or a flat target', () => {
    expect(compareProfiles({ a: 4 }, attributed({ a: 3, b: 1 }))).toMatchObject({ mae: 1, spearman: null });
    expect(compareProfiles({ a: 4, b: 4 }, attributed({ a: 3, b: 1 })).spearman).toBeNull();
  });

  it('accepts friendly value names and labels, and refuses unknown values and bad scores', () => {
    const entry = graph('schwartz-10');
    const a = attributeText(entry, '');
    const cmp = compareProfiles({ 'Self-Direction': 4, Benevolence: 5, SE: 3 }, a, entry.system);
    expect(cmp.dimensions.map((d) => d.value)).toEqual(['self_direction', 'benevolence', 'security']);
    const prior = Object.fromEntries(a.values.map((v) => [v.value, v.likert5]));
    expect(cmp.dimensions[0]!.attributed).toBe(prior['self_direction']);
    expect(failure(() => compareProfiles({ kindness: 4 }, a))).toMatchObject({
      code: 'ATTRIBUTION_UNKNOWN_VALUE',
    });
    const bads: Array<Record<string, number>> = [
      { power: 6 },
      { power: 0.5 },
      { power: Number.NaN },
      {},
      { power: 2, Power: 3 },
    ];
    for (const bad of bads) {
      expect(failure(() => compareProfiles(bad, a)).code).toBe('ATTRIBUTION_INVALID_TARGET');
    }
  });
});
