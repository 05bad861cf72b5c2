import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ProfileError,
  convertProfile,
  fromCentered,
  normalizeProfile,
  toCentered,
  type Profile,
  type ProfileFormat,
} from '../../src/values/index.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';

const IDS = SCHWARTZ_10.values.map((v) => v.id);

function catchError(fn: () => unknown): ProfileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProfileError) return err;
    throw err;
  }
  throw new Error('expected a ProfileError');
}

describe('convertProfile', () => {
  it('converts a partial likert5 profile to every format (COUPLE example: security 5, benevolence 4, stimulation 1)', () => {
    const p: Profile = { format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } };
    expect(convertProfile(p, 'centered')).toEqual({
      format: 'centered',
      values: { stimulation: -2.5, security: 2.5, benevolence: 1.25 },
    });
    expect(convertProfile(p, 'pvq6').values).toEqual({ stimulation: 1, security: 6, benevolence: 4.75 });
    expect(convertProfile(p, 'ranking')).toEqual({
      format: 'ranking',
      ranking: ['security', 'benevolence', 'stimulation'],
    });
    expect(convertProfile(p, 'likert5')).toEqual({
      format: 'likert5',
      values: { stimulation: 1, security: 5, benevolence: 4 },
    });
  });

  it('defaults to schwartz-10 and accepts friendly value names', () => {
    const names = [
      'Self_Direction',
      'self-direction',
      'Self-Direction',
      'SelfDirection',
      'self direction',
      'SD',
      'SELF_DIRECTION',
    ];
    for (const name of names) {
      expect(convertProfile({ format: 'likert5', values: { [name]: 4 } }, 'likert5').values, name).toEqual({
        self_direction: 4,
      });
    }
    expect(
      convertProfile(
        { format: 'ranking', ranking: ['Power: dominance', 'Self-direction–thought'] },
        'ranking',
        'schwartz-19',
      ).ranking,
    ).toEqual(['power_dominance', 'self_direction_thought']);
    expect(
      convertProfile({ format: 'likert5', values: { 'Care/harm': 5, Purity: 2 } }, 'centered', 'mft-6')
        .values,
    ).toEqual({
      care: 2.5,
      sanctity: -1.25,
    });
  });

  it('rankings keep their order in every format, full or partial', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(IDS, { minLength: 1 }),
        fc.constantFrom<ProfileFormat>('likert5', 'pvq6', 'centered'),
        (ranking, to) => {
          const out = convertProfile({ format: 'ranking', ranking }, to);
          const v = out.values!;
          expect(Object.keys(v).sort()).toEqual([...ranking].sort());
          for (let i = 1; i < ranking.length; i++) expect(v[ranking[i]!]!).toBeLessThan(v[ranking[i - 1]!]!);
          expect(convertProfile({ format: to, values: v }, 'ranking').ranking).toEqual(ranking);
          expect(out.notes?.[0]).toMatch(/only the order is meaningful/);
        },
      ),
    );
  });

  it('scores → ranking → scores preserves the order of the scores', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 100, max: 500 }), { minLength: 10, maxLength: 10 }),
        fc.shuffledSubarray(IDS, { minLength: 2 }),
        (scores, ids) => {
          const values = Object.fromEntries(ids.map((id, i) => [id, scores[i]! / 100]));
          const ranking = convertProfile({ format: 'likert5', values }, 'ranking').ranking!;
          const back = convertProfile({ format: 'ranking', ranking }, 'likert5').values!;
          for (const a of ids)
            for (const b of ids) if (values[a]! > values[b]!) expect(back[a]!).toBeGreaterThan(back[b]!);
        },
      ),
    );
  });

  it('round-trips likert5 → centered → likert5 and pvq6 → centered → pvq6', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...IDS), fc.double({ min: 1, max: 5, noNaN: true }), { minKeys: 1 }),
        (values) => {
          const back = fromCentered(toCentered({ format: 'likert5', values }), 'likert5').values!;
          for (const [k, v] of Object.entries(values)) expect(back[k]!).toBeCloseTo(v, 8);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...IDS), fc.double({ min: 1, max: 6, noNaN: true }), { minKeys: 1 }),
        (values) => {
          const c = convertProfile({ format: 'pvq6', values }, 'centered');
          const back = convertProfile({ format: 'centered', values: c.values! }, 'pvq6').values!;
          for (const [k, v] of Object.entries(values)) expect(back[k]!).toBeCloseTo(v, 8);
        },
      ),
    );
  });

  it('reports ties and clamping in notes', () => {
    const tie = convertProfile(
      { format: 'likert5', values: { power: 3, security: 3, benevolence: 5 } },
      'ranking',
    );
    expect(tie.ranking).toEqual(['benevolence', 'power', 'security']);
    expect(tie.notes).toEqual([expect.stringMatching(/tied scores: power, security/)]);
    const clamp = convertProfile({ format: 'centered', values: { power: -3.1, security: 0.5 } }, 'likert5');
    expect(clamp.values).toEqual({ power: 1, security: 3.4 });
    expect(clamp.notes).toEqual([
      expect.stringMatching(/^power: -3\.1 \(centered\) is outside the likert5 range 1–5; clamped to 1/),
    ]);
  });

  it('fromCentered can skip the non-value nodes of a counterfactual record', () => {
    const out = fromCentered(
      { benevolence: 1.25, openness_conservation: 0.3, be_helpful: 1 },
      'likert5',
      'schwartz-10',
      {
        onlyValues: true,
      },
    );
    expect(out.values).toEqual({ benevolence: 4 });
    expect(() => fromCentered({ benevolence: 1.25, be_helpful: 1 }, 'likert5')).toThrow(ProfileError);
  });
});

describe('profile errors say what to fix', () => {
  it('unknown value → UNKNOWN_VALUE with a suggestion and the list of values', () => {
    const e = catchError(() => convertProfile({ format: 'likert5', values: { securty: 5 } }, 'centered'));
    expect(e.code).toBe('UNKNOWN_VALUE');
    expect(e.issues).toEqual([
      { path: 'values.securty', message: expect.stringContaining('did you mean "security"?') },
    ]);
    expect(e.message).toContain('self_direction, stimulation');
    const r = catchError(() =>
      convertProfile({ format: 'ranking', ranking: ['benevolence', 'kindness'] }, 'likert5'),
    );
    expect(r.code).toBe('UNKNOWN_VALUE');
    expect(r.issues[0]!.path).toBe('ranking.1');
  });

  it('out-of-range, non-numeric, duplicate and empty inputs → INVALID_PROFILE, one issue each', () => {
    const e = catchError(() =>
      convertProfile(
        {
          format: 'likert5',
          values: { security: 6, power: 'high' as unknown as number, Security: 2, benevolence: 4 },
        },
        'centered',
      ),
    );
    expect(e.code).toBe('INVALID_PROFILE');
    expect(e.issues.map((i) => i.path)).toEqual(['values.security', 'values.power']);
    expect(e.issues[0]!.message).toMatch(/6 is outside the likert5 range 1–5/);
    expect(e.issues[1]!.message).toMatch(/must be a number from 1 to 5/);
    expect(e.message).toMatch(/and 1 more issue/);
    const dup = catchError(() =>
      convertProfile({ format: 'pvq6', values: { Security: 2, security: 3 } }, 'centered'),
    );
    expect(dup.issues[0]!.message).toMatch(/"Security" and "security" both name security/);
    const twice = catchError(() =>
      convertProfile({ format: 'ranking', ranking: ['power', 'PO'] }, 'centered'),
    );
    expect(twice.issues[0]).toEqual({
      path: 'ranking.1',
      message: expect.stringMatching(/already ranked at position 1/),
    });
    expect(
      catchError(() => convertProfile({ format: 'likert5', values: {} }, 'centered')).issues[0]!.path,
    ).toBe('values');
    expect(
      catchError(() => convertProfile({ format: 'ranking', ranking: [] }, 'centered')).issues[0]!.path,
    ).toBe('ranking');
  });

  it('wrong format, target, system or shape → INVALID_PROFILE naming the field', () => {
    expect(
      catchError(() => convertProfile({ format: 'likert7' as 'likert5', values: { power: 1 } }, 'centered'))
        .issues[0]!.path,
    ).toBe('format');
    expect(
      catchError(() => convertProfile({ format: 'likert5', values: { power: 1 } }, 'stars' as 'likert5'))
        .issues[0]!.path,
    ).toBe('to');
    const sys = catchError(() =>
      convertProfile({ format: 'likert5', values: { power: 1 } }, 'centered', 'schwartz-11'),
    );
    expect(sys.issues[0]!.path).toBe('system');
    expect(sys.message).toMatch(/mft-6, schwartz-10, schwartz-19/);
    expect(
      catchError(() =>
        convertProfile({ format: 'ranking', ranking: ['power'], values: { power: 1 } }, 'centered'),
      ).issues[0]!.path,
    ).toBe('values');
    expect(catchError(() => normalizeProfile(null)).code).toBe('INVALID_PROFILE');
    // A value of another system is unknown here.
    expect(
      catchError(() => convertProfile({ format: 'likert5', values: { care: 5 } }, 'centered')).code,
    ).toBe('UNKNOWN_VALUE');
  });

  it('canonical output lists values in the system order', () => {
    const n = normalizeProfile({
      format: 'centered',
      values: { universalism: 1, power: -1, self_direction: 0 },
    });
    expect(Object.keys(n.values!)).toEqual(['self_direction', 'power', 'universalism']);
  });
});
