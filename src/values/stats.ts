/**
 * Small numeric helpers for deriving value-system figures from data (used by the fitting and preset
 * scripts, the verification metrics and the tests): column means, covariance and correlation
 * matrices, a symmetric eigen-decomposition, a 2-D Procrustes rotation and k-means with k-means++
 * seeding (seeded with mulberry32). Means, correlations, matrix products and eigenvectors are mathjs's;
 * what is left by hand is what mathjs has not (Procrustes, k-means). None of it runs in the engine's
 * hot loops: the matrices here are 10×10 and the data a few hundred rows.
 */
import { createRequire } from 'node:module';
import type * as MathJsModule from 'mathjs';
import { mulberry32 } from '../scm/random.js';

const require = createRequire(import.meta.url);
type MathJs = typeof MathJsModule;
let mathjs: MathJs | undefined;
/**
 * mathjs on first use (its CommonJS build), not at start-up: importing it costs about half a second,
 * and the service starts without it (test/graphs/expression-parser.test.ts); the scripts and the
 * verification metrics load it when they first need a statistic.
 */
const math = (): MathJs => (mathjs ??= require('mathjs') as MathJs);

export type Matrix = number[][];

/** Column means of a row-major data table. */
export function columnMeans(rows: readonly (readonly number[])[]): number[] {
  if (rows.length === 0) return [];
  return math().mean(rows as number[][], 0) as unknown as number[];
}

/** Sample covariance matrix (n − 1 denominator). */
export function covarianceMatrix(rows: readonly (readonly number[])[]): Matrix {
  const n = rows.length;
  if (n < 2) throw new Error('covariance needs at least 2 rows');
  const mu = columnMeans(rows);
  const centred = rows.map((r) => r.map((x, j) => x - mu[j]!));
  // Xcᵀ Xc / (n − 1), made exactly symmetric.
  const c = matMul(math().transpose(centred), centred).map((row) => row.map((x) => x / (n - 1)));
  for (let i = 0; i < c.length; i++) for (let j = 0; j < i; j++) c[i]![j] = c[j]![i]!;
  return c;
}

/** Correlation matrix from a covariance matrix. */
export function covToCorrelation(cov: Matrix): Matrix {
  const sd = cov.map((row, i) => Math.sqrt(row[i]!));
  return cov.map((row, i) => row.map((c, j) => (i === j ? 1 : c / (sd[i]! * sd[j]!))));
}

export function correlationMatrix(rows: readonly (readonly number[])[]): Matrix {
  return covToCorrelation(covarianceMatrix(rows));
}

/** Pearson correlation of two equal-length vectors. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n !== b.length || n < 2) throw new Error('pearson needs two vectors of the same length >= 2');
  return math().corr(a as number[], b as number[]) as number;
}

/** The strictly upper-triangular entries of a square matrix, row by row. */
export function upperTriangle(m: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.push(m[i]![j]!);
  return out;
}

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: number[];
  /** Eigenvectors as columns: vectors[i][k] is component i of eigenvector k (unit length). */
  vectors: Matrix;
}

/**
 * Eigen-decomposition of a symmetric matrix (mathjs `eigs`), eigenvalues in decreasing order. Each
 * eigenvector's sign is fixed so that its largest-magnitude component is positive (deterministic output).
 */
export function symmetricEigen(input: Matrix): Eigen {
  const n = input.length;
  const { eigenvectors } = math().eigs(input);
  const pairs = eigenvectors
    .map((e) => ({ value: e.value as number, vector: e.vector as unknown as number[] }))
    .sort((x, y) => y.value - x.value);
  const vectors: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  pairs.forEach(({ vector }, col) => {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(vector[i]!) > Math.abs(vector[big]!)) big = i;
    const sign = vector[big]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i]![col] = sign * vector[i]!;
  });
  return { values: pairs.map((p) => p.value), vectors };
}

/**
 * Orthogonal Procrustes in two dimensions: the 2×2 orthogonal matrix R (a rotation, or a rotation
 * with a reflection) minimising ‖L R − T‖ for p×2 matrices L and T. Closed form: with
 * M = Lᵀ T, R is the orthogonal polar factor of M.
 */
export function procrustes2(l: Matrix, t: Matrix): Matrix {
  let m00 = 0;
  let m01 = 0;
  let m10 = 0;
  let m11 = 0;
  for (let i = 0; i < l.length; i++) {
    m00 += l[i]![0]! * t[i]![0]!;
    m01 += l[i]![0]! * t[i]![1]!;
    m10 += l[i]![1]! * t[i]![0]!;
    m11 += l[i]![1]! * t[i]![1]!;
  }
  // Best proper rotation R = [[c, -s], [s, c]] maximises tr(Rᵀ M) = c (m00 + m11) + s (m10 − m01).
  const rotScore = Math.hypot(m00 + m11, m10 - m01);
  // Best rotation-with-reflection R = [[c, s], [s, -c]] maximises c (m00 − m11) + s (m01 + m10).
  const refScore = Math.hypot(m00 - m11, m01 + m10);
  if (rotScore >= refScore) {
    const phi = Math.atan2(m10 - m01, m00 + m11);
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    return [
      [c, -s],
      [s, c],
    ];
  }
  const phi = Math.atan2(m01 + m10, m00 - m11);
  const c = Math.cos(phi);
  const s = Math.sin(phi);
  return [
    [c, s],
    [s, -c],
  ];
}

export function matMul(a: Matrix, b: Matrix): Matrix {
  return math().multiply(a, b);
}

function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

export interface KMeansResult {
  /** Cluster centres, row-major. */
  centroids: Matrix;
  /** Cluster index of every row. */
  assignment: number[];
  sizes: number[];
  /** Within-cluster sum of squared distances. */
  inertia: number;
  iterations: number;
}

export interface KMeansOptions {
  seed?: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins (default 20). */
  restarts?: number;
  maxIterations?: number;
}

function kmeansOnce(
  rows: readonly (readonly number[])[],
  k: number,
  rand: () => number,
  maxIter: number,
): KMeansResult {
  const n = rows.length;
  // k-means++ seeding: the first centre uniformly, then proportional to squared distance.
  const centroids: Matrix = [[...rows[Math.floor(rand() * n)]!]];
  const d2 = rows.map((r) => sqDist(r, centroids[0]!));
  while (centroids.length < k) {
    const total = d2.reduce((s, x) => s + x, 0);
    let target = rand() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= d2[i]!;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
    centroids.push([...rows[pick]!]);
    rows.forEach((r, i) => (d2[i] = Math.min(d2[i]!, sqDist(r, centroids[centroids.length - 1]!))));
  }
  const assignment = new Array<number>(n).fill(-1);
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    let changed = false;
    rows.forEach((r, i) => {
      let best = 0;
      let bestD = Infinity;
      centroids.forEach((c, j) => {
        const d = sqDist(r, c);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      });
      if (assignment[i] !== best) {
        assignment[i] = best;
        changed = true;
      }
    });
    if (!changed) break;
    const p = rows[0]!.length;
    const sums: Matrix = Array.from({ length: k }, () => new Array<number>(p).fill(0));
    const counts = new Array<number>(k).fill(0);
    rows.forEach((r, i) => {
      counts[assignment[i]!]!++;
      for (let j = 0; j < p; j++) sums[assignment[i]!]![j]! += r[j]!;
    });
    for (let c = 0; c < k; c++) {
      // An emptied cluster keeps its old centre (rare with k-means++ seeding).
      if (counts[c]! > 0) centroids[c] = sums[c]!.map((s) => s / counts[c]!);
    }
  }
  const sizes = new Array<number>(k).fill(0);
  let inertia = 0;
  rows.forEach((r, i) => {
    sizes[assignment[i]!]!++;
    inertia += sqDist(r, centroids[assignment[i]!]!);
  });
  return { centroids, assignment, sizes, inertia, iterations };
}

/** Lloyd's k-means with seeded k-means++ starts; deterministic for a given seed. */
export function kmeans(
  rows: readonly (readonly number[])[],
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  if (!Number.isInteger(k) || k < 1 || k > rows.length)
    throw new Error(`k must be an integer in 1..${rows.length}`);
  const rand = mulberry32(options.seed ?? 1);
  let best: KMeansResult | null = null;
  for (let r = 0; r < (options.restarts ?? 20); r++) {
    const run = kmeansOnce(rows, k, rand, options.maxIterations ?? 300);
    if (!best || run.inertia < best.inertia - 1e-12) best = run;
  }
  return best!;
}
