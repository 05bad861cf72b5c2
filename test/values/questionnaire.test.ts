import { describe, expect, it } from 'vitest';
import { ITEM_KEYS, ProfileError, scoreQuestionnaire } from '../../src/values/index.js';

describe('MRAT-centered questionnaire scoring', () => {
  it('the built-in keys cover their instruments exactly once (PVQ-RR-10 leaves out the 3 face items)', () => {
    const expected: Record<string, [number, number]> = {
      'pvq-40': [40, 40],
      'ess-21': [21, 21],
      'pvq-rr': [57, 57],
      'pvq-rr-10': [54, 57],
    };
    for (const [id, [keyed, total]] of Object.entries(expected)) {
      const items = Object.values(ITEM_KEYS[id]!.items).flat().map(Number);
      expect(items.length, id).toBe(keyed);
      expect(new Set(items).size, id).toBe(keyed);
      expect(ITEM_KEYS[id]!.allItems!.length, id).toBe(total);
      for (const i of items) expect(i >= 1 && i <= total, `${id} item ${i}`).toBe(true);
    }
    const rr10 = new Set(Object.values(ITEM_KEYS['pvq-rr-10']!.items).flat());
    expect([9, 24, 49].filter((i) => rr10.has(i))).toEqual([]);
  });

  it('PVQ-40: value mean − mean of all 40 responses', () => {
    const responses: Record<string, number> = {};
    for (let i = 1; i <= 40; i++) responses[i] = 4;
    for (const i of [1, 11, 22, 34]) responses[i] = 6; // self-direction
    for (const i of [2, 17, 39]) responses[i] = 1; // power
    const s = scoreQuestionnaire({ key: 'pvq-40', responses });
    // MRAT = (4·6 + 3·1 + 33·4) / 40 = 159 / 40.
    expect(s.mrat).toBeCloseTo(3.975, 12);
    expect(s.raw.self_direction).toBe(6);
    expect(s.centered.self_direction).toBeCloseTo(2.025, 12);
    expect(s.centered.power).toBeCloseTo(-2.975, 12);
    expect(s.centered.universalism).toBeCloseTo(0.025, 12);
    expect(Object.keys(s.centered)).toHaveLength(10);
    expect(s.profile).toEqual({ format: 'centered', values: s.centered });
    expect(s.missingItems).toEqual([]);
  });

  it('PVQ-RR on 10 values: the face items count towards MRAT only', () => {
    const responses = Array.from({ length: 57 }, (_, i) => ([9, 24, 49].includes(i + 1) ? 6 : 3));
    const s = scoreQuestionnaire({ key: 'pvq-rr-10', responses });
    expect(s.mrat).toBeCloseTo((3 * 6 + 54 * 3) / 57, 12);
    for (const v of Object.values(s.centered)) expect(v).toBeCloseTo(3 - (3 * 6 + 54 * 3) / 57, 12);
    const s19 = scoreQuestionnaire({ key: 'pvq-rr', responses });
    expect(s19.raw.face).toBe(6);
    expect(s19.system).toBe('schwartz-19');
  });

  it('flips data coded 1 = most like me, and reverse-keyed items of a custom key', () => {
    const responses = Array.from({ length: 21 }, (_, i) => (i + 1 === 12 || i + 1 === 18 ? 1 : 4)); // benevolence items
    const s = scoreQuestionnaire({ key: 'ess-21', responses, lowerIsMoreImportant: true });
    expect(s.raw.benevolence).toBe(6);
    expect(s.centered.benevolence).toBeCloseTo(6 - (2 * 6 + 19 * 3) / 21, 12);
    const custom = scoreQuestionnaire({
      key: {
        id: 'mini',
        system: 'mft-6',
        scale: { min: 0, max: 5 },
        items: { 'Care/harm': ['q1', 'q2'], Purity: ['q3'] },
        reverse: ['q2'],
      },
      responses: { q1: 5, q2: 0, q3: 2 },
    });
    // q2 reversed: 0 → 5. MRAT = (5 + 5 + 2) / 3 = 4.
    expect(custom.raw).toEqual({ care: 5, sanctity: 2 });
    expect(custom.centered).toEqual({ care: 1, sanctity: -2 });
  });

  it('accepts an item → value map with any value names when no system is given', () => {
    const s = scoreQuestionnaire({
      key: { itemToValue: { a: 'Openness', b: 'Openness', c: 'Grit' }, scale: { min: 1, max: 7 } },
      responses: { a: 7, b: 5, c: 3 },
    });
    expect(s.raw).toEqual({ openness: 6, grit: 3 });
    expect(s.mrat).toBe(5);
    expect(s.centered).toEqual({ openness: 1, grit: -2 });
  });

  it('partial responses: MRAT over the answered items, values with no answer left out and noted', () => {
    const responses: Record<string, number | null> = { 1: 6, 11: 4, 2: 2, 17: null };
    const s = scoreQuestionnaire({ key: 'ess-21', responses });
    expect(s.mrat).toBe(4);
    expect(s.centered).toEqual({ self_direction: 1, power: -2 });
    expect(s.coverage.power).toEqual({ answered: 1, total: 2 });
    expect(s.missingItems).toHaveLength(18);
    expect(s.notes.some((n) => n.startsWith('stimulation: none of its items'))).toBe(true);
  });

  it('bad input → ProfileError saying what to fix', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as ProfileError;
      }
      throw new Error('expected an error');
    };
    const range = bad(() => scoreQuestionnaire({ key: 'pvq-40', responses: { 3: 7 } }));
    expect(range).toBeInstanceOf(ProfileError);
    expect(range.issues[0]).toEqual({
      path: 'responses.3',
      message: 'responses.3 must be a number from 1 to 6, got 7',
    });
    expect(bad(() => scoreQuestionnaire({ key: 'pvq-99', responses: [] })).issues[0]!.message).toMatch(
      /pvq-40, ess-21/,
    );
    expect(bad(() => scoreQuestionnaire({ key: 'pvq-40', responses: [] })).issues[0]!.path).toBe('responses');
    const unknown = bad(() =>
      scoreQuestionnaire({
        key: { id: 'x', label: 'x', system: 'schwartz-10', items: { kindness: [1] } },
        responses: [3],
      }),
    );
    expect(unknown.code).toBe('UNKNOWN_VALUE');
  });
});
