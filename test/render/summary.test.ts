/**
 * The plain-language summary on a fixed explanation object: the exact sentences, and the rule of the
 * issue — every value the caller set and every inferred value that moved by more than
 * SUMMARY_THRESHOLD (likert points) is named; the ones that did not move are grouped. (The property
 * over real pipeline outputs is in test/pipeline/summary.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { AlignExplanation, ValueExplanation } from '../../src/pipeline/explanation.js';
import { SUMMARY_THRESHOLD, summarize } from '../../src/pipeline/summary.js';
import { radarFromExplanation } from '../../src/render/index.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { checkGolden } from './golden.js';
import { parseXml } from './xml.js';

const OT = 'openness_conservation';
const TE = 'transcendence_enhancement';

function value(
  id: string,
  rank: number,
  factual: number,
  counterfactual: number,
  target: number | null,
  via?: string,
): ValueExplanation {
  const label = SCHWARTZ_10.values.find((v) => v.id === id)!.label;
  const change = Math.round((counterfactual - factual) * 1e4) / 1e4;
  const source = target === null ? (via === OT ? 'security' : 'benevolence') : id;
  return {
    value: id,
    label,
    rank,
    status: target === null ? 'inferred' : 'set',
    factual,
    counterfactual,
    target,
    change,
    sd: target === null ? 0.18 : 0,
    level: Math.round(counterfactual),
    centered: { factual: 0, counterfactual: 0, target: null },
    contributions: change === 0 ? [] : [{ intervention: source, amount: change }],
    paths:
      target !== null
        ? [{ intervention: id, path: [id], amount: change, inferred: false, text: label.toLowerCase() }]
        : change === 0
          ? []
          : [
              {
                intervention: source,
                path: [source, via ?? TE, id],
                amount: change,
                structured: true,
                inferred: true,
                text: `${label.toLowerCase()} ← ${via ?? TE} ← ${source}, inferred`,
              },
            ],
  };
}

/** Benevolence 5 and security 4 set; the rest follow through the two latent dimensions. */
const EXPLANATION: AlignExplanation = {
  graph: { id: 'schwartz-10', version: '1.0.0', hash: '0123456789abcdef' },
  action: 'structured',
  method: 'path-products',
  values: [
    value('benevolence', 1, 3.47, 5, 5),
    value('universalism', 2, 3.44, 4.79, null, TE),
    value('security', 3, 3.27, 4, 4),
    value('self_direction', 4, 3.43, 3.98, null, TE),
    value('tradition', 5, 3.07, 3.71, null, OT),
    value('conformity', 6, 2.68, 2.47, null, OT),
    value('hedonism', 7, 2.75, 1.87, null, TE),
    value('stimulation', 8, 2.69, 2.6, null, OT),
    value('achievement', 9, 2.58, 1.04, null, TE),
    value('power', 10, 2.42, 1, null, TE),
  ],
  latents: [
    { node: OT, label: 'Openness to change ↔ Conservation', from: 0, to: -0.5, sd: 0.6, capped: false },
    { node: TE, label: 'Self-transcendence ↔ Self-enhancement', from: 0, to: 2, sd: 0.5, capped: true },
  ],
  notes: [],
  concepts: {
    express: [{ concept: 'be_helpful', label: 'Be helpful', values: ['benevolence'], z: 2.1, change: 1.2 }],
    avoid: [{ concept: 'have_wealth', label: 'Have wealth', values: ['power'], z: -1.9, change: -1.1 }],
  },
  summary: '',
  conditioning: { mode: 'scm', messages: [] },
};
const LABELS = new Map(SCHWARTZ_10.values.map((v) => [v.id, v.label]));

describe('summary on a fixed explanation', () => {
  const text = summarize(EXPLANATION, LABELS);

  it('reads as these sentences', () => {
    expect(text.split(/(?<=\.) /)).toEqual([
      'You set benevolence to 5.0 (from 3.5) and security to 4.0 (from 3.3).',
      'Achievement falls from 2.6 to 1.0 (± 0.2) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which achievement also loads on.',
      'Power falls from 2.4 to 1.0 (± 0.2) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which power also loads on.',
      'Universalism rises from 3.4 to 4.8 (± 0.2) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which universalism also loads on.',
      'Hedonism falls from 2.8 to 1.9 (± 0.2) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which hedonism also loads on.',
      'Tradition rises from 3.1 to 3.7 (± 0.2) although you did not set it: inferred, not an effect of it — a person with security where you set it most likely sits elsewhere on the openness to change ↔ conservation dimension, which tradition also loads on.',
      'Self-direction rises from 3.4 to 4.0 (± 0.2) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which self-direction also loads on.',
      'Conformity and Stimulation stay close to where they were.',
      'The answer should express: be helpful.',
    ]);
  });

  it('names every set value and every inferred value that moved more than the threshold', () => {
    for (const v of EXPLANATION.values) {
      const named = text.includes(v.label) || text.includes(v.label.toLowerCase());
      expect(named, v.value).toBe(true);
      if (v.status === 'inferred' && Math.abs(v.change) > SUMMARY_THRESHOLD) {
        expect(text).toContain(`${v.label} ${v.change > 0 ? 'rises' : 'falls'} from`);
      }
    }
    // Conformity (−0.21) and stimulation (−0.09) are within the threshold: grouped, not explained.
    expect(text).not.toContain('Conformity falls');
    expect(text).not.toContain('Stimulation falls');
  });

  it('never calls an inferred link causal', () => {
    expect(text).not.toMatch(/\bcausal|\bcaus(es|ed)\b|raising \w+ moves|\bmoves the\b/);
  });
});

describe('radarFromExplanation', () => {
  it('charts the explanation in circle order (golden bytes)', () => {
    const svg = radarFromExplanation(EXPLANATION);
    expect(radarFromExplanation(EXPLANATION, { order: SCHWARTZ_10.values.map((v) => v.id) })).toBe(svg);
    parseXml(svg);
    expect(svg).toContain('Benevolence: factual 3.47, target 5.00, counterfactual 5.00.');
    checkGolden('radar-explanation.svg', svg);
  });
});
