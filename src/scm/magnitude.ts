/**
 * Magnitude bounds: evidence and intervention values far beyond the graph's scale are refused.
 *
 * Abduction subtracts a node's mechanism from its observed value (u = x − f(parents)); with values
 * ~1e15 times the scale of the noise, that difference is below the resolution of a double (about
 * 2.2e-16 × the magnitude), so the counterfactual came back silently wrong (evidence 1e17 gave 0
 * instead of 3.12). A value is accepted up to MAGNITUDE_LIMIT × the graph's scale, which keeps the
 * rounding error of a result under ~1e-8 of that scale (times the number of parents summed).
 */
import { mechanismValue, type Program } from './compile.js';
import { ScmError, type ScmIssue } from './errors.js';

/** How many times the graph's scale a value may be. */
export const MAGNITUDE_LIMIT = 1e8;

/**
 * The graph's scale: the largest |prior mean| (every node's mechanism at its parents' means) or noise
 * sd of a node, at least 1e-300 so that a graph of zeros still has a bound (cached on the program).
 */
export function graphScale(p: Program): number {
  if (p.cache.scale !== undefined) return p.cache.scale;
  const mean = new Float64Array(p.n);
  let scale = 0;
  for (let i = 0; i < p.n; i++) {
    let m: number;
    try {
      m = mechanismValue(p, i, mean) + p.noiseMean[i]!;
    } catch {
      m = 0; // an expression undefined at the means (e.g. log of a negative mean) adds no scale
    }
    mean[i] = Number.isFinite(m) ? m : 0;
    const sd = Math.sqrt(p.noiseVar[i]!);
    scale = Math.max(scale, Math.abs(mean[i]!), sd);
  }
  p.cache.scale = scale > 0 ? scale : 1;
  return p.cache.scale;
}

/** The largest magnitude a value may have on this graph. */
export function magnitudeBound(p: Program): number {
  return MAGNITUDE_LIMIT * graphScale(p);
}

/**
 * Whether the largest evidence magnitude (`readEvidence` keeps it) and every intervention value are
 * within the bound: the query's check, without building entries; `checkMagnitudes` names the culprits.
 */
export function withinMagnitudes(
  p: Program,
  largestEvidence: number,
  interventions: ReadonlyArray<{ value: number }>,
): boolean {
  const bound = magnitudeBound(p);
  if (largestEvidence > bound) return false;
  for (let k = 0; k < interventions.length; k++) if (Math.abs(interventions[k]!.value) > bound) return false;
  return true;
}

/** Throws INVALID_QUERY naming every evidence or intervention value beyond the bound. */
export function checkMagnitudes(
  p: Program,
  evidence: Readonly<Record<string, number>>,
  interventions: ReadonlyArray<{ node: string; value: number }>,
): void {
  const bound = magnitudeBound(p);
  const issues: ScmIssue[] = [];
  const why = `at most ${bound.toPrecision(3)} in magnitude (${MAGNITUDE_LIMIT.toExponential(0)} × the graph's scale ${graphScale(p).toPrecision(3)}, its largest prior mean or noise sd); beyond that a double cannot tell the noise apart from the value and the counterfactual would be wrong: give values in the graph's units`;
  for (const [node, v] of Object.entries(evidence)) {
    if (Math.abs(v) > bound)
      issues.push({
        path: `evidence.${node}`,
        node,
        message: `evidence on "${node}" is ${v}; it must be ${why}`,
      });
  }
  interventions.forEach((iv, k) => {
    if (Math.abs(iv.value) > bound)
      issues.push({
        path: `interventions.${k}.value`,
        node: iv.node,
        message: `the intervention on "${iv.node}" is ${iv.value}; it must be ${why}`,
      });
  });
  if (issues.length) throw ScmError.fromIssues('INVALID_QUERY', issues);
}
