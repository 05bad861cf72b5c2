/**
 * The radar chart of an alignment's explanation (the `chart` of `explain: { chart: true }`): the
 * explanation's values are already on COUPLE's 1–5 scale. The axes follow `order` when given, else
 * the theory's circle order of a bundled value system, else the explanation's order. Same numbers and
 * title, same bytes as `GET /v1/charts/radar.svg`.
 */
import type { AlignExplanation } from '../pipeline/explanation.js';
import { SCALES } from '../values/scales.js';
import { getValueSystem } from '../values/profile.js';
import { radarChart } from './radar.js';

export function radarFromExplanation(
  explanation: Pick<AlignExplanation, 'values' | 'graph'>,
  options: { order?: readonly string[]; title?: string; idPrefix?: string } = {},
): string {
  return radarChart({
    values: explanation.values.map((v) => ({
      id: v.value,
      label: v.label,
      factual: v.factual,
      target: v.target,
      counterfactual: v.counterfactual,
    })),
    scale: { min: SCALES.likert5.min, max: SCALES.likert5.max, label: SCALES.likert5.label },
    title: options.title ?? `Value profile on ${explanation.graph.id}`,
    order: options.order ?? getValueSystem(explanation.graph.id)?.values.map((v) => v.id),
    ...(options.idPrefix ? { idPrefix: options.idPrefix } : {}),
  });
}
