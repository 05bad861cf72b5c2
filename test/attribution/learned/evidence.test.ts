import { describe, expect, it } from 'vitest';
import { attributeObservations } from '../../../src/attribution/attribute.js';
import { detectConcepts } from '../../../src/attribution/detector.js';
import {
  EVIDENCE_MAPPING,
  observeProbability,
  type ConceptObservation,
} from '../../../src/attribution/evidence.js';
import { attributeLearned } from '../../../src/attribution/learned/attribute.js';
import { attributionModel } from '../../../src/attribution/model.js';
import { loadGraphDir } from '../../../src/graphs/registry.js';

const graphs = loadGraphDir();
const s10 = graphs.get('schwartz-10')!;

describe('probabilities become SCM evidence with their uncertainty', () => {
  it('observeProbability: not observed below the threshold; 3 + 2·lift over the base rate above it', () => {
    expect(observeProbability(0.4, false, 0.05)).toEqual({ status: 'absent' });
    expect(EVIDENCE_MAPPING.probability).toEqual({ base: 3, perLift: 2 });
    const level = (p: number) => (observeProbability(p, true, 0.05) as { level: number }).level;
    expect(level(0.05)).toBeCloseTo(3, 10);
    expect(level(0.55)).toBeCloseTo(3 + (2 * 0.5) / 0.95, 10);
    expect(level(0.95)).toBeCloseTo(3 + (2 * 0.9) / 0.95, 10);
    expect(level(0.02)).toBe(3); // below the base rate: no lift
    expect(level(0.1)).toBeLessThan(level(0.5));
    expect(() => observeProbability(1.2, true)).toThrow(RangeError);
  });

  it('a concept seen with p = 0.95 moves its value further than with p = 0.55; the posterior narrows', () => {
    const model = attributionModel(s10);
    const helpful = model.concepts.findIndex((c) => c.id === 'be_helpful');
    const text = 'x '.repeat(120);
    const detection = detectConcepts(s10, text);
    const posterior = (p: number) => {
      const obs: ConceptObservation[] = model.concepts.map((_, i) =>
        i === helpful ? observeProbability(p, true) : { status: 'absent' },
      );
      return attributeObservations(s10, detection, obs, 'learned').values.find(
        (v) => v.value === 'benevolence',
      )!;
    };
    const weak = posterior(0.55);
    const strong = posterior(0.95);
    const prior = model.values.find((v) => v.id === 'benevolence')!;
    expect(strong.mean).toBeGreaterThan(weak.mean);
    expect(strong.basis).toBe('concepts');
    expect(strong.sd).toBeLessThan(prior.priorSd);
  });
});

describe('the learned detector on the bundled graphs', () => {
  const text =
    'We must protect the environment and keep nature clean for future generations, and every person deserves equal rights and fair treatment.';

  it.each(['schwartz-10', 'schwartz-19'])(
    '%s: every concept has a probability; present ⇔ p ≥ threshold',
    (id) => {
      const a = attributeLearned(graphs.get(id)!, text);
      expect(a.detector).toBe('learned');
      expect(a.concepts).toHaveLength(54);
      for (const c of a.concepts) {
        expect(c.status === 'present').toBe(c.probability! >= c.threshold!);
        if (c.status !== 'present') expect(c.drivers).toEqual([]);
      }
      const env = a.concepts.find((c) => c.concept === 'be_protecting_the_environment')!;
      expect(env.status).toBe('present');
      expect(env.probability).toBeGreaterThan(0.5);
      expect(env.drivers!.map((d) => d.text.toLowerCase()).join(' ')).toMatch(/environment|nature/);
      const universalism = a.values.find((v) => v.value.startsWith('universalism'))!;
      const power = a.values.find((v) => v.value.startsWith('power'))!;
      expect(universalism.likert5).toBeGreaterThan(power.likert5);
    },
  );

  it('mft-6 (no labelled data): concepts read through the mapped Touché values', () => {
    const a = attributeLearned(
      graphs.get('mft-6')!,
      'People should be free to make their own choices and live their own lives; the government has no right to control what they think or do.',
    );
    expect(a.concepts).toHaveLength(18);
    const autonomy = a.concepts.find((c) => c.concept === 'protect_personal_autonomy')!;
    expect(autonomy.status).toBe('present');
    expect(autonomy.probability).toBeGreaterThan(0.3);
    const liberty = a.values.find((v) => v.value === 'liberty')!;
    const sanctity = a.values.find((v) => v.value === 'sanctity')!;
    expect(liberty.likert5).toBeGreaterThan(sanctity.likert5);
  });

  it('a text with nothing in it keeps the prior', () => {
    const a = attributeLearned(s10, 'Hello.');
    expect(a.values.every((v) => v.basis !== 'absent')).toBe(true);
  });
});
