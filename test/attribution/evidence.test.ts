import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absenceReadings,
  attributeText,
  attributionModel,
  buildEvidence,
  observeMatches,
  observeRating,
  presenceLevel,
  type ConceptObservation,
} from '../../src/attribution/index.js';
import { valuePosterior } from '../../src/attribution/posterior.js';
import { filler, graph, sentence } from './helpers.js';

const s10 = graph('schwartz-10');

describe('evidence mapping (documented numbers)', () => {
  it('reads n phrase matches as rubric level min(5.5, 4 + 0.75·log2 n)', () => {
    expect(presenceLevel(1)).toBe(4);
    expect(presenceLevel(2)).toBeCloseTo(4.75, 12);
    expect(presenceLevel(3)).toBeCloseTo(4 + 0.75 * Math.log2(3), 12);
    expect(presenceLevel(4)).toBe(5.5);
    expect(presenceLevel(100)).toBe(5.5);
    expect(() => presenceLevel(0)).toThrow(RangeError);
  });

  it('is monotone in the number of matches: strictly up to the cap, then flat', () => {
    const levels = Array.from({ length: 12 }, (_, i) => presenceLevel(i + 1));
    for (let i = 1; i < levels.length; i++) {
      if (i < 4) expect(levels[i]).toBeGreaterThan(levels[i - 1]!);
      else expect(levels[i]).toBeGreaterThanOrEqual(levels[i - 1]!);
    }
  });

  it('maps phrase outcomes and LLM ratings to observations', () => {
    expect(observeMatches(0, 0)).toEqual({ status: 'absent' });
    expect(observeMatches(0, 2)).toEqual({ status: 'negated' });
    expect(observeMatches(2, 1)).toEqual({ status: 'present', level: 4.75 });
    expect(observeRating(0)).toEqual({ status: 'absent' });
    expect(observeRating(-1)).toEqual({ status: 'contradicted', level: 0.5 });
    const levels = [1, 2, 3].map((r) => (observeRating(r) as { level: number }).level);
    expect(levels).toEqual([3.5, 4.5, 5.5]);
    expect(() => observeRating(4)).toThrow(RangeError);
  });

  it('gives 0–3 absence readings by text length (20, 50, 100 words)', () => {
    expect([0, 19, 20, 49, 50, 99, 100, 5000].map(absenceReadings)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });
});

describe('buildEvidence', () => {
  const model = attributionModel(s10);
  const node = (id: string) => s10.file.nodes.find((n) => n.id === id)!;
  const obs = (present: Record<string, number>): ConceptObservation[] =>
    model.concepts.map((c) => (present[c.id] ? observeMatches(present[c.id]!, 0) : { status: 'absent' }));

  it("observes a present concept at its mechanism's activation for its value(s) at the level", () => {
    const ev = buildEvidence(model, obs({ be_creative: 1, have_social_recognition: 2 }), 150);
    const lin = (id: string) =>
      node(id).mechanism as { intercept: number; coefficients: Record<string, number> };
    // centered = 1.25 (L − 3): L 4 → 1.25; L 4.75 → 2.1875
    const creative = lin('be_creative');
    expect(ev.evidence['be_creative']).toBeCloseTo(
      creative.intercept + creative.coefficients['self_direction']! * 1.25,
      12,
    );
    const face = lin('have_social_recognition');
    expect(ev.evidence['have_social_recognition']).toBeCloseTo(
      face.intercept + (face.coefficients['power']! + face.coefficients['security']!) * 2.1875,
      12,
    );
    expect(ev.conceptEvidence.filter((x) => x !== null)).toHaveLength(2);
  });

  it('gives absence readings only to values no present concept touches', () => {
    const ev = buildEvidence(model, obs({ have_social_recognition: 1 }), 150);
    const basis = Object.fromEntries(model.values.map((v, i) => [v.id, ev.basis[i]]));
    // The face concept has two parents: both are touched.
    expect(basis['power']).toBe('concepts');
    expect(basis['security']).toBe('concepts');
    expect(basis['benevolence']).toBe('absent');
    const readings = Object.keys(ev.evidence).filter((k) => k.startsWith('__absent'));
    expect(readings).toHaveLength(8); // one reading node per untouched value
    for (const r of readings) expect(ev.evidence[r]).toBe(-1.25); // likert 2 on the centered scale
    expect(buildEvidence(model, obs({}), 19).basis.every((b) => b === 'prior')).toBe(true);
    expect(buildEvidence(model, obs({}), 150, { absence: false }).basis.every((b) => b === 'prior')).toBe(
      true,
    );
  });

  it('never lowers a value when one of its concepts gets one more match (property)', () => {
    const ids = model.concepts.map((c) => c.id);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...ids), fc.integer({ min: 1, max: 6 }), { minKeys: 1, maxKeys: 12 }),
        fc.constantFrom(0, 30, 60, 150),
        fc.nat(),
        (counts, words, pick) => {
          const keys = Object.keys(counts);
          const bumped = keys[pick % keys.length]!;
          const before = valuePosterior(model, buildEvidence(model, obs(counts), words));
          const after = valuePosterior(
            model,
            buildEvidence(model, obs({ ...counts, [bumped]: counts[bumped]! + 1 }), words),
          );
          const concept = model.concepts.find((c) => c.id === bumped)!;
          for (const p of concept.parents) {
            const i = model.values.findIndex((v) => v.id === p.value);
            expect(after[i]!.mean).toBeGreaterThanOrEqual(before[i]!.mean - 1e-12);
            // Same observed set: the same uncertainty.
            expect(after[i]!.sd).toBeCloseTo(before[i]!.sd, 12);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('raises a value monotonically as a phrase is repeated in a text of fixed length', () => {
    const means: number[] = [];
    for (let n = 1; n <= 6; n++) {
      const text = [...Array.from({ length: n }, (_, i) => sentence('adventure', i)), filler(10)].join(' ');
      means.push(attributeText(s10, text).values.find((v) => v.value === 'stimulation')!.mean);
    }
    for (let i = 1; i < means.length; i++) {
      if (i < 4) expect(means[i]).toBeGreaterThan(means[i - 1]!);
      else expect(means[i]).toBeCloseTo(means[i - 1]!, 12); // capped from 4 matches on
    }
  });
});
