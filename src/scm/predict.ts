/**
 * Prediction: recompute every node in topological order from the abducted noise under a set of
 * actions. Nodes that no action reaches keep their factual value exactly (DoWhy's convention), so an
 * empty intervention returns the factual row bit for bit.
 */
import { mechanismValue, type Program } from './compile.js';
import { CUTS_EDGES, DO, NONE, SHIFT } from './intervention-types.js';

// The action codes live with the table of what each does (variance, explanation): intervention-types.ts.
export { DO, NONE, SHIFT } from './intervention-types.js';

/** Where an applied action came from. */
export const FROM_CALLER = 0;
export const FROM_STRUCTURED = 1;

export interface Actions {
  /** NONE, DO or SHIFT per node. */
  act: Uint8Array;
  /** The do() value or the shift amount per node. */
  val: Float64Array;
  /** FROM_CALLER or FROM_STRUCTURED (a latent set by a structured intervention). */
  origin: Uint8Array;
}

export function emptyActions(n: number): Actions {
  return { act: new Uint8Array(n), val: new Float64Array(n), origin: new Uint8Array(n) };
}

export function cloneActions(a: Actions): Actions {
  return { act: a.act.slice(), val: a.val.slice(), origin: a.origin.slice() };
}

/** Indices of the nodes an action applies to, in topological order. */
export function actionIndices(a: Actions): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.act.length; i++) if (a.act[i] !== NONE) out.push(i);
  return out;
}

/**
 * x' = prediction under `act`/`val` with exogenous terms `u`; `factual` supplies the value of every
 * node no action reaches. `affected` (optional) receives 1 for the nodes that were recomputed.
 * `end` (default: every node) stops after the first `end` nodes in topological order: they get the
 * same values as in a whole prediction (a node depends only on the nodes before it); the rest of `out`
 * and `affected` is left as it was.
 */
export function predict(
  p: Program,
  factual: Float64Array,
  u: Float64Array,
  act: Uint8Array,
  val: Float64Array,
  out: Float64Array,
  affected: Uint8Array = new Uint8Array(p.n),
  end: number = p.n,
): Float64Array {
  const { parentPtr, parentIdx } = p;
  for (let i = 0; i < end; i++) {
    const a = act[i];
    if (a === DO) {
      out[i] = val[i]!;
      affected[i] = 1;
      continue;
    }
    let hit = a === SHIFT;
    if (!hit) {
      for (let k = parentPtr[i]!, last = parentPtr[i + 1]!; k < last; k++) {
        if (affected[parentIdx[k]!]) {
          hit = true;
          break;
        }
      }
    }
    if (!hit) {
      out[i] = factual[i]!;
      affected[i] = 0;
      continue;
    }
    out[i] = mechanismValue(p, i, out) + u[i]! + (a === SHIFT ? val[i]! : 0);
    affected[i] = 1;
  }
  return out;
}

/**
 * Propagate a unit impulse at node `start` through the linear mechanisms of the world mutilated by
 * the DO actions (their incoming edges are cut): y = column `start` of (I − B')⁻¹.
 */
export function impulse(p: Program, act: Uint8Array, start: number, y: Float64Array): Float64Array {
  y.fill(0);
  y[start] = 1;
  for (let i = start + 1; i < p.n; i++) {
    if (CUTS_EDGES[act[i]!]) continue;
    let s = 0;
    for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++)
      s += p.parentW[k]! * y[p.parentIdx[k]!]!;
    y[i] = s;
  }
  return y;
}
