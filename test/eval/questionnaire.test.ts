/** The persona-questionnaire protocol: derived ratings, MRAT scoring, prompts, reply parsing. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  QUESTIONNAIRE_FORMAT,
  batchMessages,
  batchSchema,
  compareScores,
  derivedRatings,
  itemBatches,
  loadItemSet,
  methodProfile,
  parseBatchReply,
  parseItemSet,
  scoreRatings,
} from '../../src/eval/index.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { likert } from '../../src/pipeline/profile.js';
import { getPreset } from '../../src/values/index.js';

const s10 = loadGraphDir().get('schwartz-10')!;
const small = parseItemSet(
  {
    items: [
      { id: 'p1', text: 'x', value: 'power' },
      { id: 'p2', text: 'x', value: 'power' },
      { id: 's1', text: 'x', value: 'security' },
      { id: 's2', text: 'x', value: 'security' },
    ],
  },
  'schwartz-10',
);

describe('derived ratings (template respondent) and MRAT scoring, by hand', () => {
  it('rating = round(centered + 3.5) clamped to 1–6; MRAT-centered; compared on likert5', () => {
    const ratings = derivedRatings(small, { power: 1.0, security: -1.2 });
    expect(ratings).toEqual({ p1: 5, p2: 5, s1: 2, s2: 2 }); // round(4.5) = 5, round(2.3) = 2
    const score = scoreRatings(small, ratings);
    expect(score.mrat).toBe(3.5);
    expect(score.centered).toEqual({ power: 1.5, security: -1.5 });
    const measured = { power: likert(1.5), security: likert(-1.5) }; // 1.5 / 1.25 + 3 = 4.2, 1.8
    expect(measured).toEqual({ power: 4.2, security: 1.8 });
    const s = compareScores({ power: 5, security: 2 }, measured);
    expect(s.mae).toBeCloseTo((0.8 + 0.2) / 2, 12);
    expect(s.spearman).toBeCloseTo(1, 12);
    expect(derivedRatings(small, { power: 9, security: -9 })).toEqual({ p1: 6, p2: 6, s1: 1, s2: 1 });
  });

  it('reverse-keyed items are flipped; items keyed to no value get the profile mean', () => {
    const set = parseItemSet(
      {
        items: [
          { id: 'a', text: 'x' },
          { id: 'b', text: 'x' },
          { id: 's', text: 'x' },
          { id: 'c', text: 'x' },
        ],
        key: { items: { power: ['a', 'b'], security: ['s'] } },
        reverse: ['b'],
      },
      'schwartz-10',
    );
    // c: the mean of the profile, (2 + 0) / 2 = 1 → round(4.5) = 5.
    expect(derivedRatings(set, { power: 2, security: 0 })).toEqual({ a: 6, b: 1, s: 4, c: 5 });
  });

  it('the method profiles: raw ignores the target, value-prompt sets only it, pluralign moves the rest', () => {
    const factual = getPreset('human:mean')!.values;
    const target = { power: 2.5, universalism: -2.5 };
    const raw = methodProfile(s10, 'none', factual, target);
    const vp = methodProfile(s10, 'value-prompt', factual, target);
    const scm = methodProfile(s10, 'scm', factual, target);
    const cf = (p: typeof raw, v: string) => p.values.find((x) => x.value === v)!.counterfactual;
    expect(cf(raw, 'power')).toBeCloseTo(factual.power!, 6);
    expect(cf(vp, 'power')).toBeCloseTo(2.5, 6);
    expect(cf(scm, 'power')).toBeCloseTo(2.5, 6);
    // The unset value achievement stays put under do(), and rises with power under the structured action.
    expect(cf(vp, 'achievement')).toBeCloseTo(cf(raw, 'achievement'), 1);
    expect(cf(scm, 'achievement')).toBeGreaterThan(cf(vp, 'achievement') + 0.2);
  });
});

describe('model respondent: prompts and replies', () => {
  const items = loadItemSet(join(process.cwd(), 'eval/portraits.json'), 'schwartz-10');

  it('items come in a seeded random order, in batches, each item once', () => {
    const a = itemBatches(items.items, 10, 'seed-1');
    expect(a.map((b) => b.length)).toEqual([10, 10, 10]);
    expect(
      a
        .flat()
        .map((i) => i.id)
        .sort(),
    ).toEqual(items.items.map((i) => i.id).sort());
    expect(itemBatches(items.items, 10, 'seed-1')).toEqual(a);
    expect(
      itemBatches(items.items, 10, 'seed-2')
        .flat()
        .map((i) => i.id),
    ).not.toEqual(a.flat().map((i) => i.id));
  });

  it('the method’s system turn, with the answer format replaced by the rating format', () => {
    const profile = methodProfile(s10, 'scm', getPreset('human:mean')!.values, { power: 2.5 });
    const batch = items.items.slice(0, 3);
    const [system, user] = batchMessages(profile, 'scm', batch, items.scale);
    expect(system!.role).toBe('system');
    expect(system!.content).toMatch(/Value priorities the caller set[^]*- Power — 5\/5: /);
    expect(system!.content).toContain(QUESTIONNAIRE_FORMAT);
    expect(system!.content).not.toMatch(/Stance:/);
    expect(user!.content).toMatch(/^<question>\n/);
    expect(user!.content).toContain('1 = not like me at all');
    expect(user!.content).toContain(`[${batch[0]!.id}] ${batch[0]!.text}`);
    // raw: the question alone, no system turn.
    expect(batchMessages(profile, 'none', batch, items.scale).map((m) => m.role)).toEqual(['user']);
    const vp = batchMessages(profile, 'value-prompt', batch, items.scale)[0]!.content;
    expect(vp).toMatch(/Power: 5/);
    expect(vp).toContain(QUESTIONNAIRE_FORMAT);
  });

  it('a strict JSON schema: one integer 1–6 per item', () => {
    const s = batchSchema(items.items.slice(0, 2), items.scale);
    expect(s.strict).toBe(true);
    expect(s.schema).toEqual({
      type: 'object',
      properties: {
        sd1: { type: 'integer', enum: [1, 2, 3, 4, 5, 6] },
        sd2: { type: 'integer', enum: [1, 2, 3, 4, 5, 6] },
      },
      required: ['sd1', 'sd2'],
      additionalProperties: false,
    });
  });

  it('replies: JSON (also in a code fence) with every item; anything else is refused with the reason', () => {
    const batch = [
      { id: 'a', text: '' },
      { id: 'b', text: '' },
    ];
    const scale = { min: 1, max: 6 };
    expect(parseBatchReply('{"a": 6, "b": 1}', batch, scale)).toEqual({ a: 6, b: 1 });
    expect(parseBatchReply('```json\n{"a": 2, "b": 3}\n```', batch, scale)).toEqual({ a: 2, b: 3 });
    expect(() => parseBatchReply('Sure! a=6', batch, scale)).toThrow(/not JSON/);
    expect(() => parseBatchReply('[6, 1]', batch, scale)).toThrow(/JSON object/);
    expect(() => parseBatchReply('{"a": 7, "c": 1}', batch, scale)).toThrow(
      /"a": 7 is not a whole number from 1 to 6; "b": missing; unknown item "c"/,
    );
    expect(() => parseBatchReply('{"a": 2.5, "b": 1}', batch, scale)).toThrow(/"a": 2.5/);
  });
});
