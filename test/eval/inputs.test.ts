/** The evaluation's input files: the shipped defaults, and the validation messages of bad files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deriveDefaultProfiles,
  loadItemSet,
  loadProfiles,
  loadQuestions,
  parseItemSet,
  parseProfiles,
  parseQuestions,
} from '../../src/eval/index.js';

const root = process.cwd();

describe('the shipped defaults', () => {
  it('60 distinct questions', () => {
    const qs = loadQuestions(join(root, 'eval/questions.json'));
    expect(qs).toHaveLength(60);
    expect(new Set(qs.map((q) => q.text)).size).toBe(60);
    for (const q of qs) expect(q.text).toMatch(/\?$/);
  });

  it('15 profiles: five human clusters and ten single-value archetypes, ≤ 5 dimensions each', () => {
    const ps = loadProfiles(join(root, 'eval/profiles.json'), 'schwartz-10');
    expect(ps.map((p) => p.id)).toEqual([
      'human-cluster-1',
      'human-cluster-2',
      'human-cluster-3',
      'human-cluster-4',
      'human-cluster-5',
      'archetype-self-direction',
      'archetype-stimulation',
      'archetype-hedonism',
      'archetype-achievement',
      'archetype-power',
      'archetype-security',
      'archetype-conformity',
      'archetype-tradition',
      'archetype-benevolence',
      'archetype-universalism',
    ]);
    for (const p of ps) expect(Object.keys(p.likert5).length).toBeLessThanOrEqual(5);
    const power = ps.find((p) => p.id === 'archetype-power')!;
    // Power 5; its circle neighbours achievement and security 4; its opposite universalism 1.
    expect(power.likert5).toEqual({ power: 5, achievement: 4, security: 4, universalism: 1 });
    const c5 = ps.find((p) => p.id === 'human-cluster-5')!;
    // Cluster 5's top three (benevolence, tradition, universalism) and bottom two (power, achievement).
    expect(c5.likert5).toEqual({
      benevolence: 3.97,
      tradition: 3.53,
      universalism: 3.04,
      power: 2.49,
      achievement: 1.77,
    });
  });

  it('eval/profiles.json is what deriveDefaultProfiles() writes (scripts/derive-eval-profiles.ts)', () => {
    const file = JSON.parse(readFileSync(join(root, 'eval/profiles.json'), 'utf8'));
    expect(file).toEqual(deriveDefaultProfiles());
  });

  it('30 portrait items, three per value, our own wording', () => {
    const set = loadItemSet(join(root, 'eval/portraits.json'), 'schwartz-10');
    expect(set.items).toHaveLength(30);
    expect(Object.keys(set.key.items)).toHaveLength(10);
    for (const ids of Object.values(set.key.items)) expect(ids).toHaveLength(3);
    expect(set.key.allItems).toHaveLength(30);
    // No item borrows the PVQ's "It is important to him/her" portrait formula.
    for (const i of set.items)
      expect(i.text).not.toMatch(/important to (him|her)\b|\bhe likes\b|\bshe likes\b/i);
  });
});

describe('validation', () => {
  it('questions: strings get ids, duplicates and empties are refused', () => {
    expect(parseQuestions(['Is it fair?', 'Why not?']).map((q) => q.id)).toEqual(['q1', 'q2']);
    expect(() => parseQuestions({ questions: [] }, 'qs.json')).toThrow('qs.json: no questions');
    expect(() =>
      parseQuestions([
        { id: 'a', text: 'x?' },
        { id: 'a', text: 'y?' },
      ]),
    ).toThrow(/question id "a" is used twice/);
    expect(() => parseQuestions([{ id: 'a b', text: 'x' }])).toThrow(/questions\.0/);
  });

  it('profiles: any profile format, converted as the pipeline does; bad values named', () => {
    const [p] = parseProfiles(
      [{ id: 'r', target: { format: 'ranking', ranking: ['security', 'power', 'hedonism'] } }],
      'schwartz-10',
    );
    expect(Object.keys(p!.likert5)).toEqual(['security', 'power', 'hedonism']);
    expect(p!.likert5.security).toBeGreaterThan(p!.likert5.power!);
    const [c] = parseProfiles(
      [{ id: 'c', target: { format: 'centered', values: { power: 1.25 } } }],
      'schwartz-10',
    );
    expect(c!.likert5).toEqual({ power: 4 });
    expect(() =>
      parseProfiles([{ id: 'x', target: { values: { powerr: 5 } } }], 'schwartz-10', 'p.json'),
    ).toThrow(/p\.json: profiles\[0\] \("x"\) target: .*powerr/);
  });

  it('items: a value per item, or a key; unknown values and items named', () => {
    const items = [
      { id: 'a1', text: 'A' },
      { id: 'a2', text: 'B' },
      { id: 'x', text: 'C' },
    ];
    const set = parseItemSet({ items, key: { itemToValue: { a1: 'Power', a2: 'SE' } } }, 'schwartz-10');
    expect(set.key.items).toEqual({ power: ['a1'], security: ['a2'] });
    expect(set.key.allItems).toEqual(['a1', 'a2', 'x']); // x counts towards MRAT only
    expect(() =>
      parseItemSet({ items, key: { items: { power: ['a1', 'zz'] } } }, 'schwartz-10', 'i.json'),
    ).toThrow('i.json: key.items.power names item "zz", which is not in items');
    expect(() =>
      parseItemSet({ items, key: { itemToValue: { a1: 'powr', a2: 'security' } } }, 'schwartz-10'),
    ).toThrow(/"powr" is not a value of schwartz-10/);
    expect(() => parseItemSet({ items }, 'schwartz-10', 'i.json')).toThrow(/item "a1" has no value/);
    // A built-in numeric key: item ids are the item numbers.
    const ess = parseItemSet(
      { items: Array.from({ length: 21 }, (_, i) => ({ id: i + 1, text: `item ${i + 1}` })), key: 'ess-21' },
      'schwartz-10',
    );
    expect(ess.key.items.universalism).toEqual(['3', '8', '19']);
  });
});
