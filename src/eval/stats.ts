/**
 * Statistics for the evaluation: a seeded PRNG, means, the type-7 quantile, and a seeded percentile
 * bootstrap over clusters.
 *
 * The bootstrap is defined exactly, so that it can be recomputed independently (test/eval has a
 * Python re-implementation's numbers): with `rand = mulberry32(seed)`, each of the `resamples`
 * replicates draws `n` clusters with replacement as `floor(rand() * n)` (n draws in a row, replicate
 * after replicate), gives each cluster a weight = how often it was drawn, and evaluates the statistic
 * on those weights. Replicates where the statistic is undefined (null) are dropped and counted. The
 * interval is the percentile interval: the type-7 quantiles (linear interpolation, R's and numpy's
 * default) of the sorted replicate values at (1 − level)/2 and (1 + level)/2.
 */

import { mulberry32 } from '../scm/random.js';

export { mulberry32 };

/** FNV-1a (32 bit) of a string, as 8 hex digits: short stable fingerprints and seeds. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The type-7 quantile of an ascending-sorted list (p in [0, 1]). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty list');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface BootstrapOptions {
  /** Replicates (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  seed?: number;
}

export interface Interval {
  /** The statistic on the original sample (every cluster weight 1); null when undefined. */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  level: number;
  resamples: number;
  /** Replicates where the statistic was undefined (dropped). */
  undefinedResamples: number;
}

/**
 * Percentile bootstrap over `clusters` clusters: `statistic(weights)` gets how often each cluster was
 * drawn (a Float64Array of length `clusters`) and returns a number or null.
 */
export function bootstrap(
  clusters: number,
  statistic: (weights: Float64Array) => number | null,
  options: BootstrapOptions = {},
): Interval {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError('resamples must be a positive integer');
  if (!(level > 0 && level < 1)) throw new RangeError('level must be between 0 and 1');
  const ones = new Float64Array(clusters).fill(1);
  const estimate = clusters > 0 ? statistic(ones) : null;
  // One cluster (or none) has no sampling variability to show: no interval.
  if (clusters < 2 || estimate === null) {
    return {
      estimate,
      lo: null,
      hi: null,
      level,
      resamples,
      undefinedResamples: estimate === null ? resamples : 0,
    };
  }
  const rand = mulberry32(options.seed ?? 7);
  const weights = new Float64Array(clusters);
  const values: number[] = [];
  let undefinedResamples = 0;
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let j = 0; j < clusters; j++) weights[Math.floor(rand() * clusters)]! += 1;
    const v = statistic(weights);
    if (v === null || !Number.isFinite(v)) undefinedResamples++;
    else values.push(v);
  }
  if (values.length === 0) return { estimate, lo: null, hi: null, level, resamples, undefinedResamples };
  values.sort((a, b) => a - b);
  return {
    estimate,
    lo: quantile(values, (1 - level) / 2),
    hi: quantile(values, (1 + level) / 2),
    level,
    resamples,
    undefinedResamples,
  };
}

/**
 * The mean of values grouped in clusters, with a bootstrap CI over clusters. `clusters[c]` are the
 * values of cluster c (e.g. every profile's score on question c); the statistic is the pooled mean
 * Σ w_c Σ v / Σ w_c |c|. With one value per cluster this is the ordinary bootstrap of a mean.
 * Empty clusters are dropped first (they would only change how many clusters a replicate draws).
 */
export function clusteredMean(
  clusters: ReadonlyArray<readonly number[]>,
  options: BootstrapOptions = {},
): Interval & { n: number } {
  const values = clusters.filter((c) => c.length > 0); // an empty cluster cannot move the mean
  const n = values.reduce((s, c) => s + c.length, 0);
  const sums = values.map((c) => c.reduce((s, x) => s + x, 0));
  const counts = values.map((c) => c.length);
  const interval = bootstrap(
    values.length,
    (w) => {
      let s = 0;
      let k = 0;
      for (let c = 0; c < w.length; c++) {
        if (w[c] === 0) continue;
        s += w[c]! * sums[c]!;
        k += w[c]! * counts[c]!;
      }
      return k > 0 ? s / k : null;
    },
    options,
  );
  return { ...interval, n };
}
