/**
 * An independent Gaussian oracle for the attributor: the joint normal distribution of every node of a
 * linear graph file plus the documented absence readings, conditioned with mathjs dense algebra on the
 * documented evidence. Shares no code with src/ (it reads the graph file only).
 */
import { inv, matrix, multiply, subtract, transpose, type Matrix } from 'mathjs';
import type { GraphFile } from '../../schemas/graph.js';

export interface Joint {
  ids: string[];
  index: Map<string, number>;
  mean: number[];
  cov: number[][];
}

/** Mean and covariance of every node, by recursion in topological order. */
export function jointOf(file: GraphFile): Joint {
  const pending = [...file.nodes];
  const order: GraphFile['nodes'] = [];
  const placed = new Set<string>();
  while (pending.length) {
    const i = pending.findIndex((n) => {
      const m = n.mechanism;
      return (
        m.type === 'root' ||
        Object.keys((m as { coefficients: object }).coefficients).every((p) => placed.has(p))
      );
    });
    if (i < 0) throw new Error('oracle: not a linear DAG');
    const [n] = pending.splice(i, 1);
    order.push(n!);
    placed.add(n!.id);
  }
  const ids = order.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const mean = new Array<number>(n).fill(0);
  const cov = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  order.forEach((node, i) => {
    const m = node.mechanism;
    if (m.type === 'root') {
      mean[i] = m.mean;
      cov[i]![i] = m.sd * m.sd;
      return;
    }
    if (m.type !== 'linear') throw new Error('oracle: linear mechanisms only');
    const parents = Object.entries(m.coefficients).map(([p, w]) => [index.get(p)!, w] as const);
    mean[i] = m.intercept + parents.reduce((s, [j, w]) => s + w * mean[j]!, 0);
    for (let k = 0; k < i; k++) {
      const c = parents.reduce((s, [j, w]) => s + w * cov[j]![k]!, 0);
      cov[i]![k] = c;
      cov[k]![i] = c;
    }
    let v = m.noiseSd * m.noiseSd;
    for (const [j, wj] of parents) for (const [l, wl] of parents) v += wj * wl * cov[j]![l]!;
    cov[i]![i] = v;
  });
  return { ids, index, mean, cov };
}

/** Add a leaf `id = parent + e`, e ~ N(0, sd²). */
export function addReading(j: Joint, id: string, parent: string, sd: number): void {
  const p = j.index.get(parent)!;
  const n = j.ids.length;
  j.ids.push(id);
  j.index.set(id, n);
  j.mean.push(j.mean[p]!);
  for (let k = 0; k < n; k++) j.cov[k]!.push(j.cov[p]![k]!);
  j.cov.push([...j.cov[p]!.slice(0, n), j.cov[p]![p]! + sd * sd]);
}

/** Posterior mean and sd of `targets` given exact evidence on some nodes. */
export function condition(
  j: Joint,
  evidence: Record<string, number>,
  targets: string[],
): Record<string, { mean: number; sd: number }> {
  const o = Object.keys(evidence).map((id) => j.index.get(id)!);
  const t = targets.map((id) => j.index.get(id)!);
  const out: Record<string, { mean: number; sd: number }> = {};
  if (o.length === 0) {
    targets.forEach((id, a) => (out[id] = { mean: j.mean[t[a]!]!, sd: Math.sqrt(j.cov[t[a]!]![t[a]!]!) }));
    return out;
  }
  const soo = matrix(o.map((r) => o.map((c) => j.cov[r]![c]!)));
  const sto = matrix(t.map((r) => o.map((c) => j.cov[r]![c]!)));
  const resid = matrix(Object.keys(evidence).map((id, k) => [evidence[id]! - j.mean[o[k]!]!]));
  const gain = multiply(sto, inv(soo)) as Matrix;
  const shift = (multiply(gain, resid) as Matrix).toArray() as number[][];
  const reduce = (multiply(gain, transpose(sto)) as Matrix).toArray() as number[][];
  const stt = matrix(t.map((r) => t.map((c) => j.cov[r]![c]!)));
  const post = (subtract(stt, reduce) as Matrix).toArray() as number[][];
  targets.forEach((id, a) => {
    out[id] = { mean: j.mean[t[a]!]! + shift[a]![0]!, sd: Math.sqrt(Math.max(0, post[a]![a]!)) };
  });
  return out;
}
