/**
 * An independent matrix oracle for linear SCMs, written with mathjs dense algebra: the closed forms
 * x = (I − B)⁻¹ (c + u) and Gaussian conditioning of the twin network. Shares no code with src/scm.
 */
import fc from 'fast-check';
import { identity, inv, matrix, multiply, subtract, transpose, type Matrix } from 'mathjs';
import type { GraphFile } from '../../schemas/graph.js';

export interface RandomLinear {
  n: number;
  names: string[];
  /** parents[i] = list of [j, weight], j < i */
  parents: Array<Array<[number, number]>>;
  intercept: number[];
  noiseSd: number[];
  rootMean: number[];
  /** A full factual row. */
  row: number[];
}

export const randomLinear = (maxNodes = 10): fc.Arbitrary<RandomLinear> =>
  fc.integer({ min: 2, max: maxNodes }).chain((n) =>
    fc
      .record({
        adj: fc.array(
          fc.array(fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { freq: 2 }), {
            minLength: n,
            maxLength: n,
          }),
          {
            minLength: n,
            maxLength: n,
          },
        ),
        intercept: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
        noiseSd: fc.array(fc.double({ min: 0.2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
        rootMean: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
        row: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
      })
      .map(({ adj, intercept, noiseSd, rootMean, row }) => {
        const parents: Array<Array<[number, number]>> = [];
        for (let i = 0; i < n; i++) {
          const list: Array<[number, number]> = [];
          for (let j = 0; j < i; j++) {
            const w = adj[i]![j];
            if (w !== null && w !== undefined) list.push([j, w]);
          }
          parents.push(list);
        }
        return {
          n,
          names: Array.from({ length: n }, (_, i) => `N${i}`),
          parents,
          intercept,
          noiseSd,
          rootMean,
          row,
        };
      }),
  );

/** The graph file, with nodes declared in a shuffled order so the engine must sort them itself. */
export function toGraph(g: RandomLinear): GraphFile {
  const order = g.names.map((_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13) || a - b);
  return {
    id: 'random',
    version: '1',
    nodes: order.map((i) => {
      const name = g.names[i]!;
      const pa = g.parents[i]!;
      return {
        id: name,
        kind: 'value' as const,
        label: name,
        mechanism:
          pa.length === 0
            ? { type: 'root' as const, mean: g.rootMean[i]!, sd: g.noiseSd[i]! }
            : {
                type: 'linear' as const,
                intercept: g.intercept[i]!,
                coefficients: Object.fromEntries(pa.map(([j, w]) => [g.names[j]!, w])),
                noiseSd: g.noiseSd[i]!,
              },
      };
    }),
    edges: g.parents.flatMap((pa, i) => pa.map(([j]) => [g.names[j]!, g.names[i]!] as [string, string])),
  };
}

export type Act = { node: number; type: 'do' | 'shift'; value: number };

function bMatrix(g: RandomLinear, cut: Set<number> = new Set()): number[][] {
  const b = Array.from({ length: g.n }, () => new Array<number>(g.n).fill(0));
  g.parents.forEach((pa, i) => {
    if (cut.has(i)) return;
    for (const [j, w] of pa) b[i]![j] = w;
  });
  return b;
}

function cVector(g: RandomLinear): number[] {
  return g.parents.map((pa, i) => (pa.length === 0 ? 0 : g.intercept[i]!));
}

/** (I − B)⁻¹ via mathjs. */
export function totalEffect(g: RandomLinear, cut: Set<number> = new Set()): number[][] {
  const m = subtract(identity(g.n), matrix(bMatrix(g, cut))) as Matrix;
  return (inv(m) as Matrix).toArray() as number[][];
}

/** Full-evidence counterfactual by the closed form x' = (I − B')⁻¹ (c' + M û). */
export function oracleCounterfactual(g: RandomLinear, row: number[], acts: Act[]): number[] {
  const b = bMatrix(g);
  const c = cVector(g);
  const u = row.map((x, i) => x - c[i]! - b[i]!.reduce((s, w, j) => s + w * row[j]!, 0));
  const doSet = new Set(acts.filter((a) => a.type === 'do').map((a) => a.node));
  const cPrime = c.map((ci, i) => ci + u[i]!);
  for (const a of acts) {
    if (a.type === 'do') cPrime[a.node] = a.value;
    else cPrime[a.node] = cPrime[a.node]! + a.value;
  }
  const a = totalEffect(g, doSet);
  return (multiply(matrix(a), matrix(cPrime)) as Matrix).toArray() as number[];
}

/**
 * Partial evidence via Gaussian conditioning of the twin network z = [x_O; x'] = L u + l0,
 * u ~ N(m, S): returns the conditional mean and sd of x' (and of x, the factual world).
 */
export function oracleTwin(g: RandomLinear, observed: Map<number, number>, acts: Act[]) {
  const n = g.n;
  const c = cVector(g);
  const m = g.parents.map((pa, i) => (pa.length === 0 ? g.rootMean[i]! : 0));
  const s = g.noiseSd.map((x) => x * x);
  const a = totalEffect(g);
  const doSet = new Set(acts.filter((x) => x.type === 'do').map((x) => x.node));
  const ap = totalEffect(g, doSet);
  const cPrime = [...c];
  for (const x of acts) {
    if (x.type === 'do') cPrime[x.node] = x.value;
    else cPrime[x.node] = cPrime[x.node]! + x.value;
  }
  // x' = A'(c' + M u): loading of u is A' M.
  const apm = ap.map((row) => row.map((v, j) => (doSet.has(j) ? 0 : v)));
  const obs = [...observed.keys()];
  const rows = [...obs.map((o) => a[o]!), ...apm, ...a];
  const offsets = [
    ...obs.map((o) => a[o]!.reduce((t, v, j) => t + v * (c[j]! + m[j]!), 0)),
    ...apm.map(
      (row, i) =>
        ap[i]!.reduce((t, v, j) => t + v * cPrime[j]!, 0) + row.reduce((t, v, j) => t + v * m[j]!, 0),
    ),
    ...a.map((row) => row.reduce((t, v, j) => t + v * (c[j]! + m[j]!), 0)),
  ];
  const L = matrix(rows);
  const S = matrix(s.map((v, i) => s.map((_, j) => (i === j ? v : 0))));
  const cov = (multiply(multiply(L, S), transpose(L)) as Matrix).toArray() as number[][];
  const k = obs.length;
  const total = rows.length;
  const idxO = Array.from({ length: k }, (_, i) => i);
  const idxR = Array.from({ length: total - k }, (_, i) => i + k);
  const sub = (r: number[], q: number[]) => r.map((i) => q.map((j) => cov[i]![j]!));
  const resid = obs.map((o, i) => observed.get(o)! - offsets[i]!);
  let mean = idxR.map((i) => offsets[i]!);
  let variance = idxR.map((i) => cov[i]![i]!);
  if (k > 0) {
    const soo = inv(matrix(sub(idxO, idxO))) as Matrix;
    const sro = matrix(sub(idxR, idxO));
    const gain = multiply(sro, soo) as Matrix;
    const shift = (multiply(gain, matrix(resid)) as Matrix).toArray() as number[];
    mean = mean.map((v, i) => v + shift[i]!);
    const reduce = (multiply(gain, transpose(sro)) as Matrix).toArray() as number[][];
    variance = variance.map((v, i) => v - reduce[i]![i]!);
  }
  const sd = variance.map((v) => Math.sqrt(Math.max(0, v)));
  return {
    cfMean: mean.slice(0, n),
    cfSd: sd.slice(0, n),
    factualMean: mean.slice(n),
    factualSd: sd.slice(n),
  };
}

/** Descendants of a set of nodes (including themselves). */
export function descendants(g: RandomLinear, from: number[]): Set<number> {
  const out = new Set(from);
  for (let i = 0; i < g.n; i++) if (g.parents[i]!.some(([j]) => out.has(j))) out.add(i);
  return out;
}
