/**
 * Small dense linear algebra on row-major Float64Arrays, in plain loops (mathjs is 7–70× slower for
 * this size of work). Only what the engine needs: Cholesky with forward/back substitution, and
 * Householder QR least squares.
 */

/**
 * In-place Cholesky factorisation of a symmetric positive-definite k×k matrix (row-major, lower
 * triangle read and written). Returns false if a pivot is not positive.
 */
export function cholesky(a: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= a[j * k + p]! * a[j * k + p]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = s / l;
    }
  }
  return true;
}

/** Solve L y = b in place (L lower-triangular from `cholesky`). */
export function forwardSubstitute(l: Float64Array, k: number, b: Float64Array, offset = 0, stride = 1): void {
  for (let i = 0; i < k; i++) {
    let s = b[offset + i * stride]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * b[offset + p * stride]!;
    b[offset + i * stride] = s / l[i * k + i]!;
  }
}

/** Solve Lᵀ x = y in place. */
export function backSubstitute(l: Float64Array, k: number, y: Float64Array): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * y[p]!;
    y[i] = s / l[i * k + i]!;
  }
}

/** Solve (LLᵀ) x = b in place. */
export function choleskySolve(l: Float64Array, k: number, b: Float64Array): void {
  forwardSubstitute(l, k, b);
  backSubstitute(l, k, b);
}

export interface LeastSquaresResult {
  /** Coefficients, one per column of X. */
  beta: Float64Array;
  /** Residual sum of squares. */
  rss: number;
  /** Numerical rank of X. */
  rank: number;
}

/**
 * Least squares min ‖X β − y‖ by Householder QR (X is m×p row-major, m ≥ p). Columns that are
 * numerically dependent on earlier ones get a zero coefficient and lower the reported rank.
 */
export function leastSquares(x: Float64Array, m: number, p: number, y: Float64Array): LeastSquaresResult {
  const a = Float64Array.from(x);
  const b = Float64Array.from(y);
  const rdiag = new Float64Array(p);
  const pivotRow = new Int32Array(p).fill(-1);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  const tol = Math.max(m, p) * 2.220446049250313e-16 * Math.max(scale, 1e-300) * 10;
  let r = 0; // next pivot row
  for (let j = 0; j < p && r < m; j++) {
    let norm = 0;
    for (let i = r; i < m; i++) norm += a[i * p + j]! * a[i * p + j]!;
    norm = Math.sqrt(norm);
    if (norm <= tol) continue; // column dependent on earlier ones: coefficient 0
    const alpha = a[r * p + j]! > 0 ? -norm : norm;
    a[r * p + j] = a[r * p + j]! - alpha; // v = x − alpha e1, stored in column j from row r
    let vnorm2 = 0;
    for (let i = r; i < m; i++) vnorm2 += a[i * p + j]! * a[i * p + j]!;
    if (vnorm2 > 0) {
      for (let c = j + 1; c < p; c++) {
        let s = 0;
        for (let i = r; i < m; i++) s += a[i * p + j]! * a[i * p + c]!;
        const f = (2 * s) / vnorm2;
        for (let i = r; i < m; i++) a[i * p + c] = a[i * p + c]! - f * a[i * p + j]!;
      }
      let s = 0;
      for (let i = r; i < m; i++) s += a[i * p + j]! * b[i]!;
      const f = (2 * s) / vnorm2;
      for (let i = r; i < m; i++) b[i] = b[i]! - f * a[i * p + j]!;
    }
    rdiag[j] = alpha;
    pivotRow[j] = r++;
  }
  const beta = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    const row = pivotRow[j]!;
    if (row < 0) continue;
    let s = b[row]!;
    for (let c = j + 1; c < p; c++) if (pivotRow[c]! >= 0) s -= a[row * p + c]! * beta[c]!;
    beta[j] = s / rdiag[j]!;
  }
  let rss = 0;
  for (let i = 0; i < m; i++) {
    let res = y[i]!;
    for (let j = 0; j < p; j++) res -= x[i * p + j]! * beta[j]!;
    rss += res * res;
  }
  return { beta, rss, rank: r };
}
