/**
 * COUPLE's verification metrics (couple.md §6), on the dimensions the caller set: mean absolute error
 * between the target and the attributed likert5 scores, and Spearman's rank correlation between them
 * (average ranks for ties, i.e. Pearson's r on the ranks; null with fewer than two dimensions or when
 * either side has no variance, where it is undefined).
 */
import { pearson } from '../values/stats.js';
import { normalizeName, resolveValueName, type ValueSystem } from '../values/index.js';
import { AttributionError } from './errors.js';
import type { ValueAttribution } from './posterior.js';

export interface DimensionComparison {
  value: string;
  target: number;
  attributed: number;
  /** attributed − target (positive: the text expresses the value more than asked). */
  error: number;
}

export interface ProfileComparison {
  mae: number;
  spearman: number | null;
  dimensions: DimensionComparison[];
}

/** Ranks 1…n, tied entries sharing the average of the ranks they span. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const ranks = new Array<number>(xs.length);
  for (let s = 0; s < order.length;) {
    let e = s + 1;
    while (e < order.length && order[e]!.x === order[s]!.x) e++;
    const rank = (s + 1 + e) / 2; // mean of ranks s+1 … e
    for (let k = s; k < e; k++) ranks[order[k]!.i] = rank;
    s = e;
  }
  return ranks;
}

/** Pearson correlation, or null when either side has no variance (a rank correlation is then undefined). */
function pearsonOrNull(a: readonly number[], b: readonly number[]): number | null {
  const r = pearson(a, b);
  return Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : null;
}

/** Spearman's ρ with average ranks for ties; null for fewer than 2 pairs or zero variance. */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new RangeError('spearman needs two equally long lists');
  if (a.length < 2) return null;
  return pearsonOrNull(averageRanks(a), averageRanks(b));
}

/** COUPLE's two metrics on paired target/measured scores: mean absolute error and Spearman's ρ. */
export function maeAndSpearman(dimensions: ReadonlyArray<{ target: number; attributed: number }>): {
  mae: number;
  spearman: number | null;
} {
  return {
    mae: dimensions.reduce((s, d) => s + Math.abs(d.attributed - d.target), 0) / dimensions.length,
    spearman: spearman(
      dimensions.map((d) => d.target),
      dimensions.map((d) => d.attributed),
    ),
  };
}

/**
 * Compare a target profile (likert5 scores on the dimensions the caller set; value ids, labels or
 * friendly names such as "Self-Direction", and the codes and aliases of `system` such as "SE") with
 * an attribution.
 */
export function compareProfiles(
  target: Readonly<Record<string, number>>,
  attributed: { graph: { id: string }; values: readonly ValueAttribution[] },
  system?: ValueSystem,
): ProfileComparison {
  const byKey = new Map<string, ValueAttribution>();
  for (const v of attributed.values) {
    byKey.set(v.value, v);
    byKey.set(normalizeName(v.value), v);
    byKey.set(normalizeName(v.label), v);
  }
  const dimensions: DimensionComparison[] = [];
  const seen = new Set<string>();
  for (const [key, t] of Object.entries(target)) {
    const alias = system ? resolveValueName(key, system) : undefined; // codes and aliases ("SE")
    const v = byKey.get(key) ?? byKey.get(normalizeName(key)) ?? (alias ? byKey.get(alias) : undefined);
    if (!v) {
      throw new AttributionError(
        'ATTRIBUTION_UNKNOWN_VALUE',
        `target value "${key}" is not a value of graph "${attributed.graph.id}"; use one of ${attributed.values
          .map((x) => x.value)
          .join(', ')}`,
        { value: key, graph: attributed.graph.id },
      );
    }
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 1 || t > 5) {
      throw new AttributionError(
        'ATTRIBUTION_INVALID_TARGET',
        `target "${key}" must be a likert5 score from 1 to 5, got ${JSON.stringify(t)}`,
        { value: key },
      );
    }
    if (seen.has(v.value)) {
      throw new AttributionError('ATTRIBUTION_INVALID_TARGET', `target names "${v.value}" twice`, {
        value: key,
      });
    }
    seen.add(v.value);
    dimensions.push({ value: v.value, target: t, attributed: v.likert5, error: v.likert5 - t });
  }
  if (dimensions.length === 0) {
    throw new AttributionError(
      'ATTRIBUTION_INVALID_TARGET',
      'the target profile sets no dimension to compare',
    );
  }
  return { ...maeAndSpearman(dimensions), dimensions };
}
