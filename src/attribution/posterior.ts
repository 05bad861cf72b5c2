/**
 * The value posterior: the engine's partial-evidence abduction on the measurement program (model.ts),
 * read out per value node as mean and sd on the graph's value scale, and as COUPLE's 1–5 rubric
 * (src/values conversion, clamped to 1–5) with a 95% interval.
 */
import { counterfactual } from '../scm/index.js';
import { convertScore, SCALES } from '../values/index.js';
import type { EvidenceSet } from './evidence.js';
import type { AttributionModel } from './model.js';

export interface ValueAttribution {
  value: string;
  label: string;
  /** Posterior mean on the graph's value scale (centered for the bundled graphs). */
  mean: number;
  /** Posterior sd on the same scale. */
  sd: number;
  /** The mean on COUPLE's 1–5 rubric, clamped to 1–5. */
  likert5: number;
  /** The sd in likert5 points (unclamped). */
  likert5Sd: number;
  /** 95% interval on likert5 (mean ± 1.96 sd, each end clamped to 1–5). */
  interval: [number, number];
  /** What informs it: concept evidence, absence readings, or nothing (the prior). */
  basis: 'concepts' | 'absent' | 'prior';
}

export const Z95 = 1.959963984540054;

export function valuePosterior(model: AttributionModel, ev: EvidenceSet): ValueAttribution[] {
  const { program } = model;
  const result = counterfactual(program, { evidence: ev.evidence, interventions: [] });
  const perLikert = SCALES[model.scale].unit / SCALES.likert5.unit;
  const likert = (x: number) => convertScore(x, model.scale, 'likert5').value;
  return model.values.map((v, i) => {
    const k = program.index.get(v.id)!;
    const mean = result.factual[k]!;
    const sd = result.factualSd![k]!;
    return {
      value: v.id,
      label: v.label,
      mean,
      sd,
      likert5: likert(mean),
      likert5Sd: sd * perLikert,
      interval: [likert(mean - Z95 * sd), likert(mean + Z95 * sd)],
      basis: ev.basis[i]!,
    };
  });
}
