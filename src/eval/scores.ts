/**
 * COUPLE's metrics (couple.md §6) on a profile's set dimensions: the mean absolute error between the
 * target and the measured likert5 scores, and Spearman's ρ between them (average ranks for ties, i.e.
 * Pearson's r on the ranks; null with fewer than two dimensions or when either side has no variance).
 * The answers protocol uses the attributor's `compareProfiles`, which computes exactly this; the
 * questionnaire protocol measures scores directly and uses `compareScores`.
 */
import { maeAndSpearman } from '../attribution/verification.js';
import type { DimensionScore } from './types.js';

export interface Scores {
  mae: number;
  spearman: number | null;
  dimensions: DimensionScore[];
}

/** Compare target and measured likert5 scores on the target's dimensions (every one must be measured). */
export function compareScores(
  target: Readonly<Record<string, number>>,
  measured: Readonly<Record<string, number>>,
): Scores {
  const dimensions: DimensionScore[] = Object.entries(target).map(([value, t]) => {
    const a = measured[value];
    if (a === undefined || !Number.isFinite(a)) throw new RangeError(`no measured score for "${value}"`);
    return { value, target: t, attributed: a };
  });
  if (dimensions.length === 0) throw new RangeError('the target sets no dimension');
  return { ...maeAndSpearman(dimensions), dimensions };
}
