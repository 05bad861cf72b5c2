/**
 * How much of Value Portrait's per-response truth a text could predict at all (build-time analysis for
 * `npm run eval:portrait`; pure, no I/O).
 *
 * Each truth is a vector of ten correlations, over the people who rated one response, between their
 * (ipsatised) value scores and their rating. If the ratings carried nothing response-specific, the
 * truths would scatter around their mean with the sampling covariance of such correlations: about
 * C / n, C the correlation of the raters' value scores (the human PVQ sample) and n the raters per
 * response. `samplingNoiseFit` fits that scale, together with how much the responses differ in
 * following the mean ordering, to the truths' covariance; what is left is the only other
 * response-specific signal a text could predict (`nullTopEigenvalue`: how large it is by chance). `meanLoading` measures how strongly each response
 * follows the mean ordering (its loading a on the mean profile m), and `simulateCeiling` gives the
 * per-response Spearman a predictor of that loading could reach, by simulation from the fitted model
 * (T = a·m + e, a ~ N(1, σ²), e ~ N(0, c·C)).
 */
import { mulberry32 } from '../../src/scm/random.js';
import { spearman } from '../../src/attribution/verification.js';
import {
  columnMeans,
  covarianceMatrix,
  pearson,
  symmetricEigen,
  upperTriangle,
  type Matrix,
} from '../../src/values/stats.js';

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
/** Standard normal draws from a uniform generator (Box–Muller). */
export const gaussian = (rand: () => number) => () =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const quadratic = (m: Matrix, v: readonly number[]) =>
  dot(
    v,
    m.map((row) => dot(row, v)),
  );

export interface NoiseFit {
  /** c in cov(T) ≈ c·C + σ²·m·mᵀ, fitted by least squares on the upper triangle (diagonal included). */
  scale: number;
  /** σ²: the variance of the responses' true loadings on the mean profile m. */
  loadingVariance: number;
  /** 1 / c: the raters per response that the sampling noise corresponds to. */
  impliedRaters: number;
  /** Pearson correlation of the off-diagonal entries of cov(T) and C. */
  offDiagonalCorrelation: number;
  /** trace(R) / trace(cov(T)), R = cov(T) − c·C − σ²·m·mᵀ: the variance share left for other signal. */
  residualShare: number;
  /** R's largest eigenvalue and the cosine of its eigenvector with m. */
  residualTop: { eigenvalue: number; cosineWithMean: number };
}

/** Least squares of y on two regressors (no intercept). */
function twoRegressors(y: readonly number[], a: readonly number[], b: readonly number[]): [number, number] {
  const [aa, ab, bb, ay, by] = [dot(a, a), dot(a, b), dot(b, b), dot(a, y), dot(b, y)];
  const det = aa * bb - ab * ab;
  return [(bb * ay - ab * by) / det, (aa * by - ab * ay) / det];
}

const upperWithDiagonal = (m: Matrix) => m.flatMap((row, i) => row.slice(i));

/**
 * Fit the truths' covariance as sampling noise c·C (C: the raters' value correlation matrix) plus a
 * spread σ² of the responses' loadings on the mean profile m (the one direction in which responses
 * are seen to differ), and describe what is left.
 */
export function samplingNoiseFit(truth: readonly (readonly number[])[], raterCorrelation: Matrix): NoiseFit {
  const cov = covarianceMatrix(truth);
  const m = columnMeans(truth);
  const mm: Matrix = m.map((x) => m.map((y) => x * y));
  const [scale, loadingVariance] = twoRegressors(
    upperWithDiagonal(cov),
    upperWithDiagonal(raterCorrelation),
    upperWithDiagonal(mm),
  );
  const residual = cov.map((row, i) =>
    row.map((x, j) => x - scale * raterCorrelation[i]![j]! - loadingVariance * mm[i]![j]!),
  );
  const trace = (a: Matrix) => a.reduce((s, row, i) => s + row[i]!, 0);
  const eig = symmetricEigen(residual);
  const vec = eig.vectors.map((row) => row[0]!);
  return {
    scale,
    loadingVariance,
    impliedRaters: 1 / scale,
    offDiagonalCorrelation: pearson(upperTriangle(cov), upperTriangle(raterCorrelation)),
    residualShare: trace(residual) / trace(cov),
    residualTop: {
      eigenvalue: eig.values[0]!,
      cosineWithMean: dot(vec, m) / Math.sqrt(dot(vec, vec) * dot(m, m)),
    },
  };
}

/**
 * The residual's top eigenvalue that noise and loadings alone give (`quantile` of `draws` simulated
 * data sets of the same size, refitted the same way): a larger one on the data is signal in another
 * direction.
 */
export function nullTopEigenvalue(
  o: { mean: readonly number[]; raterCorrelation: Matrix; fit: NoiseFit; responses: number },
  draws: number,
  quantile: number,
  seed: number,
): number {
  const gauss = gaussian(mulberry32(seed));
  const l = cholesky(o.raterCorrelation.map((row) => row.map((c) => c * o.fit.scale)));
  const sd = Math.sqrt(Math.max(0, o.fit.loadingVariance));
  const tops: number[] = [];
  for (let d = 0; d < draws; d++) {
    const truths = Array.from({ length: o.responses }, () => {
      const a = 1 + sd * gauss();
      const e = o.mean.map(gauss);
      return o.mean.map((m, i) => a * m + dot(l[i]!, e));
    });
    tops.push(samplingNoiseFit(truths, o.raterCorrelation).residualTop.eigenvalue);
  }
  tops.sort((x, y) => x - y);
  return tops[Math.min(tops.length - 1, Math.floor(quantile * tops.length))]!;
}

export interface MeanLoading {
  /** Each response's loading a_i = T_i·m / |m|² on the mean profile m. */
  loadings: number[];
  /** Their sd over the responses. */
  sd: number;
  /** The sd sampling noise alone would give them: √(mᵀ c·C m) / |m|². */
  noiseSd: number;
  /** √(sd² − noiseSd²): the spread of the true loadings (0 if the noise explains it all). */
  signalSd: number;
  /** Share of responses with a < 0 (their truth ranks the values against the mean). */
  negativeShare: number;
}

export function meanLoading(truth: readonly (readonly number[])[], noise: Matrix): MeanLoading {
  const m = columnMeans(truth);
  const mm = dot(m, m);
  const loadings = truth.map((t) => dot(t, m) / mm);
  const mu = mean(loadings);
  const sd = Math.sqrt(mean(loadings.map((a) => (a - mu) ** 2)));
  const noiseSd = Math.sqrt(quadratic(noise, m)) / mm;
  return {
    loadings,
    sd,
    noiseSd,
    signalSd: Math.sqrt(Math.max(0, sd * sd - noiseSd * noiseSd)),
    negativeShare: loadings.filter((a) => a < 0).length / loadings.length,
  };
}

/** Lower Cholesky factor of a symmetric positive (semi-)definite matrix (a tiny ridge keeps it stable). */
export function cholesky(a: Matrix): Matrix {
  const n = a.length;
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]! + (i === j ? 1e-12 : 0);
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(s, 0)) : s / (l[j]![j]! || 1);
    }
  }
  return l;
}

export interface CeilingOptions {
  mean: readonly number[];
  /** The noise covariance c·C. */
  noise: Matrix;
  /** Spread of the true loadings (`MeanLoading.signalSd`). */
  signalSd: number;
  /** Correlations of a predictor with the true loading to evaluate (1 = an oracle). */
  reliabilities: readonly number[];
  samples: number;
  seed: number;
}

export interface Ceiling {
  /** Mean per-response Spearman of the constant (the mean ordering) on the simulated truths. */
  constant: number;
  /** A predictor with each reliability ρ: reverses the mean ordering where E[a | prediction] < 0. */
  predictors: Array<{ reliability: number; perResponse: number; reversedShare: number }>;
}

/**
 * Simulate truths T = a·m + e (a ~ N(1, σ²), e ~ N(0, noise)) and score the best use of a loading
 * predictor of reliability ρ: along m the profile's ranking can only stay or reverse, and reversing
 * pays where the expected loading given the prediction, 1 + ρσz, is negative.
 */
export function simulateCeiling(o: CeilingOptions): Ceiling {
  const gauss = gaussian(mulberry32(o.seed));
  const l = cholesky(o.noise);
  const k = o.mean.length;
  const order = [...o.mean];
  let constant = 0;
  const gains = o.reliabilities.map(() => ({ sum: 0, reversed: 0 }));
  for (let s = 0; s < o.samples; s++) {
    const z = gauss();
    const a = 1 + o.signalSd * z;
    const e = Array.from({ length: k }, gauss);
    const t = o.mean.map((m, i) => a * m + dot(l[i]!, e));
    const r = spearman(order, t) ?? 0;
    constant += r;
    o.reliabilities.forEach((rho, j) => {
      const pred = rho * z + Math.sqrt(1 - rho * rho) * gauss();
      const reverse = 1 + rho * o.signalSd * pred < 0;
      gains[j]!.sum += reverse ? -r : r;
      if (reverse) gains[j]!.reversed++;
    });
  }
  return {
    constant: constant / o.samples,
    predictors: o.reliabilities.map((reliability, j) => ({
      reliability,
      perResponse: gains[j]!.sum / o.samples,
      reversedShare: gains[j]!.reversed / o.samples,
    })),
  };
}
