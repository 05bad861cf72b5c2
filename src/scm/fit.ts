/**
 * Fitting: least squares per node from a data table. For every linear node with data for it and all
 * its parents: coefficients and intercept by QR least squares, residual sd (n − p − 1 degrees of
 * freedom), R² and n. Root nodes get their sample mean and sd. Rows missing any needed column are
 * dropped for that node only. Expression mechanisms are left as they are.
 */
import type { GraphFile } from '../../schemas/graph.js';
import { ScmError } from './errors.js';
import { loadGraph } from './graph.js';
import { leastSquares } from './linalg.js';

/** A data table: one record per row, or columns of equal length. */
export type DataTable =
  | ReadonlyArray<Readonly<Record<string, number | null | undefined>>>
  | Readonly<Record<string, ArrayLike<number | null>>>;

export interface NodeFit {
  node: string;
  kind: 'root' | 'linear';
  n: number;
  intercept?: number;
  coefficients?: Record<string, number>;
  /** Residual sd for linear nodes, sample sd for roots. */
  sd: number;
  mean?: number;
  r2?: number;
}

export interface FitResult {
  graph: GraphFile;
  fits: NodeFit[];
  /** Nodes left unchanged, with the reason. */
  skipped: Array<{ node: string; reason: string }>;
}

function column(table: DataTable, name: string, rows: number): Float64Array | null {
  const out = new Float64Array(rows);
  if (Array.isArray(table)) {
    let any = false;
    for (let r = 0; r < rows; r++) {
      const row = (table as ReadonlyArray<Record<string, number | null | undefined>>)[r]!;
      const v = Object.hasOwn(row, name) ? row[name] : undefined;
      out[r] = typeof v === 'number' ? v : NaN;
      if (typeof v === 'number') any = true;
    }
    return any ? out : null;
  }
  const col = Object.hasOwn(table, name) ? (table as Record<string, ArrayLike<number | null>>)[name] : null;
  if (!col) return null;
  for (let r = 0; r < rows; r++) {
    const v = col[r];
    out[r] = typeof v === 'number' ? v : NaN;
  }
  return out;
}

function rowCount(table: DataTable): number {
  if (Array.isArray(table)) return table.length;
  const cols = Object.values(table as Record<string, ArrayLike<number | null>>);
  const lengths = new Set(cols.map((c) => c.length));
  if (lengths.size > 1)
    throw new ScmError('FIT_FAILED', 'every column of the data table must have the same length');
  return cols[0]?.length ?? 0;
}

export interface FitOptions {
  /** Only fit these nodes (default: every node with data). */
  nodes?: readonly string[];
  /** Minimum rows per fitted node beyond the parameter count (default 2). */
  minDegreesOfFreedom?: number;
}

/** Fit the linear mechanisms and root priors of `graphInput` to `table`; returns a new graph file. */
export function fitGraph(graphInput: unknown, table: DataTable, options: FitOptions = {}): FitResult {
  const { file, parents } = loadGraph(graphInput);
  const rows = rowCount(table);
  const only = options.nodes ? new Set(options.nodes) : null;
  const minDf = options.minDegreesOfFreedom ?? 2;
  const cache = new Map<string, Float64Array | null>();
  const get = (name: string) => {
    if (!cache.has(name)) cache.set(name, column(table, name, rows));
    return cache.get(name)!;
  };
  const fits: NodeFit[] = [];
  const skipped: FitResult['skipped'] = [];
  const nodes = file.nodes.map((node) => {
    if (only && !only.has(node.id)) return node;
    const y = get(node.id);
    if (!y) {
      skipped.push({ node: node.id, reason: 'no column for this node in the data' });
      return node;
    }
    const m = node.mechanism;
    if (m.type === 'expression') {
      skipped.push({ node: node.id, reason: 'expression mechanisms are not fitted' });
      return node;
    }
    if (m.type === 'root') {
      let count = 0;
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        if (!Number.isFinite(y[r]!)) continue;
        count++;
        sum += y[r]!;
      }
      if (count < 2)
        throw new ScmError(
          'FIT_FAILED',
          `node "${node.id}": at least 2 rows with a value are needed, found ${count}`,
        );
      const mean = sum / count;
      let ss = 0;
      for (let r = 0; r < rows; r++) if (Number.isFinite(y[r]!)) ss += (y[r]! - mean) ** 2;
      const sd = Math.sqrt(ss / (count - 1));
      fits.push({ node: node.id, kind: 'root', n: count, mean, sd });
      return { ...node, mechanism: { type: 'root' as const, mean, sd } };
    }
    const pa = parents.get(node.id)!;
    const xs = pa.map((name) => get(name));
    const missing = pa.filter((_, j) => !xs[j]);
    if (missing.length) {
      skipped.push({ node: node.id, reason: `no data for parent(s) ${missing.join(', ')}` });
      return node;
    }
    const keep: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (!Number.isFinite(y[r]!)) continue;
      if (xs.every((c) => Number.isFinite(c![r]!))) keep.push(r);
    }
    const p = pa.length + 1;
    if (keep.length < p + minDf) {
      throw new ScmError(
        'FIT_FAILED',
        `node "${node.id}": ${keep.length} complete rows for ${p} parameters; at least ${p + minDf} are needed`,
      );
    }
    const m2 = keep.length;
    const design = new Float64Array(m2 * p);
    const target = new Float64Array(m2);
    keep.forEach((r, i) => {
      design[i * p] = 1;
      for (let j = 0; j < pa.length; j++) design[i * p + j + 1] = xs[j]![r]!;
      target[i] = y[r]!;
    });
    const { beta, rss, rank } = leastSquares(design, m2, p, target);
    if (rank < p) {
      throw new ScmError(
        'FIT_FAILED',
        `node "${node.id}": its parents (${pa.join(', ')}) are collinear in the data; remove a redundant parent edge or add data`,
      );
    }
    let mean = 0;
    for (let i = 0; i < m2; i++) mean += target[i]!;
    mean /= m2;
    let tss = 0;
    for (let i = 0; i < m2; i++) tss += (target[i]! - mean) ** 2;
    const coefficients: Record<string, number> = {};
    pa.forEach((name, j) => (coefficients[name] = beta[j + 1]!));
    const sd = Math.sqrt(rss / (m2 - p));
    const r2 = tss > 0 ? 1 - rss / tss : 0;
    fits.push({ node: node.id, kind: 'linear', n: m2, intercept: beta[0]!, coefficients, sd, r2 });
    return {
      ...node,
      mechanism: { type: 'linear' as const, intercept: beta[0]!, coefficients, noiseSd: sd },
    };
  });
  return { graph: { ...file, nodes }, fits, skipped };
}
