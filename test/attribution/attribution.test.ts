import { describe, expect, it } from 'vitest';
import { attributeText, AttributionError, type Attribution } from '../../src/attribution/index.js';
import { makeEntry, type GraphEntry } from '../../src/graphs/registry.js';
import { filler, graph, plantedText, singleParentConcepts } from './helpers.js';
import { addReading, condition, jointOf } from './oracle.js';

const s10 = graph('schwartz-10');
const likertOf = (centered: number) => Math.min(5, Math.max(1, 3 + centered / 1.25));
const byValue = (a: Attribution) => Object.fromEntries(a.values.map((v) => [v.value, v]));

/** The documented evidence, restated independently: concept at its mechanism for level L, readings at 2. */
function oracleAttribution(entry: GraphEntry, a: Attribution) {
  const joint = jointOf(entry.file);
  const values = entry.file.nodes.filter((n) => n.kind === 'value').map((n) => n.id);
  const evidence: Record<string, number> = {};
  for (const c of a.concepts) {
    if (c.matches === 0) continue;
    const L = Math.min(5.5, 4 + 0.75 * Math.log2(c.matches));
    const m = entry.file.nodes.find((n) => n.id === c.concept)!.mechanism as {
      intercept: number;
      coefficients: Record<string, number>;
    };
    evidence[c.concept] =
      m.intercept + Object.values(m.coefficients).reduce((s, w) => s + w * 1.25 * (L - 3), 0);
  }
  const touched = new Set(a.concepts.filter((c) => c.matches > 0).flatMap((c) => c.values));
  const readings = [20, 50, 100].filter((w) => a.words >= w).length;
  for (const v of values) {
    const sdV = Math.sqrt(joint.cov[joint.index.get(v)!]![joint.index.get(v)!]!);
    for (let k = 0; k < 3; k++) addReading(joint, `r${k}_${v}`, v, 0.4 * sdV * Math.sqrt(3));
    if (!touched.has(v)) for (let k = 0; k < readings; k++) evidence[`r${k}_${v}`] = -1.25;
  }
  return condition(joint, evidence, values);
}

describe('attributeText: calibration', () => {
  it('an empty text gives the prior: the population average profile, computed from the graph file', () => {
    for (const id of ['schwartz-10', 'schwartz-19', 'mft-6']) {
      const entry = graph(id);
      const a = attributeText(entry, '');
      expect(a).toMatchObject({ detector: 'phrases', evidenceNodes: 0, absenceReadings: 0, words: 0 });
      const latents = new Map(
        entry.file.nodes
          .filter((n) => n.mechanism.type === 'root')
          .map((n) => [n.id, n.mechanism as { mean: number; sd: number }]),
      );
      for (const v of a.values) {
        const m = entry.file.nodes.find((n) => n.id === v.value)!.mechanism as {
          intercept: number;
          coefficients: Record<string, number>;
          noiseSd: number;
        };
        const coefs = Object.entries(m.coefficients);
        const mean = m.intercept + coefs.reduce((s, [p, w]) => s + w * latents.get(p)!.mean, 0);
        const sd = Math.sqrt(
          coefs.reduce((s, [p, w]) => s + (w * latents.get(p)!.sd) ** 2, 0) + m.noiseSd ** 2,
        );
        expect(v.mean, `${id} ${v.value}`).toBeCloseTo(mean, 9);
        expect(v.sd, `${id} ${v.value}`).toBeCloseTo(sd, 9);
        expect(v.likert5).toBeCloseTo(likertOf(mean), 9);
        expect(v.basis).toBe('prior');
      }
    }
  });

  it('matches an independent Gaussian conditioning of the graph with the documented evidence', () => {
    const texts = [
      'Creativity matters. This is about adventure and adventure again.',
      plantedText(
        s10,
        new Map([
          ['be_helpful', 2],
          ['have_social_recognition', 1],
          ['be_creative', 3],
        ]),
        4,
      ),
      plantedText(
        s10,
        new Map([
          ['have_equality', 1],
          ['be_just', 5],
          ['have_wealth', 1],
        ]),
        10,
      ),
    ];
    for (const text of texts) {
      const a = attributeText(s10, text);
      const oracle = oracleAttribution(s10, a);
      for (const v of a.values) {
        expect(v.mean, v.value).toBeCloseTo(oracle[v.value]!.mean, 7);
        expect(v.sd, v.value).toBeCloseTo(oracle[v.value]!.sd, 7);
      }
    }
    // And on another graph.
    const mft = graph('mft-6');
    const a = attributeText(
      mft,
      plantedText(
        mft,
        new Map([
          ['show_compassion', 2],
          ['resist_oppression', 1],
        ]),
        6,
      ),
    );
    const oracle = oracleAttribution(mft, a);
    for (const v of a.values) expect(v.mean, v.value).toBeCloseTo(oracle[v.value]!.mean, 7);
  });

  it('a text without value phrases moves every value towards "absent" (2) as it gets longer', () => {
    const steps = [0, 2, 5, 10].map((n) => attributeText(s10, filler(n)));
    expect(steps.map((a) => a.absenceReadings)).toEqual([0, 1, 2, 3]);
    for (const a of steps) expect(a.evidenceNodes).toBe(0);
    // On average every step is closer to 2, and every value is more certain.
    const meanDistance = steps.map(
      (a) => a.values.reduce((s, v) => s + Math.abs(v.likert5 - 2), 0) / a.values.length,
    );
    for (let i = 1; i < steps.length; i++) expect(meanDistance[i]).toBeLessThan(meanDistance[i - 1]!);
    for (const v of s10.file.nodes.filter((n) => n.kind === 'value')) {
      const sd = steps.map((a) => byValue(a)[v.id]!.sd);
      for (let i = 1; i < steps.length; i++) expect(sd[i], v.id).toBeLessThan(sd[i - 1]!);
      // Each value ends closer to 2 than its prior. (Not necessarily step by step: a value whose prior is
      // near 2, like power, first moves up a little, because reading the usually high values
      // (benevolence, universalism) as absent lowers self-transcendence, and the circle lifts power.)
      expect(Math.abs(byValue(steps[3]!)[v.id]!.likert5 - 2)).toBeLessThan(
        Math.abs(byValue(steps[0]!)[v.id]!.likert5 - 2),
      );
    }
    const full = steps[3]!;
    for (const v of full.values) {
      expect(v.basis).toBe('absent');
      expect(v.likert5, v.value).toBeGreaterThan(2);
      expect(v.likert5, v.value).toBeLessThan(2.4);
    }
  });

  it('a text that strongly expresses a value puts it at 4–5 and its circle opposites lowest', () => {
    const counts = new Map(singleParentConcepts(s10, 'universalism').map((c) => [c, 3]));
    const a = byValue(attributeText(s10, plantedText(s10, counts)));
    const neutral = byValue(attributeText(s10, filler(10)));
    expect(a['universalism']!.likert5).toBeGreaterThanOrEqual(4.5);
    expect(a['universalism']!.basis).toBe('concepts');
    // Power and achievement sit opposite universalism on the circle: they fall below "absent".
    for (const v of ['power', 'achievement']) {
      expect(a[v]!.likert5, v).toBeLessThan(neutral[v]!.likert5 - 0.1);
    }
    const others = Object.values(a)
      .filter((v) => v.value !== 'universalism')
      .sort((x, y) => x.likert5 - y.likert5);
    expect(
      others
        .slice(0, 2)
        .map((v) => v.value)
        .sort(),
    ).toEqual(['achievement', 'power']);
  });

  it('reports a 95% likert interval around the mean, clamped to 1–5', () => {
    const counts = new Map(singleParentConcepts(s10, 'security').map((c) => [c, 4]));
    const a = attributeText(s10, plantedText(s10, counts));
    for (const v of a.values) {
      const [lo, hi] = v.interval;
      expect(lo).toBeGreaterThanOrEqual(1);
      expect(hi).toBeLessThanOrEqual(5);
      expect(lo).toBeLessThanOrEqual(v.likert5);
      expect(hi).toBeGreaterThanOrEqual(v.likert5);
      expect(v.likert5Sd).toBeCloseTo(v.sd / 1.25, 12);
      if (hi < 5 && lo > 1) expect(hi - lo).toBeCloseTo(2 * 1.959964 * v.likert5Sd, 5);
    }
    const security = byValue(a)['security']!;
    // Seven security concepts four times each: beyond the scale end on the centered scale, clamped at 5.
    expect(security.mean).toBeGreaterThan(2.5);
    expect(security.likert5).toBe(5);
  });

  it('lists every concept with its parent values, evidence and spans', () => {
    const text = 'We love adventure. Adventure again! Not about money.';
    const a = attributeText(s10, text);
    expect(a.concepts).toHaveLength(54);
    expect(a.evidenceNodes).toBe(2); // adventure, love
    const adventure = a.concepts.find((c) => c.concept === 'have_an_exciting_life')!;
    expect(adventure).toMatchObject({
      label: 'Have an exciting life',
      value: 'stimulation',
      values: ['stimulation'],
      group: 'Stimulation',
      matches: 2,
      status: 'present',
      level: 4.75,
      phrases: ['adventure'],
    });
    expect(adventure.spans.map(([s, e]) => text.slice(s, e))).toEqual(['adventure', 'Adventure']);
    expect(adventure.evidence).not.toBeNull();
    // "love" is a phrase of be_loving.
    expect(a.concepts.find((c) => c.concept === 'be_loving')!.status).toBe('present');
    const wealth = a.concepts.find((c) => c.concept === 'have_wealth')!;
    expect(wealth).toMatchObject({ status: 'negated', matches: 0, negated: 1, evidence: null, level: null });
    const face = a.concepts.find((c) => c.concept === 'have_social_recognition')!;
    expect(face.values.sort()).toEqual(['power', 'security']);
    expect(a.graph).toEqual({ id: s10.id, version: s10.version, hash: s10.hash });
  });

  it('refuses graphs it cannot attribute with, with a clear code', () => {
    const nonlinear = makeEntry({
      id: 'nonlinear',
      version: '1',
      nodes: [
        { id: 'v', kind: 'value', label: 'V', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'c',
          kind: 'concept',
          label: 'C',
          phrases: ['cee'],
          mechanism: { type: 'expression', expression: 'tanh(v)', noiseSd: 1 },
        },
      ],
      edges: [['v', 'c']],
    });
    const noConcepts = makeEntry({
      id: 'no-concepts',
      version: '1',
      nodes: [{ id: 'v', kind: 'value', label: 'V', mechanism: { type: 'root', mean: 0, sd: 1 } }],
      edges: [],
    });
    for (const entry of [nonlinear, noConcepts]) {
      let error: unknown;
      try {
        attributeText(entry, 'cee');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AttributionError);
      expect(error).toMatchObject({ code: 'ATTRIBUTION_UNSUPPORTED_GRAPH' });
    }
  });
});
