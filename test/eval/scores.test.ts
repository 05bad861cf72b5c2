/** The evaluation's metrics on hand-computed cases: MAE, Spearman ρ with ties, undefined ρ. */
import { describe, expect, it } from 'vitest';
import { compareProfiles, type Attribution } from '../../src/attribution/index.js';
import { compareScores } from '../../src/eval/index.js';

describe('compareScores (questionnaire protocol)', () => {
  it('MAE and Spearman with a tie in the target, by hand', () => {
    // target ranks [4, 2.5, 2.5, 1], measured ranks [4, 2, 3, 1]; deviations from 2.5:
    // a = [1.5, 0, 0, -1.5], b = [1.5, -0.5, 0.5, -1.5]; Σab = 4.5, Σa² = 4.5, Σb² = 5
    // ρ = 4.5 / √(4.5 · 5) = 3 / √10.  MAE = (0.8 + 0.9 + 0.1 + 1.0) / 4 = 0.7.
    const s = compareScores(
      { power: 5, achievement: 4, security: 4, universalism: 1 },
      { power: 4.2, achievement: 3.1, security: 3.9, universalism: 2.0, hedonism: 5 },
    );
    expect(s.mae).toBeCloseTo(0.7, 12);
    expect(s.spearman).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(s.dimensions.map((d) => d.value)).toEqual(['power', 'achievement', 'security', 'universalism']);
  });

  it('ties on both sides: average ranks on each', () => {
    // target [5, 5, 2, 1] → ranks [3.5, 3.5, 2, 1]; measured [3, 4, 4, 1] → ranks [2, 3.5, 3.5, 1]
    // deviations (mean 2.5): a = [1, 1, -0.5, -1.5], b = [-0.5, 1, 1, -1.5]
    // Σab = -0.5 + 1 - 0.5 + 2.25 = 2.25; Σa² = 1 + 1 + 0.25 + 2.25 = 4.5; Σb² = 0.25 + 1 + 1 + 2.25 = 4.5
    const s = compareScores({ a: 5, b: 5, c: 2, d: 1 }, { a: 3, b: 4, c: 4, d: 1 });
    expect(s.spearman).toBeCloseTo(2.25 / 4.5, 12);
    expect(s.mae).toBeCloseTo((2 + 1 + 2 + 0) / 4, 12);
  });

  it('perfect order, reversed order, and undefined ρ', () => {
    expect(compareScores({ a: 1, b: 3, c: 5 }, { a: 2, b: 2.5, c: 2.6 }).spearman).toBeCloseTo(1, 12);
    expect(compareScores({ a: 1, b: 3, c: 5 }, { a: 3, b: 2, c: 1 }).spearman).toBeCloseTo(-1, 12);
    // No variance in the measured scores, or a single dimension: ρ is undefined (null), MAE is not.
    const flat = compareScores({ a: 1, b: 3, c: 5 }, { a: 3, b: 3, c: 3 });
    expect(flat.spearman).toBeNull();
    expect(flat.mae).toBeCloseTo(4 / 3, 12);
    expect(compareScores({ a: 4 }, { a: 2 })).toMatchObject({ mae: 2, spearman: null });
  });

  it('refuses a target dimension that was not measured', () => {
    expect(() => compareScores({ a: 1, b: 2 }, { a: 1 })).toThrow(/no measured score for "b"/);
  });

  it('gives the same numbers as the attributor’s compareProfiles (the answers protocol)', () => {
    const attributed = {
      graph: { id: 'schwartz-10' },
      values: [
        { value: 'power', label: 'Power', likert5: 4.2 },
        { value: 'achievement', label: 'Achievement', likert5: 3.1 },
        { value: 'security', label: 'Security', likert5: 3.9 },
        { value: 'universalism', label: 'Universalism', likert5: 2.0 },
      ],
    } as unknown as Attribution;
    const target = { power: 5, achievement: 4, security: 4, universalism: 1 };
    const a = compareProfiles(target, attributed);
    const b = compareScores(target, { power: 4.2, achievement: 3.1, security: 3.9, universalism: 2.0 });
    expect(a.mae).toBeCloseTo(b.mae, 12);
    expect(a.spearman).toBeCloseTo(b.spearman!, 12);
  });
});
