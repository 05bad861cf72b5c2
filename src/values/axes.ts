/**
 * Higher-order dimensions as theory-oriented principal axes (the method behind graphs/schwartz-10.json):
 *
 *  1. S = sample covariance of the rows (people × values); E, Λ its top two eigenvectors/eigenvalues.
 *  2. Whitened component scores Z0 = (X − x̄) E Λ^(−1/2): mean 0, sd 1, uncorrelated.
 *  3. An orthogonal Procrustes rotation R (reflection allowed: eigenvector signs are arbitrary) of the
 *     loadings E Λ^(1/2) towards a theory target T (values × 2), and scores Z = Z0 R, which stay
 *     standardised and uncorrelated. The loadings E Λ^(1/2) R are the covariances of the values with
 *     the scores, i.e. the least-squares coefficients of each value on Z.
 */
import { columnMeans, covarianceMatrix, matMul, procrustes2, symmetricEigen, type Matrix } from './stats.js';

export interface TheoryAxes {
  /** Latent scores, one row per input row, two columns. */
  scores: Matrix;
  /** Value loadings on the two axes (values × 2). */
  loadings: Matrix;
  rotation: Matrix;
  /** All eigenvalues of the covariance, largest first (negative rounding noise clipped to 0). */
  eigenvalues: number[];
  /** Share of the total variance on the two axes. */
  varianceExplained: number;
}

export function theoryAxes(rows: readonly (readonly number[])[], target: Matrix): TheoryAxes {
  const p = rows[0]?.length ?? 0;
  if (target.length !== p) throw new Error(`the target needs one row per value (${p}), got ${target.length}`);
  const eig = symmetricEigen(covarianceMatrix(rows));
  const eigenvalues = eig.values.map((x) => Math.max(0, x));
  const lam = eigenvalues.slice(0, 2);
  if (!(lam[1]! > 0)) throw new Error('the data has fewer than two dimensions of variation');
  const e2 = eig.vectors.map((row) => [row[0]!, row[1]!]);
  const loadings0 = e2.map((row) => row.map((e, k) => e * Math.sqrt(lam[k]!)));
  const rotation = procrustes2(loadings0, target);
  const mu = columnMeans(rows);
  const whiten = e2.map((row) => row.map((e, k) => e / Math.sqrt(lam[k]!)));
  const scores = matMul(
    matMul(
      rows.map((r) => r.map((x, j) => x - mu[j]!)),
      whiten,
    ),
    rotation,
  );
  const total = eigenvalues.reduce((s, x) => s + x, 0);
  return {
    scores,
    loadings: matMul(loadings0, rotation),
    rotation,
    eigenvalues,
    varianceExplained: (lam[0]! + lam[1]!) / total,
  };
}
