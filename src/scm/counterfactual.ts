/**
 * Counterfactual queries: abduction → action → prediction on a compiled program.
 *
 * Semantics match DoWhy's `gcm.counterfactual_samples` for fully observed additive-noise models:
 * root noise = observed value, u = x − f(parents), recompute in topological order, non-descendants of
 * the intervened nodes keep their factual values, an empty intervention returns the factual row, no
 * clamping. Beyond DoWhy: partial evidence (Gaussian posterior of the noise, counterfactual means and
 * standard deviations in closed form), the structured action, and explanations.
 */
import { mechanismValue, type Program } from './compile.js';
import { abductFull, abductPartial, counterfactualVariance, type Posterior } from './abduction.js';
import { ScmError, type ScmIssue } from './errors.js';
import { readEvidence } from './evidence.js';
import { reachedBy } from './mutilation.js';
import { checkMagnitudes, withinMagnitudes } from './magnitude.js';
import { explain, type ExplainOptions, type Explanation } from './explain.js';
import {
  DEFAULT_LAMBDA,
  normalizeInterventions,
  resolveStructured,
  type Intervention,
  type StructuredSolution,
} from './interventions.js';
import { ACTIONS, CUTS_EDGES, type ActionCode, type ActionSpec } from './intervention-types.js';
import { FROM_STRUCTURED, NONE, predict } from './predict.js';
import { resultArray, resultCopy } from './result-arrays.js';
import { workspace } from './workspace.js';

export interface CounterfactualQuery {
  /** Factual evidence: a value for every node (full) or for some (partial; linear graphs only). */
  evidence: Readonly<Record<string, number>>;
  interventions: readonly Intervention[];
  /** Regularisation of the structured action (default 0.1). */
  lambda?: number;
  /** Cap of the structured action: the largest latent move, in prior sds (default: none). */
  maxLatentMove?: number;
  /** Compute the explanation (true for defaults, or options). */
  explain?: boolean | ExplainOptions;
}

export interface AppliedAction {
  node: string;
  type: ActionSpec['name'];
  value: number;
  /** `caller` for the query's own interventions, `structured` for latents set by a structured one. */
  origin: 'caller' | 'structured';
}

export interface CounterfactualResult {
  evidence: 'full' | 'partial';
  /** Node ids, in the order of every array below (topological). */
  nodes: readonly string[];
  factual: Float64Array;
  /** Posterior sd of the factual nodes (partial evidence only). */
  factualSd: Float64Array | null;
  counterfactual: Float64Array;
  /** Sd of the counterfactual nodes (partial evidence only; 0 for nodes set by do()). */
  counterfactualSd: Float64Array | null;
  /** Abducted exogenous terms (posterior mean under partial evidence). */
  noise: Float64Array;
  noiseSd: Float64Array | null;
  actions: AppliedAction[];
  structured: StructuredSolution | null;
  explanation?: Explanation;
}

/**
 * Evidence the model gives probability zero: a node whose exogenous term has no variance (a root with
 * sd 0, a mechanism with noiseSd 0) yet whose abducted term is off its fixed value (the evidence
 * contradicts the mechanism). Before, such evidence was echoed and silently ignored downstream.
 */
function checkPossible(p: Program, noise: Float64Array, factual: Float64Array): void {
  let issues: ScmIssue[] | null = null;
  for (let i = 0; i < p.n; i++) {
    if (p.noiseVar[i] !== 0) continue;
    // Full evidence: the abducted term is off its fixed value. Partial evidence: the term stays
    // fixed and the observed value is not what the mechanism then gives.
    const residual = factual[i]! - mechanismValue(p, i, factual) - noise[i]!;
    const off =
      Math.abs(residual) > Math.abs(noise[i]! - p.noiseMean[i]!) ? residual : noise[i]! - p.noiseMean[i]!;
    if (Math.abs(off) <= 1e-6 * (1 + Math.abs(factual[i]!))) continue;
    const node = p.ids[i]!;
    (issues ??= []).push({
      path: 'evidence',
      node,
      message: `node "${node}" has no noise (sd 0), so its value is fixed by ${p.mech[i] === 0 ? 'its mean' : 'its parents'}; the evidence puts it ${off > 0 ? 'above' : 'below'} that by ${Math.abs(off)}, which has probability zero under the model: change the evidence or give the node a noise sd`,
    });
  }
  if (issues)
    throw new ScmError(
      'UNSUPPORTED_QUERY',
      `the evidence has probability zero under the model: ${issues[0]!.message}`,
      issues,
    );
}

/** Run one counterfactual query. Throws ScmError on bad input. */
export function counterfactual(p: Program, q: CounterfactualQuery): CounterfactualResult {
  const ws = workspace(p);
  const count = readEvidence(p, ws, q.evidence);
  const norm = normalizeInterventions(p, q.interventions);
  if (!withinMagnitudes(p, ws.largest, q.interventions)) checkMagnitudes(p, q.evidence, q.interventions);
  const n = p.n;
  const full = count === n;

  let factual: Float64Array;
  let noise: Float64Array;
  let factualSd: Float64Array | null = null;
  let noiseSd: Float64Array | null = null;
  let posterior: Posterior | null = null;
  if (full) {
    factual = resultCopy(ws.values);
    noise = abductFull(p, factual, resultArray(n));
  } else {
    const observed = new Int32Array(count);
    const values = resultArray(count);
    let key = '';
    for (let i = 0, r = 0; i < n; i++) {
      if (ws.mask[i]) {
        observed[r] = i;
        values[r++] = ws.values[i]!;
        key += `${i},`;
      }
    }
    posterior = abductPartial(p, observed, values, key);
    factual = posterior.xMean;
    noise = posterior.uMean;
    const xVar = posterior.structure.xVar;
    factualSd = resultArray(n);
    for (let i = 0; i < n; i++) factualSd[i] = Math.sqrt(xVar[i]!);
    noiseSd = posterior.structure.uSd;
  }

  checkPossible(p, noise, factual);
  const structured = resolveStructured(p, norm, factual, noise, q.lambda ?? DEFAULT_LAMBDA, q.maxLatentMove);
  const { act, val, origin } = norm.actions;
  const cf = predict(p, factual, noise, act, val, resultArray(n), ws.affected);

  let counterfactualSd: Float64Array | null = null;
  if (posterior) {
    let key = '';
    let cut: Uint8Array | null = null;
    // Actions that cut incoming edges (do) mutilate the graph the variance is computed on.
    for (let i = 0; i < n; i++) {
      if (CUTS_EDGES[act[i]!]) {
        key += `${i},`;
        if (!cut) (cut = ws.cut).fill(0);
        cut[i] = 1;
      }
    }
    counterfactualSd = resultCopy(factualSd!);
    // A shift adds a constant, so only nodes a do() reaches change their variance; the others are the
    // same random variable as in the factual world, plus a constant (an observed one keeps sd 0
    // exactly, not the square root of the jitter).
    if (cut) {
      const reached = ws.reached;
      reachedBy(p, cut, reached);
      const variance = counterfactualVariance(p, posterior.structure, cut, reached, key);
      for (let i = 0; i < n; i++) if (reached[i]) counterfactualSd[i] = Math.sqrt(variance[i]!);
    }
  }

  const actions: AppliedAction[] = [];
  for (let i = 0; i < n; i++) {
    if (act[i] === NONE) continue;
    actions.push({
      node: p.ids[i]!,
      type: ACTIONS[act[i] as ActionCode].name,
      value: val[i]!,
      origin: origin[i] === FROM_STRUCTURED ? 'structured' : 'caller',
    });
  }

  const result: CounterfactualResult = {
    evidence: full ? 'full' : 'partial',
    nodes: p.ids,
    factual,
    factualSd,
    counterfactual: cf,
    counterfactualSd,
    noise,
    noiseSd,
    actions,
    structured,
  };
  if (q.explain) {
    result.explanation = explain(
      p,
      factual,
      noise,
      cf,
      norm.actions,
      structured,
      q.explain === true ? {} : q.explain,
    );
  }
  return result;
}

export type BatchItem = { ok: true; result: CounterfactualResult } | { ok: false; error: ScmError };

/** Run many queries against one compiled program; one bad query does not fail the others. */
export function counterfactualBatch(p: Program, queries: readonly CounterfactualQuery[]): BatchItem[] {
  return queries.map((q) => {
    try {
      return { ok: true, result: counterfactual(p, q) };
    } catch (err) {
      if (err instanceof ScmError) return { ok: false, error: err };
      throw err;
    }
  });
}

/** Name → number records of a result's arrays, for JSON output (only the nodes at `only`, in its order, when given). */
export function toRecord(
  nodes: readonly string[],
  values: Float64Array,
  only?: readonly number[] | null,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (only) for (const i of only) out[nodes[i]!] = values[i]!;
  else for (let i = 0; i < nodes.length; i++) out[nodes[i]!] = values[i]!;
  return out;
}
