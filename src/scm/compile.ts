/**
 * Compile a loaded graph once into a topologically ordered program over typed arrays. Node i of the
 * program is the i-th node in topological order; parents are stored in CSR form. Queries never walk
 * the graph object again.
 */
import type { GraphFile, NodeKind } from '../../schemas/graph.js';
import { BoundedCache } from './bounded-cache.js';
import { closeExpression, translateExpression, type CompiledExpression } from './expression.js';
import { loadGraph, type LoadedGraph } from './graph.js';
import type { Workspace } from './workspace.js';

export const ROOT = 0;
export const LINEAR = 1;
export const EXPRESSION = 2;

export interface Program {
  readonly id: string;
  readonly version: string;
  readonly graph: GraphFile;
  /** Number of nodes. */
  readonly n: number;
  /** Node ids in topological order; position = program index. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly kinds: readonly NodeKind[];
  /** ROOT, LINEAR or EXPRESSION per node. */
  readonly mech: Uint8Array;
  /** Intercept c_i of linear mechanisms (0 for roots and expressions). */
  readonly intercept: Float64Array;
  /** Prior mean of the exogenous term: a root's mean, 0 otherwise. */
  readonly noiseMean: Float64Array;
  /** Prior variance of the exogenous term: a root's sd², a mechanism's noiseSd². */
  readonly noiseVar: Float64Array;
  readonly parentPtr: Int32Array;
  readonly parentIdx: Int32Array;
  /** Linear coefficient per parent entry (0 for expression mechanisms). */
  readonly parentW: Float64Array;
  readonly childPtr: Int32Array;
  readonly childIdx: Int32Array;
  readonly childW: Float64Array;
  readonly expr: ReadonlyArray<CompiledExpression | null>;
  /** True when every mechanism is linear (partial evidence and path explanations need it). */
  readonly linear: boolean;
  /** Lazily filled caches of query-independent quantities (linear graphs only). */
  readonly cache: ProgramCache;
}

export interface ProgramCache {
  /** A = (I − B)⁻¹, row-major n×n: A[i·n + j] = ∂x_i/∂u_j. */
  totalEffect?: Float64Array;
  /** The non-zero entries of each row of A (a node's ancestors and itself), in CSR form. */
  effectRows?: EffectRows;
  /** Prior mean of every node, A (c + m). */
  priorMean?: Float64Array;
  /** Prior variance of every node, diag(A S Aᵀ). */
  priorVar?: Float64Array;
  /** Prior variance of every node in the world mutilated by do() on a set of nodes, keyed by the set. */
  mutilatedVar: BoundedCache<Float64Array>;
  /**
   * Everything about partial evidence that depends only on which nodes are observed, not on their
   * values (Cholesky factor, posterior covariance terms), keyed by the observed set.
   */
  evidence: BoundedCache<unknown>;
  /** The graph's scale (magnitude.ts): the largest prior mean or noise sd of a node. */
  scale?: number;
  /** Per-query scratch space reused between queries (queries are synchronous, never re-entrant). */
  scratch?: Workspace;
}

/** Sparse rows of A = (I − B)⁻¹: row i lists j ascending with A[i,j] ≠ 0 (j ≤ i: ancestors and i). */
export interface EffectRows {
  ptr: Int32Array;
  idx: Int32Array;
  /** A[i, idx[e]] for e in ptr[i]..ptr[i+1]. */
  val: Float64Array;
}

/** Entries kept by each per-program cache (observed sets, do() sets). */
export const PROGRAM_CACHE_SIZE = 256;

/** Compile a graph definition (validated by `loadGraph` if it is not already loaded). */
export function compile(input: LoadedGraph | unknown): Program {
  const loaded = isLoaded(input) ? input : loadGraph(input);
  const { order, parents, nodes, file } = loaded;
  const n = order.length;
  const index = new Map<string, number>();
  order.forEach((id, i) => index.set(id, i));

  const mech = new Uint8Array(n);
  const intercept = new Float64Array(n);
  const noiseMean = new Float64Array(n);
  const noiseVar = new Float64Array(n);
  const parentPtr = new Int32Array(n + 1);
  const kinds: NodeKind[] = [];
  const expr: Array<CompiledExpression | null> = [];
  let edgeCount = 0;
  for (const id of order) edgeCount += parents.get(id)!.length;
  const parentIdx = new Int32Array(edgeCount);
  const parentW = new Float64Array(edgeCount);
  let linear = true;
  let e = 0;
  order.forEach((id, i) => {
    const node = nodes.get(id)!;
    const m = node.mechanism;
    kinds.push(node.kind);
    parentPtr[i] = e;
    const pa = parents.get(id)!;
    for (const p of pa) {
      parentIdx[e] = index.get(p)!;
      parentW[e] = m.type === 'linear' ? m.coefficients[p]! : 0;
      e++;
    }
    if (m.type === 'root') {
      mech[i] = ROOT;
      noiseMean[i] = m.mean;
      noiseVar[i] = m.sd * m.sd;
      expr.push(null);
    } else if (m.type === 'linear') {
      mech[i] = LINEAR;
      intercept[i] = m.intercept;
      noiseVar[i] = m.noiseSd * m.noiseSd;
      expr.push(null);
    } else {
      mech[i] = EXPRESSION;
      linear = false;
      noiseVar[i] = m.noiseSd * m.noiseSd;
      const { source } = translateExpression(
        m.expression,
        (s) => (pa.includes(s) ? index.get(s) : undefined),
        (s) => index.has(s),
      );
      expr.push(closeExpression(source));
    }
  });
  parentPtr[n] = e;

  // Children in CSR form, from the parent lists.
  const childCount = new Int32Array(n);
  for (let k = 0; k < edgeCount; k++) childCount[parentIdx[k]!]!++;
  const childPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childPtr[i + 1] = childPtr[i]! + childCount[i]!;
  const fill = childPtr.slice(0, n);
  const childIdx = new Int32Array(edgeCount);
  const childW = new Float64Array(edgeCount);
  for (let i = 0; i < n; i++) {
    for (let k = parentPtr[i]!; k < parentPtr[i + 1]!; k++) {
      const p = parentIdx[k]!;
      const slot = fill[p]!++;
      childIdx[slot] = i;
      childW[slot] = parentW[k]!;
    }
  }

  return {
    id: file.id,
    version: file.version,
    graph: file,
    n,
    ids: order,
    index,
    kinds,
    mech,
    intercept,
    noiseMean,
    noiseVar,
    parentPtr,
    parentIdx,
    parentW,
    childPtr,
    childIdx,
    childW,
    expr,
    linear,
    cache: {
      mutilatedVar: new BoundedCache(PROGRAM_CACHE_SIZE),
      evidence: new BoundedCache(PROGRAM_CACHE_SIZE),
    },
  };
}

function isLoaded(x: unknown): x is LoadedGraph {
  return typeof x === 'object' && x !== null && 'order' in x && 'parents' in x;
}

/** f_i(x): the deterministic part of node i's mechanism given the current values of its parents. */
export function mechanismValue(p: Program, i: number, x: Float64Array): number {
  const kind = p.mech[i];
  if (kind === LINEAR) {
    let s = p.intercept[i]!;
    for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++)
      s += p.parentW[k]! * x[p.parentIdx[k]!]!;
    return s;
  }
  if (kind === EXPRESSION) return p.expr[i]!(x);
  return 0;
}

/** A = (I − B)⁻¹ for a linear program, computed row by row in topological order and cached. */
export function totalEffect(p: Program): Float64Array {
  if (p.cache.totalEffect) return p.cache.totalEffect;
  const a = mutilatedEffect(p, null);
  p.cache.totalEffect = a;
  return a;
}

/** The non-zero entries of A by row (cached): sums over a row of A skip its zeros. */
export function effectRows(p: Program): EffectRows {
  if (p.cache.effectRows) return p.cache.effectRows;
  const n = p.n;
  const a = totalEffect(p);
  let count = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) if (a[i * n + j] !== 0) count++;
  const ptr = new Int32Array(n + 1);
  const idx = new Int32Array(count);
  const val = new Float64Array(count);
  let e = 0;
  for (let i = 0; i < n; i++) {
    ptr[i] = e;
    for (let j = 0; j <= i; j++) {
      const v = a[i * n + j]!;
      if (v === 0) continue;
      idx[e] = j;
      val[e++] = v;
    }
  }
  ptr[n] = e;
  return (p.cache.effectRows = { ptr, idx, val });
}

/**
 * Rows of (I − B')⁻¹ M for the world where the nodes in `cut` are set by do(): a cut node's row is 0
 * (its value no longer depends on any exogenous term), other rows follow their mechanism.
 */
export function mutilatedEffect(p: Program, cut: Uint8Array | null): Float64Array {
  const n = p.n;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (cut && cut[i]) continue;
    const row = i * n;
    a[row + i] = 1;
    for (let k = p.parentPtr[i]!, end = p.parentPtr[i + 1]!; k < end; k++) {
      const w = p.parentW[k]!;
      if (w === 0) continue;
      const prow = p.parentIdx[k]! * n;
      for (let j = 0; j <= i; j++) a[row + j] = a[row + j]! + w * a[prow + j]!;
    }
  }
  return a;
}

function effectVariance(p: Program, a: Float64Array): Float64Array {
  const n = p.n;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j <= i; j++) {
      const x = a[row + j]!;
      s += x * x * p.noiseVar[j]!;
    }
    v[i] = s;
  }
  return v;
}

/** Prior mean A (c + m) and prior variance diag(A S Aᵀ) of every node (linear programs). */
export function priorMoments(p: Program): { mean: Float64Array; variance: Float64Array } {
  if (!p.cache.priorMean || !p.cache.priorVar) {
    const mean = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) mean[i] = mechanismValue(p, i, mean) + p.noiseMean[i]!;
    p.cache.priorMean = mean;
    p.cache.priorVar = effectVariance(p, totalEffect(p));
  }
  return { mean: p.cache.priorMean, variance: p.cache.priorVar! };
}
