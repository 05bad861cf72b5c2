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
import { BoundedCache } from './bounded-cache.js';
import { effectRows, mechanismValue, priorMoments, totalEffect, type Program } from './compile.js';
import { ScmError } from './errors.js';
import { cholesky, choleskySolve } from './linalg.js';
import { mutilatedVariance } from './mutilation.js';
import { resultArray, resultCopy, structureArray, structureCopy } from './result-arrays.js';
import { workspace, type Workspace } from './workspace.js';

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
  /**
   * Cholesky factor of A_O S A_Oᵀ + εI (k×k). W = L⁻¹ A_O S (the posterior covariance of u is
   * S − WᵀW) and Y = W Aᵀ are not kept: they are rebuilt from L into the workspace when a new do()
   * set needs them (`carry`).
   */
  l: Float64Array;
  /** Posterior sd of the exogenous terms. */
  uSd: Float64Array;
  /** Posterior variance of every node in the factual world (observed nodes: 0). */
  xVar: Float64Array;
  /** Counterfactual variance per do()-set, keyed like the program's mutilated-variance cache. */
  cfVar: BoundedCache<Float64Array>;
}

export interface Posterior {
  structure: EvidenceStructure;
  /** Posterior mean of the exogenous terms. */
  uMean: Float64Array;
  /** Posterior mean of every node in the factual world (observed nodes: exactly their evidence). */
  xMean: Float64Array;
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

/**
 * The covariance side of conditioning on `observed` (cached per observed set). Work is spent only
 * where A is not zero: G sums over the non-zeros of rows of A, node j's column of W starts at the
 * first observed node it reaches, and W and Y are stored node by node so that carrying them through
 * the mechanisms is one contiguous loop of k per edge.
 */
export function evidenceStructure(p: Program, observed: Int32Array, key: string): EvidenceStructure {
  requireLinear(p);
  const cache = p.cache.evidence as BoundedCache<EvidenceStructure>;
  const hit = cache.get(key);
  if (hit) return hit;
  const ws = workspace(p);
  const n = p.n;
  const k = observed.length;
  const a = totalEffect(p);
  const rows = effectRows(p);
  const s = p.noiseVar;
  const l = structureArray(k * k);
  const uSd = structureArray(n);
  const xVar = structureArray(n);

  // G = A_O S A_Oᵀ (k×k, scratch): the sum over j runs over the non-zeros of row observed[c].
  if (ws.gram.length < k * k) ws.gram = new Float64Array(k * k);
  const g = ws.gram;
  let trace = 0;
  for (let r = 0; r < k; r++) {
    const ro = observed[r]! * n;
    for (let c = 0; c <= r; c++) {
      const oc = observed[c]!; // ≤ observed[r]
      let sum = 0;
      for (let e = rows.ptr[oc]!, end = rows.ptr[oc + 1]!; e < end; e++) {
        const j = rows.idx[e]!;
        sum += a[ro + j]! * rows.val[e]! * s[j]!;
      }
      g[r * k + c] = sum;
      g[c * k + r] = sum;
    }
    trace += g[r * k + r]!;
  }
  factorWithJitter(g, l, k, trace, p, observed);

  const st: EvidenceStructure = { observed, l, uSd, xVar, cfVar: new BoundedCache(64) };
  carry(p, ws, st, uSd, xVar);
  for (let r = 0; r < k; r++) xVar[observed[r]!] = 0;
  return cache.set(key, st);
}

/**
 * W = L⁻¹ A_O S and Y = W Aᵀ of a structure into the workspace (`ws.w`, `ws.y`, both n×k: node j's k
 * entries together, so that carrying W through the mechanisms is one contiguous loop of k per edge).
 * With `uSd` and `xVar` given, also the posterior sd of every exogenous term, √(s_j − Σ_r W[r,j]²),
 * and the factual posterior variance of every node, diag(A S Aᵀ) − Σ_r Y[r,i]² (at least 0).
 */
function carry(
  p: Program,
  ws: Workspace,
  st: EvidenceStructure,
  uSd: Float64Array | null,
  xVar: Float64Array | null,
): void {
  const { observed, l } = st;
  const n = p.n;
  const k = observed.length;
  const rows = effectRows(p);
  const s = p.noiseVar;
  if (ws.w.length < n * k) {
    ws.w = new Float64Array(n * k);
    ws.y = new Float64Array(n * k);
  }
  const { w, y } = ws;
  ws.carried = st;
  // Column j of W solves L w_j = (A[o_r, j] s_j)_r. Rows before the first observed node that j
  // reaches are zero, so each solve starts there.
  const first = ws.slot;
  first.fill(k);
  w.fill(0, 0, n * k);
  for (let r = 0; r < k; r++) {
    const o = observed[r]!;
    for (let e = rows.ptr[o]!, end = rows.ptr[o + 1]!; e < end; e++) {
      const j = rows.idx[e]!;
      w[j * k + r] = rows.val[e]! * s[j]!;
      if (first[j] === k) first[j] = r;
    }
  }
  for (let j = 0; j < n; j++) {
    const f = first[j]!;
    const col = j * k;
    let v = s[j]!;
    for (let i = f; i < k; i++) {
      let sum = w[col + i]!;
      for (let q = f; q < i; q++) sum -= l[i * k + q]! * w[col + q]!;
      const x = sum / l[i * k + i]!;
      w[col + i] = x;
      v -= x * x;
    }
    if (uSd) uSd[j] = Math.sqrt(Math.max(0, v));
  }
  // Y node by node in topological order.
  const prior = priorMoments(p).variance;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    for (let r = 0; r < k; r++) y[row + r] = w[row + r]!;
    for (let e = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; e < end; e++) {
      const weight = p.parentW[e]!;
      const prow = p.parentIdx[e]! * k;
      for (let r = 0; r < k; r++) y[row + r] = y[row + r]! + weight * y[prow + r]!;
    }
    if (xVar) {
      let v = prior[i]!;
      for (let r = 0; r < k; r++) v -= y[row + r]! * y[row + r]!;
      xVar[i] = v < 0 ? 0 : v;
    }
  }
}

/**
 * Counterfactual variance under do() on `cut` (cached per observed set and do-set): prior variance
 * of the mutilated world less the evidence's reduction, Σ_r (A' w_r)². Only the nodes the cut
 * reaches differ from the factual world, so only they are computed (from Y for their unreached
 * parents); the other entries are the factual posterior variance. `reached` must be `reachedBy(cut)`.
 */
export function counterfactualVariance(
  p: Program,
  st: EvidenceStructure,
  cut: Uint8Array,
  reached: Uint8Array,
  doKey: string,
): Float64Array {
  const hit = st.cfVar.get(doKey);
  if (hit) return hit;
  const ws = workspace(p);
  const n = p.n;
  const k = st.observed.length;
  const prior = mutilatedVariance(p, ws, cut, reached, doKey);
  const v = structureCopy(st.xVar);
  if (ws.carried !== st) carry(p, ws, st, null, null);
  const { w, y } = ws;
  // Y' = W A'ᵀ at the reached nodes (scratch rows of k), Y at the others.
  if (ws.rows.length < n * k) ws.rows = new Float64Array(n * k);
  const yc = ws.rows;
  for (let i = 0; i < n; i++) {
    if (!reached[i]) continue;
    const row = i * k;
    let sum = prior[i]!;
    if (cut[i]) {
      for (let r = 0; r < k; r++) yc[row + r] = 0;
    } else {
      for (let r = 0; r < k; r++) yc[row + r] = w[row + r]!;
      for (let e = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; e < end; e++) {
        const weight = p.parentW[e]!;
        const parent = p.parentIdx[e]!;
        const src = reached[parent] ? yc : y;
        const prow = parent * k;
        for (let r = 0; r < k; r++) yc[row + r] = yc[row + r]! + weight * src[prow + r]!;
      }
      for (let r = 0; r < k; r++) sum -= yc[row + r]! * yc[row + r]!;
    }
    v[i] = sum < 0 ? 0 : sum;
  }
  return st.cfVar.set(doKey, v);
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
  const prior = priorMoments(p);
  const s = p.noiseVar;
  // α = G⁻¹ (x̂_O − prior mean_O) (scratch: its first k entries); μ_u = m + S A_Oᵀ α.
  const alpha = workspace(p).alpha;
  for (let r = 0; r < k; r++) alpha[r] = values[r]! - prior.mean[observed[r]!]!;
  choleskySolve(st.l, k, alpha);
  const uMean = resultCopy(p.noiseMean);
  const rows = effectRows(p);
  for (let r = 0; r < k; r++) {
    const o = observed[r]!;
    const ar = alpha[r]!;
    if (ar === 0) continue;
    for (let e = rows.ptr[o]!, end = rows.ptr[o + 1]!; e < end; e++) {
      const j = rows.idx[e]!;
      uMean[j] = uMean[j]! + s[j]! * rows.val[e]! * ar;
    }
  }
  const xMean = resultArray(n);
  for (let i = 0; i < n; i++) xMean[i] = mechanismValue(p, i, xMean) + uMean[i]!;
  for (let r = 0; r < k; r++) xMean[observed[r]!] = values[r]!;
  return { structure: st, uMean, xMean };
}

/** Cholesky factor of G + εI into `l` (k×k), ε growing ×1000 until the factorisation succeeds. */
function factorWithJitter(
  g: Float64Array,
  l: Float64Array,
  k: number,
  trace: number,
  p: Program,
  observed: Int32Array,
): void {
  const base = k > 0 ? trace / k : 0;
  let eps = EVIDENCE_JITTER * (base > 0 ? base : 1);
  for (let attempt = 0; attempt < 4; attempt++) {
    for (let e = 0; e < k * k; e++) l[e] = g[e]!;
    for (let r = 0; r < k; r++) l[r * k + r] = l[r * k + r]! + eps;
    if (cholesky(l, k)) return;
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
