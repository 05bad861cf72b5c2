/** The plain-language summary: built from the explanation object, naming what was set and what moved. */
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { buildConditioning } from '../../src/pipeline/conditioning.js';
import { buildExplanation } from '../../src/pipeline/explanation.js';
import { computeProfile } from '../../src/pipeline/profile.js';
import { SUMMARY_THRESHOLD } from '../../src/pipeline/summary.js';

const entry = loadGraphDir().get('schwartz-10')!;
const factual = {
  self_direction: 0.4,
  stimulation: -0.2,
  hedonism: 0.1,
  achievement: 0.3,
  power: -0.6,
  security: 0.2,
  conformity: -0.1,
  tradition: -0.5,
  benevolence: 0.5,
  universalism: 0.3,
};

function explain(target: Record<string, number>) {
  const p = computeProfile(entry, { factual, target });
  return buildExplanation(p, buildConditioning(p, 'q'));
}

describe('summary', () => {
  it('names every value the caller set and every inferred value that moved more than the threshold', () => {
    const targets: Array<Record<string, number>> = [
      { benevolence: 2.5 },
      { power: 2, tradition: -1 },
      { self_direction: -2.5, security: 1.25 },
    ];
    for (const target of targets) {
      const ex = explain(target);
      for (const v of ex.values) {
        if (v.status === 'set')
          expect(ex.summary).toContain(`${v.label.toLowerCase()} to ${v.target!.toFixed(1)}`);
        if (v.status === 'inferred' && Math.abs(v.change) > SUMMARY_THRESHOLD) {
          expect(ex.summary).toContain(
            `${v.label} ${v.change > 0 ? 'rises' : 'falls'} from ${v.factual.toFixed(1)} to ${v.counterfactual.toFixed(1)} (± ${v.sd.toFixed(1)})`,
          );
        }
      }
    }
  });

  it('explains an inferred move through the latent dimension, as an inference, with its sd', () => {
    const ex = explain({ benevolence: 2.5 });
    const universalism = ex.values.find((v) => v.value === 'universalism')!;
    expect(universalism.change).toBeGreaterThan(SUMMARY_THRESHOLD);
    expect(ex.summary).toMatch(
      /Universalism rises from \d\.\d to \d\.\d \(± \d\.\d\) although you did not set it: inferred, not an effect of it — a person with benevolence where you set it most likely sits elsewhere on the self-transcendence ↔ self-enhancement dimension, which universalism also loads on\./,
    );
    // The contributions in the explanation sum to the change (likert points, up to the 1–5 clamp).
    const sum = universalism.contributions.reduce((s, c) => s + c.amount, 0);
    expect(sum).toBeCloseTo(universalism.change, 3);
  });

  it('is deterministic', () => {
    expect(explain({ benevolence: 2.5 }).summary).toBe(explain({ benevolence: 2.5 }).summary);
  });
});
