/**
 * Abduction: infer the exogenous terms from the factual evidence.
 *
 * - Full evidence (every node observed): u_i = x_i − f_i(x_parents), exact for any additive-noise
 *   mechanism; a root's noise is its observed value (DoWhy's convention).
 * - Partial evidence on a set O (linear mechanisms only): x_O = A_O (c + u) is linear in u ~ N(m, S), so
 *   the posterior of u is Gaussian: K = S A_Oᵀ (A_O S A_Oᵀ + εI)⁻¹, mean m + K (x̂_O − A_O(c + m)),
 *   covariance S − K A_O S = S − WᵀW with W = L⁻¹ A_O S and LLᵀ the Cholesky factor of the bracket.
 *   ε = 1e-12 × (mean prior variance of the observed nodes) keeps the factorisation defined when an
 *   observed node is fully determined by other observed nodes; it moves results by ~1e-12 relative.
 *   The covariance terms depend only on *which* nodes are observed, so they are computed once per
 *   observed set and cached on the program; a query then costs O(k² + k·n) for k observed nodes.
 */
import {
  cachePut,
  mechanismValue,
  mutilatedVariance,
  priorMoments,
  totalEffect,
  type Program,
} from './compile.js';
import { ScmError } from './errors.js';
import { cholesky, choleskySolve, forwardSubstitute } from './linalg.js';
import { resultArray, resultCopy } from './result-arrays.js';

/** Relative jitter added to the diagonal of A_O S A_Oᵀ (see the module comment). */
export const EVIDENCE_JITTER = 1e-12;

/** Exact abduction from a full factual row. */
export function abductFull(
  p: Program,
  x: Float64Array,
  out: Float64Array = new Float64Array(p.n),
): Float64Array {
  for (let i = 0; i < p.n; i++) out[i] = x[i]! - mechanismValue(p, i, x);
  return out;
}

/** The value-independent part of conditioning on an observed set. */
export interface EvidenceStructure {
  /** Observed node indices, ascending. */
  observed: Int32Array;
  /** Cholesky factor of A_O S A_Oᵀ + εI (k×k). */
  l: Float64Array;
  /** W = L⁻¹ A_O S, k×n row-major: the posterior covariance of u is S − WᵀW. */
  w: Float64Array;
  /** Posterior sd of the exogenous terms. */
  uSd: Float64Array;
  /** Posterior variance of every node in the factual world (observed nodes: 0). */
  xVar: Float64Array;
  /** Counterfactual variance per do()-set, keyed like the program's mutilated-variance cache. */
  cfVar: Map<string, Float64Array>;
}

export interface Posterior {
  structure: EvidenceStructure;
  /** Posterior mean of the exogenous terms. */
  uMean: Float64Array;
  /** Posterior mean of every node in the factual world (observed nodes: exactly their evidence). */
  xMean: Float64Array;
}

/** Propagate a noise vector through the linear mechanisms (intercepts excluded), honouring cut nodes. */
export function propagateNoise(
  p: Program,
  noise: Float64Array,
  offset: number,
  cut: Uint8Array | null,
  y: Float64Array,
): Float64Array {
  for (let i = 0; i < p.n; i++) {
    if (cut && cut[i]) {
      y[i] = 0;
      continue;
    }
    let s = noise[offset + i]!;
    for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++)
      s += p.parentW[k]! * y[p.parentIdx[k]!]!;
    y[i] = s;
  }
  return y;
}

function requireLinear(p: Program): void {
  if (p.linear) return;
  const nonlinear = p.ids.filter((_, i) => p.mech[i] === 2);
  throw new ScmError(
    'UNSUPPORTED_QUERY',
    `partial evidence needs linear mechanisms, but node "${nonlinear[0]}" has an expression mechanism; give evidence on every node (full evidence) or use a linear graph`,
    nonlinear.map((node) => ({ path: 'evidence', node, message: `node "${node}" is nonlinear` })),
  );
}

/** The covariance side of conditioning on `observed` (cached per observed set). */
export function evidenceStructure(p: Program, observed: Int32Array, key: string): EvidenceStructure {
  requireLinear(p);
  const cache = p.cache.evidence as Map<string, EvidenceStructure>;
  const hit = cache.get(key);
  if (hit) return hit;
  const n = p.n;
  const k = observed.length;
  const a = totalEffect(p);
  const prior = priorMoments(p);
  const s = p.noiseVar;

  // G = A_O S A_Oᵀ (k×k); row o of A only has entries j ≤ o (topological order).
  const g = new Float64Array(k * k);
  let trace = 0;
  for (let r = 0; r < k; r++) {
    const ro = observed[r]! * n;
    for (let c = 0; c <= r; c++) {
      const co = observed[c]! * n;
      const lim = Math.min(observed[r]!, observed[c]!);
      let sum = 0;
      for (let j = 0; j <= lim; j++) sum += a[ro + j]! * a[co + j]! * s[j]!;
      g[r * k + c] = sum;
      g[c * k + r] = sum;
    }
    trace += g[r * k + r]!;
  }
  const l = factorWithJitter(g, k, trace, p, observed);

  // W = L⁻¹ A_O S, column by column.
  const w = new Float64Array(k * n);
  for (let r = 0; r < k; r++) {
    const ro = observed[r]! * n;
    for (let j = 0; j < n; j++) w[r * n + j] = a[ro + j]! * s[j]!;
  }
  for (let j = 0; j < n; j++) forwardSubstitute(l, k, w, j, n);

  const uSd = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let v = s[j]!;
    for (let r = 0; r < k; r++) v -= w[r * n + j]! * w[r * n + j]!;
    uSd[j] = Math.sqrt(Math.max(0, v));
  }
  const xVar = reducedVariance(p, prior.variance, w, k, null);
  for (let r = 0; r < k; r++) xVar[observed[r]!] = 0;
  return cachePut(cache, key, { observed, l, w, uSd, xVar, cfVar: new Map() });
}

/** diag(P S Pᵀ) − Σ_r (P w_r)²: a prior variance reduced by the evidence, P the (mutilated) effect map. */
function reducedVariance(
  p: Program,
  prior: Float64Array,
  w: Float64Array,
  k: number,
  cut: Uint8Array | null,
) {
  const n = p.n;
  const v = Float64Array.from(prior);
  const y = new Float64Array(n);
  for (let r = 0; r < k; r++) {
    propagateNoise(p, w, r * n, cut, y);
    for (let i = 0; i < n; i++) v[i] = v[i]! - y[i]! * y[i]!;
  }
  for (let i = 0; i < n; i++) if (v[i]! < 0) v[i] = 0;
  return v;
}

/** Counterfactual variance of every node under do() on `cut` (cached per observed set and do-set). */
export function counterfactualVariance(
  p: Program,
  st: EvidenceStructure,
  cut: Uint8Array | null,
  doKey: string,
): Float64Array {
  const hit = st.cfVar.get(doKey);
  if (hit) return hit;
  const prior = cut ? mutilatedVariance(p, cut, doKey) : priorMoments(p).variance;
  return cachePut(st.cfVar, doKey, reducedVariance(p, prior, st.w, st.observed.length, cut), 64);
}

/** Gaussian posterior of the exogenous terms given evidence on `observed` (linear programs only). */
export function abductPartial(
  p: Program,
  observed: Int32Array,
  values: Float64Array,
  key?: string,
): Posterior {
  const st = evidenceStructure(p, observed, key ?? Array.from(observed).join(','));
  const n = p.n;
  const k = observed.length;
  const a = totalEffect(p);
  const prior = priorMoments(p);
  const s = p.noiseVar;
  // α = G⁻¹ (x̂_O − prior mean_O); μ_u = m + S A_Oᵀ α.
  const alpha = new Float64Array(k);
  for (let r = 0; r < k; r++) alpha[r] = values[r]! - prior.mean[observed[r]!]!;
  choleskySolve(st.l, k, alpha);
  const uMean = resultCopy(p.noiseMean);
  for (let r = 0; r < k; r++) {
    const o = observed[r]!;
    const ro = o * n;
    const ar = alpha[r]!;
    if (ar === 0) continue;
    for (let j = 0; j <= o; j++) uMean[j] = uMean[j]! + s[j]! * a[ro + j]! * ar;
  }
  const xMean = resultArray(n);
  for (let i = 0; i < n; i++) xMean[i] = mechanismValue(p, i, xMean) + uMean[i]!;
  for (let r = 0; r < k; r++) xMean[observed[r]!] = values[r]!;
  return { structure: st, uMean, xMean };
}

function factorWithJitter(
  g: Float64Array,
  k: number,
  trace: number,
  p: Program,
  observed: Int32Array,
): Float64Array {
  const base = k > 0 ? trace / k : 0;
  let eps = EVIDENCE_JITTER * (base > 0 ? base : 1);
  for (let attempt = 0; attempt < 4; attempt++) {
    const l = Float64Array.from(g);
    for (let r = 0; r < k; r++) l[r * k + r] = l[r * k + r]! + eps;
    if (cholesky(l, k)) return l;
    eps *= 1e3;
  }
  throw new ScmError(
    'INVALID_QUERY',
    'the evidence is degenerate: the observed nodes have no prior variance to condition on; give the nodes non-zero noise or use full evidence',
    Array.from(observed, (i) => ({
      path: 'evidence',
      node: p.ids[i],
      message: `node "${p.ids[i]}" was observed`,
    })),
  );
}
