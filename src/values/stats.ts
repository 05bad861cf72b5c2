/**
 * Small numeric helpers for deriving value-system figures from data (used by the fitting and preset
 * scripts and by the tests): column means and sds, covariance and correlation matrices, a symmetric
 * eigen-decomposition (cyclic Jacobi) and k-means with k-means++ seeding (seeded with mulberry32).
 * Plain loops over number arrays: the matrices here are 10×10 and the data a few hundred rows.
 */
import { mulberry32 } from '../scm/random.js';

export type Matrix = number[][];

/** Column means of a row-major data table. */
export function columnMeans(rows: readonly (readonly number[])[]): number[] {
  const p = rows[0]?.length ?? 0;
  const out = new Array<number>(p).fill(0);
  for (const r of rows) for (let j = 0; j < p; j++) out[j]! += r[j]!;
  return out.map((s) => s / rows.length);
}

/** Sample covariance matrix (n − 1 denominator). */
export function covarianceMatrix(rows: readonly (readonly number[])[]): Matrix {
  const n = rows.length;
  if (n < 2) throw new Error('covariance needs at least 2 rows');
  const mu = columnMeans(rows);
  const p = mu.length;
  const c: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const r of rows) {
    for (let i = 0; i < p; i++) {
      const di = r[i]! - mu[i]!;
      for (let j = i; j < p; j++) c[i]![j]! += di * (r[j]! - mu[j]!);
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      c[i]![j]! /= n - 1;
      c[j]![i] = c[i]![j]!;
    }
  }
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
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
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
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Each eigenvector's sign is
 * fixed so that its largest-magnitude component is positive (deterministic output).
 */
export function symmetricEigen(input: Matrix, tol = 1e-14, maxSweeps = 100): Eigen {
  const n = input.length;
  const a = input.map((r) => [...r]);
  const v: Matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < tol * tol) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y]![y]! - a[x]![x]!);
  const values = order.map((k) => a[k]![k]!);
  const vectors: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  order.forEach((k, col) => {
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[i]![k]!) > Math.abs(v[big]![k]!)) big = i;
    const sign = v[big]![k]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i]![col] = sign * v[i]![k]!;
  });
  return { values, vectors };
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
  const n = a.length;
  const k = b.length;
  const m = b[0]?.length ?? 0;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const air = a[i]![r]!;
      for (let j = 0; j < m; j++) out[i]![j]! += air * b[r]![j]!;
    }
  }
  return out;
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
