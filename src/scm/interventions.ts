/**
 * Action: the caller's interventions become DO/SHIFT actions on the program.
 *
 * - `do`: x_i := value (incoming edges cut, noise dropped).
 * - `shift`: x_i := f_i(x'_parents) + u_i + value (the mechanism is kept; DoWhy's shift semantics).
 * - `structured`: do(x_i := value) on the targets V, and also do(H := h*) on their latent parents H
 *   (those the caller did not intervene on), where h* = argmin_h ‖x'_V(h) − t‖² + λ‖h − ĥ‖², x'_V(h)
 *   the counterfactual values of V had H been set to h (abducted noise kept), ĥ the factual latents.
 *   For linear mechanisms x'_V(h) is affine and one regularised least-squares step is exact; for
 *   nonlinear ones Levenberg–Marquardt iterations with central-difference Jacobians are used.
 *   This goes beyond DoWhy (which only has do and shift).
 */
import { priorMoments, type Program } from './compile.js';
import { ScmError, type ScmIssue } from './errors.js';
import { cholesky, choleskySolve } from './linalg.js';
import {
  INTERVENTION_TYPE_NAMES,
  interventionType,
  type ActionCode,
  type InterventionType,
} from './intervention-types.js';
import { DO, FROM_STRUCTURED, NONE, predict, type Actions } from './predict.js';
import { resultArray, resultCopy } from './result-arrays.js';
import { nextGeneration, workspace } from './workspace.js';

export type { InterventionType };

export interface Intervention {
  node: string;
  type: InterventionType;
  value: number;
}

/** Default λ of the structured action: small, so the latents explain most of the targets' change. */
export const DEFAULT_LAMBDA = 0.1;

export interface StructuredSolution {
  lambda: number;
  /** Latent nodes set by the structured action (program indices). */
  latents: number[];
  /** Structured target nodes (program indices). */
  targets: number[];
  /** Factual latent values ĥ. */
  from: Float64Array;
  /** Chosen latent values h*. */
  to: Float64Array;
  /**
   * Linear share matrix R (|H|×|V|, row-major) and residuals r at ĥ: h* − ĥ = R r, so the move of
   * latent h is Σ_v R[h,v] r[v], attributable to the targets. Exact for linear mechanisms.
   */
  share: Float64Array;
  residual: Float64Array;
  /** ‖x'_V(h*) − t‖ before the targets are themselves set: how far the latents alone got. */
  misfit: number;
  iterations: number;
}

export interface NormalizedInterventions {
  actions: Actions;
  /** Targets of types that move their latent parents (index, value, the action on the target), applied by `resolveStructured`. */
  structured: Array<{ index: number; value: number; action: ActionCode }>;
}

export function normalizeInterventions(p: Program, list: readonly Intervention[]): NormalizedInterventions {
  // The action arrays are scratch space owned by the program: every query starts from a clean copy.
  const ws = workspace(p);
  const { actions, stamp } = ws;
  actions.act.fill(NONE);
  actions.val.fill(0);
  actions.origin.fill(0);
  const generation = nextGeneration(ws);
  const structured: NormalizedInterventions['structured'] = [];
  let issues: ScmIssue[] | null = null;
  for (let k = 0; k < list.length; k++) {
    const iv = list[k]!;
    const idx = p.index.get(iv.node);
    if (idx === undefined) {
      (issues ??= []).push({
        path: `interventions.${k}.node`,
        node: iv.node,
        message: `intervention on unknown node "${iv.node}"; graph "${p.id}" has nodes such as ${p.ids
          .slice(0, 5)
          .map((s) => `"${s}"`)
          .join(', ')}`,
      });
      continue;
    }
    if (!Number.isFinite(iv.value)) {
      (issues ??= []).push({
        path: `interventions.${k}.value`,
        node: iv.node,
        message: `intervention on "${iv.node}" needs a finite number as its value`,
      });
      continue;
    }
    if (stamp[idx] === generation) {
      (issues ??= []).push({
        path: `interventions.${k}`,
        node: iv.node,
        message: `node "${iv.node}" is intervened on more than once; give one intervention per node`,
      });
      continue;
    }
    stamp[idx] = generation;
    const spec = interventionType(iv.type);
    if (!spec) {
      (issues ??= []).push({
        path: `interventions.${k}.type`,
        node: iv.node,
        message: `intervention type "${String(iv.type)}" on "${iv.node}" is not one of ${INTERVENTION_TYPE_NAMES.join(', ')}`,
      });
    } else if (spec.movesLatentParents) {
      structured.push({ index: idx, value: iv.value, action: spec.action });
    } else {
      actions.act[idx] = spec.action;
      actions.val[idx] = iv.value;
    }
  }
  if (issues) {
    const code = issues.some((i) => i.message.includes('unknown node')) ? 'UNKNOWN_NODE' : 'INVALID_QUERY';
    throw ScmError.fromIssues(code, issues);
  }
  return { actions, structured };
}

/**
 * Turn structured targets into DO actions on the targets and on their latent parents (in place on
 * `norm.actions`). Returns the solution, or null when there are no structured targets.
 */
export function resolveStructured(
  p: Program,
  norm: NormalizedInterventions,
  factual: Float64Array,
  u: Float64Array,
  lambda: number = DEFAULT_LAMBDA,
  maxLatentMove = Infinity,
): StructuredSolution | null {
  const { structured, actions } = norm;
  if (structured.length === 0) return null;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new ScmError('INVALID_QUERY', `lambda must be a finite number >= 0, got ${lambda}`);
  }
  const ws = workspace(p);
  const nv = structured.length;
  const targets = new Array<number>(nv);
  const t = new Float64Array(nv);
  // Targets marked in the workspace's duplicate check (a new generation: the interventions' marks are done).
  const isTarget = ws.stamp;
  const marked = nextGeneration(ws);
  // The prediction is read at the targets only: nodes after the last one (topological order) are not needed.
  let end = 0;
  for (let q = 0; q < nv; q++) {
    const v = structured[q]!.index;
    targets[q] = v;
    t[q] = structured[q]!.value;
    isTarget[v] = marked;
    if (v + 1 > end) end = v + 1;
  }
  const latents: number[] = [];
  for (const v of targets) {
    for (let k = p.parentPtr[v]!; k < p.parentPtr[v + 1]!; k++) {
      const h = p.parentIdx[k]!;
      if (
        p.kinds[h] === 'latent' &&
        actions.act[h] === NONE &&
        isTarget[h] !== marked &&
        !latents.includes(h)
      )
        latents.push(h);
    }
  }
  latents.sort((a, b) => a - b);
  const nh = latents.length;
  const from = resultArray(nh);
  for (let j = 0; j < nh; j++) from[j] = factual[latents[j]!]!;
  const h = resultCopy(from);
  const share = resultArray(nh * nv);
  const residual = resultArray(nv);
  let iterations = 0;

  if (nh > 0) {
    // Work on a copy of the caller's actions with DO on the latents; targets are not set while solving.
    const { act, val, out } = ws.solve;
    act.set(actions.act);
    val.set(actions.val);
    for (const l of latents) act[l] = DO;
    const evalV = (hv: Float64Array, res: Float64Array) => {
      for (let j = 0; j < nh; j++) val[latents[j]!] = hv[j]!;
      predict(p, factual, u, act, val, out, ws.affected, end);
      for (let q = 0; q < nv; q++) res[q] = out[targets[q]!]!;
      return res;
    };
    // Scratch of one query (pool views: cheaper than an ArrayBuffer each).
    const fx = resultArray(nv);
    const fp = resultArray(nv);
    const fm = resultArray(nv);
    const jac = resultArray(nv * nh);
    const m = resultArray(nh * nh);
    const rhs = resultArray(nh);
    const col = resultArray(nh);
    const maxIter = p.linear ? 1 : 50;
    for (let it = 0; it < maxIter; it++) {
      iterations = it + 1;
      evalV(h, fx);
      for (let j = 0; j < nh; j++) {
        const step = p.linear ? 1 : 1e-5 * Math.max(1, Math.abs(h[j]!));
        const hj = h[j]!;
        h[j] = hj + step;
        evalV(h, fp);
        if (p.linear) {
          for (let q = 0; q < nv; q++) jac[q * nh + j] = fp[q]! - fx[q]!;
        } else {
          h[j] = hj - step;
          evalV(h, fm);
          for (let q = 0; q < nv; q++) jac[q * nh + j] = (fp[q]! - fm[q]!) / (2 * step);
        }
        h[j] = hj;
      }
      const r = it === 0 ? residual : resultArray(nv);
      for (let q = 0; q < nv; q++) r[q] = t[q]! - fx[q]!;
      // (JᵀJ + λI) δ = Jᵀ r − λ (h − ĥ);  R = (JᵀJ + λI)⁻¹ Jᵀ.
      for (let a = 0; a < nh; a++) {
        for (let b = 0; b < nh; b++) {
          let s = a === b ? lambda : 0;
          for (let q = 0; q < nv; q++) s += jac[q * nh + a]! * jac[q * nh + b]!;
          m[a * nh + b] = s;
        }
      }
      if (!cholesky(m, nh)) {
        // Singular without regularisation (λ = 0 and a latent with no effect on the targets): add a tiny ridge.
        for (let a = 0; a < nh; a++) {
          for (let b = 0; b < nh; b++) {
            let s = a === b ? lambda + 1e-9 : 0;
            for (let q = 0; q < nv; q++) s += jac[q * nh + a]! * jac[q * nh + b]!;
            m[a * nh + b] = s;
          }
        }
        cholesky(m, nh);
      }
      if (it === 0) {
        for (let q = 0; q < nv; q++) {
          for (let a = 0; a < nh; a++) col[a] = jac[q * nh + a]!;
          choleskySolve(m, nh, col);
          for (let a = 0; a < nh; a++) share[a * nv + q] = col[a]!;
        }
      }
      for (let a = 0; a < nh; a++) {
        let s = -lambda * (h[a]! - from[a]!);
        for (let q = 0; q < nv; q++) s += jac[q * nh + a]! * r[q]!;
        rhs[a] = s;
      }
      choleskySolve(m, nh, rhs);
      let norm = 0;
      for (let a = 0; a < nh; a++) {
        h[a] = h[a]! + rhs[a]!;
        norm += rhs[a]! * rhs[a]!;
      }
      let size = 0;
      for (let a = 0; a < nh; a++) size += h[a]! * h[a]!;
      if (Math.sqrt(norm) < 1e-12 * (1 + Math.sqrt(size))) break;
    }
    capMoves(p, latents, from, h, share, nv, maxLatentMove);
    evalV(h, fx);
    let misfit = 0;
    for (let q = 0; q < nv; q++) misfit += (t[q]! - fx[q]!) ** 2;
    for (let j = 0; j < nh; j++) {
      actions.act[latents[j]!] = DO;
      actions.val[latents[j]!] = h[j]!;
      actions.origin[latents[j]!] = FROM_STRUCTURED;
    }
    for (let q = 0; q < nv; q++) {
      actions.act[targets[q]!] = structured[q]!.action;
      actions.val[targets[q]!] = t[q]!;
    }
    return { lambda, latents, targets, from, to: h, share, residual, misfit: Math.sqrt(misfit), iterations };
  }

  for (let q = 0; q < nv; q++) {
    actions.act[targets[q]!] = structured[q]!.action;
    actions.val[targets[q]!] = t[q]!;
    residual[q] = t[q]! - factual[targets[q]!]!;
  }
  return { lambda, latents, targets, from, to: h, share, residual, misfit: 0, iterations: 0 };
}

/**
 * Cap the structured action: no latent moves more than `maxSd` of its prior sd from its factual value
 * (the larger move the targets ask for is cut to the cap). The share row of a capped latent is scaled
 * by the same factor, so h* − ĥ = R r still holds and the explanation's contributions still add up.
 */
function capMoves(
  p: Program,
  latents: readonly number[],
  from: Float64Array,
  h: Float64Array,
  share: Float64Array,
  nv: number,
  maxSd: number,
): void {
  if (!(maxSd < Infinity)) return;
  const variance = priorMoments(p).variance;
  latents.forEach((l, j) => {
    const cap = maxSd * Math.sqrt(variance[l]!);
    const move = h[j]! - from[j]!;
    if (Math.abs(move) <= cap) return;
    const scale = cap / Math.abs(move);
    h[j] = from[j]! + move * scale;
    for (let q = 0; q < nv; q++) share[j * nv + q] = share[j * nv + q]! * scale;
  });
}
