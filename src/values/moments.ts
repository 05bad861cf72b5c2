/**
 * Model-implied means and covariances of a linear-Gaussian graph: x = B x + c + u with independent
 * exogenous terms (a root's value has its prior mean and sd; a linear node's noise has mean 0 and its
 * noiseSd). Computed node by node in topological order:
 *   mean_i = c_i + Σ_j b_ij mean_j,   cov(i, k) = Σ_j b_ij cov(j, k) (k before i),
 *   var_i  = Σ_j Σ_l b_ij b_il cov(j, l) + noiseSd_i².
 */
import type { GraphFile } from '../../schemas/graph.js';
import { loadGraph } from '../scm/index.js';

export interface ImpliedMoments {
  /** Node ids in topological order. */
  ids: string[];
  mean: Record<string, number>;
  /** Covariance, indexed like `ids`. */
  cov: number[][];
}

export function impliedMoments(file: GraphFile): ImpliedMoments {
  const { order, parents, nodes } = loadGraph(file);
  const index = new Map(order.map((id, i) => [id, i]));
  const n = order.length;
  const cov: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const mean: Record<string, number> = {};
  order.forEach((id, i) => {
    const m = nodes.get(id)!.mechanism;
    if (m.type === 'root') {
      mean[id] = m.mean;
      cov[i]![i] = m.sd * m.sd;
      return;
    }
    if (m.type !== 'linear') throw new Error(`node "${id}": implied moments need linear mechanisms`);
    const pa = parents.get(id)!.map((p) => ({ j: index.get(p)!, b: m.coefficients[p]! }));
    mean[id] = m.intercept + pa.reduce((s, { j, b }) => s + b * mean[order[j]!]!, 0);
    for (let k = 0; k < i; k++) {
      let s = 0;
      for (const { j, b } of pa) s += b * cov[j]![k]!;
      cov[i]![k] = s;
      cov[k]![i] = s;
    }
    let v = m.noiseSd * m.noiseSd;
    for (const { j, b } of pa) for (const { j: l, b: c } of pa) v += b * c * cov[j]![l]!;
    cov[i]![i] = v;
  });
  return { ids: order, mean, cov };
}

/** The implied correlation matrix of the listed nodes (in that order). */
export function impliedCorrelation(file: GraphFile, ids: readonly string[]): number[][] {
  const m = impliedMoments(file);
  const index = new Map(m.ids.map((id, i) => [id, i]));
  const at = ids.map((id) => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`no node "${id}" in graph ${file.id}`);
    return i;
  });
  return at.map((i, a) =>
    at.map((j, b) => (a === b ? 1 : m.cov[i]![j]! / Math.sqrt(m.cov[i]![i]! * m.cov[j]![j]!))),
  );
}
