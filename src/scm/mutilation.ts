/**
 * The world mutilated by do(): which nodes a set of do() actions reaches, and the prior variance of
 * those nodes once their incoming edges are cut. A node no cut node reaches keeps its row of
 * A = (I − B)⁻¹ and so its prior variance; only the rows of the reached nodes are recomputed, from
 * their parents' rows (the cached A for a parent that is not reached), in topological order.
 */
import { priorMoments, totalEffect, type Program } from './compile.js';
import { structureCopy } from './result-arrays.js';
import type { Workspace } from './workspace.js';

/** Nodes at or downstream of a marked node (topological order), into `out`; returns how many. */
export function reachedBy(p: Program, marked: Uint8Array, out: Uint8Array): number {
  out.set(marked);
  let count = 0;
  for (let i = 0; i < p.n; i++) {
    if (!out[i]) {
      for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++) {
        if (out[p.parentIdx[k]!]) {
          out[i] = 1;
          break;
        }
      }
    }
    count += out[i]!;
  }
  return count;
}

/**
 * Prior variance of every node in the world mutilated by do() on `cut` (cached by the set): a cut
 * node has none, a node reached by the cut Σ_j A'[i,j]² s_j over its recomputed row of A', any other
 * node its prior variance. `reached` must be `reachedBy(cut)`.
 */
export function mutilatedVariance(
  p: Program,
  ws: Workspace,
  cut: Uint8Array,
  reached: Uint8Array,
  key: string,
): Float64Array {
  const cache = p.cache.mutilatedVar;
  const hit = cache.get(key);
  if (hit) return hit;
  const n = p.n;
  const a = totalEffect(p);
  const s = p.noiseVar;
  const v = structureCopy(priorMoments(p).variance);
  // Row slot of each reached node in the scratch rows (−1: not reached, read the row of A).
  const slot = ws.slot;
  let rows = 0;
  for (let i = 0; i < n; i++) slot[i] = reached[i] && !cut[i] ? rows++ : -1;
  if (ws.rows.length < rows * n) ws.rows = new Float64Array(rows * n);
  const buf = ws.rows;
  for (let i = 0; i < n; i++) {
    if (!reached[i]) continue;
    if (cut[i]) {
      v[i] = 0;
      continue;
    }
    // The same recursion as `mutilatedEffect`: e_i plus the weighted rows of the parents.
    const row = slot[i]! * n;
    buf.fill(0, row, row + i + 1);
    buf[row + i] = 1;
    for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++) {
      const w = p.parentW[k]!;
      if (w === 0) continue;
      const parent = p.parentIdx[k]!;
      if (reached[parent] && cut[parent]) continue; // a set node's row is 0
      const src = slot[parent]! >= 0 ? buf : a;
      const prow = slot[parent]! >= 0 ? slot[parent]! * n : parent * n;
      for (let j = 0; j <= parent; j++) buf[row + j] = buf[row + j]! + w * src[prow + j]!;
    }
    let sum = 0;
    for (let j = 0; j <= i; j++) {
      const x = buf[row + j]!;
      sum += x * x * s[j]!;
    }
    v[i] = sum;
  }
  return cache.set(key, v);
}
