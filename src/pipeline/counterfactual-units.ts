/**
 * The units of a counterfactual request. The engine works in the graph's own units (the bundled value
 * graphs: `centered` scores, mean-centred PVQ points); /v1/align takes likert-5. So a query may say
 * which scale its value-node numbers are on (`scale`: `likert5`, `pvq6` or `centered`; default: the
 * graph's), and they are converted to the graph's units before the engine runs (`do`/`structured`
 * values and evidence as scores, `shift` amounts as differences); the answer stays in the graph's
 * units. Only value nodes are converted: latents and concepts have no questionnaire scale.
 *
 * `notes` warn when evidence or a target sits far outside the population's range (more than 3 prior
 * standard deviations from the prior mean, linear graphs), the usual sign of a number on the wrong
 * scale (`{"benevolence": 5}` in centered units is about 6 sd).
 *
 * `interventions` may also be the CLI's shorthand `{"node": value, …}`: each is a `do`.
 */
import type { Program } from '../scm/index.js';
import { isLevel, priorMoments } from '../scm/index.js';
import { SCALES, convertScore, isScale, type Scale } from '../values/scales.js';
import type { QueryInput } from './counterfactual.js';
import { DomainError } from '../errors.js';

type Intervention = NonNullable<QueryInput['interventions']>[number];

export interface UnitQuery {
  evidence?: Record<string, number> | undefined;
  interventions?: Intervention[] | Record<string, number> | undefined;
  lambda?: number | undefined;
  scale?: Scale | undefined;
}

/** How far from the prior mean, in prior sd, a number starts to look like the wrong scale. */
export const FAR_SD = 3;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The query in the graph's units, with its warnings. */
export function toGraphUnits(
  program: Program,
  graphScale: string | undefined,
  query: UnitQuery,
  prefix = '',
): { query: QueryInput; notes: string[] } {
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  const interventions: Intervention[] = Array.isArray(query.interventions)
    ? query.interventions
    : Object.entries(query.interventions ?? {}).map(([node, value]) => ({
        node,
        type: 'do' as const,
        value,
      }));
  const from = query.scale;
  const target = graphScale && isScale(graphScale) ? graphScale : undefined;
  let evidence = query.evidence;
  if (from !== undefined && from !== target) {
    if (!target) {
      throw new DomainError(
        'INVALID_QUERY',
        `"scale" converts value scores to the graph's scale, and this graph declares none (or "${graphScale}"); send the numbers in the graph's own units and leave "scale" out`,
        [{ path: at('scale'), message: 'the graph has no value scale' }],
      );
    }
    const isValue = (node: string) => program.kinds[program.index.get(node) ?? -1] === 'value';
    const score = (x: number, path: string) => {
      const r = SCALES[from];
      if (x < r.min || x > r.max) {
        throw new DomainError(
          'INVALID_QUERY',
          `${path}: ${x} is outside the ${from} range ${r.min}–${r.max}`,
          [{ path, message: `outside ${r.min}–${r.max}` }],
        );
      }
      return convertScore(x, from, target).value;
    };
    const slope =
      convertScore(SCALES[from].min + 1, from, target).value -
      convertScore(SCALES[from].min, from, target).value;
    evidence = Object.fromEntries(
      Object.entries(query.evidence ?? {}).map(([k, v]) => [
        k,
        isValue(k) ? score(v, at(`evidence.${k}`)) : v,
      ]),
    );
    interventions.forEach((iv, i) => {
      if (!isValue(iv.node)) return;
      const value = isLevel(iv.type) ? score(iv.value, at(`interventions.${i}.value`)) : iv.value * slope;
      interventions[i] = { ...iv, value };
    });
  }
  // Fields assigned one by one (object spreads of conditional literals cost more than the rest).
  const out: QueryInput = {};
  if (evidence !== undefined) out.evidence = evidence;
  out.interventions = interventions;
  if (query.lambda !== undefined) out.lambda = query.lambda;
  return { query: out, notes: farNotes(program, target ?? graphScale, out, at) };
}

/** Warnings for evidence and targets far outside the population's range (linear graphs). */
function farNotes(
  program: Program,
  scale: string | undefined,
  query: QueryInput,
  at: (path: string) => string,
): string[] {
  if (!program.linear) return [];
  const { mean, variance } = priorMoments(program);
  const notes: string[] = [];
  // The path of a number is only written out when it gets a note (most get none).
  const check = (node: string, x: number, field: string, key: string | number, rest: string) => {
    const i = program.index.get(node);
    if (i === undefined || !(variance[i]! > 0)) return;
    const z = (x - mean[i]!) / Math.sqrt(variance[i]!);
    if (Math.abs(z) <= FAR_SD) return;
    const hint =
      program.kinds[i] === 'value' && scale === 'centered'
        ? `; the graph works in centered units (its population: mean ${round(mean[i]!)}, sd ${round(Math.sqrt(variance[i]!))}): for 1–5 scores send "scale": "likert5"`
        : '';
    notes.push(
      `${at(`${field}.${key}${rest}`)}: ${x} is ${round(Math.abs(z), 1)} sd ${z > 0 ? 'above' : 'below'} the population mean of ${node}${hint}`,
    );
  };
  const evidence = query.evidence;
  if (evidence)
    for (const node in evidence)
      if (Object.hasOwn(evidence, node)) check(node, evidence[node]!, 'evidence', node, '');
  const interventions = query.interventions ?? [];
  for (let i = 0; i < interventions.length; i++) {
    const iv = interventions[i]!;
    if (isLevel(iv.type)) check(iv.node, iv.value, 'interventions', i, '.value');
  }
  return notes;
}
