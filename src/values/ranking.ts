/**
 * Rankings (most → least important) and scores.
 *
 * Ranking → scores: a ranking carries order only, so each position gets the typical centered score of
 * that position in real people. `HUMAN_RANK_CURVE` is the mean centered score of a person's most, 2nd
 * most, …, least important of the 10 Schwartz values over the 569 human PVQ-21 profiles of Value
 * Portrait (Han et al., ACL 2025; MIT). A ranking of k values (any k, any system) places its i-th value
 * at relative position i/(k − 1) along that curve (linear interpolation between its 10 points), so the
 * first value gets the human top score, the last the human bottom score. The curve is strictly
 * decreasing, so the scores keep the ranking's order. A profile's ranking may list only some of
 * the system's values: see `partialRankScores` (the listed ones take the top ranks). Written by `scripts/derive-presets.ts` into
 * `graphs/presets/human.json` too; a test checks the two agree.
 *
 * Scores → ranking: sort by score, highest first; ties keep the system's circle order and are reported.
 */

/** Mean centered score by rank (1st … 10th) over 569 human PVQ-21 profiles [computed]. */
export const HUMAN_RANK_CURVE: readonly number[] = [
  1.212, 0.9498, 0.724, 0.47, 0.1935, -0.0921, -0.4099, -0.7136, -1.0716, -1.5364,
];

/** Centered scores for positions 0 … k−1 of a ranking of k values. */
export function rankScores(k: number, curve: readonly number[] = HUMAN_RANK_CURVE): number[] {
  if (!Number.isInteger(k) || k < 1) throw new Error('a ranking needs at least one value');
  const m = curve.length;
  return Array.from({ length: k }, (_, i) => {
    const q = k === 1 ? 0 : i / (k - 1);
    const pos = q * (m - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(m - 1, lo + 1);
    const t = pos - lo;
    return curve[lo]! * (1 - t) + curve[hi]! * t;
  });
}

/**
 * Centered scores for a ranking of k of a system's n values: the listed values take the top k ranks of
 * n (position i of the ranking gets the score of rank i + 1 of n along the curve), so they rank above
 * every value left out, in their order; the values left out are the caller's "unlisted", for the SCM
 * to infer. Example (Schwartz 10): ["achievement", "self_direction", "benevolence"] → achievement
 * +1.212 (the human 1st), self-direction +0.950 (2nd), benevolence +0.724 (3rd). A full ranking
 * (k = n) is `rankScores(n)`.
 */
export function partialRankScores(
  k: number,
  n: number,
  curve: readonly number[] = HUMAN_RANK_CURVE,
): number[] {
  if (!Number.isInteger(n) || n < k)
    throw new Error(`a ranking of ${k} values needs a system of at least ${k}`);
  return rankScores(n, curve).slice(0, k);
}

/**
 * The ids of `values` sorted by score, highest first; equal scores keep the order of `order` (the
 * system's value order). Also returns the groups of tied ids.
 */
export function scoresToRanking(
  values: Readonly<Record<string, number>>,
  order: readonly string[],
): { ranking: string[]; ties: string[][] } {
  const position = new Map(order.map((id, i) => [id, i]));
  const ids = Object.keys(values).sort(
    (a, b) => values[b]! - values[a]! || (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity),
  );
  const ties: string[][] = [];
  let run: string[] = [];
  ids.forEach((id, i) => {
    if (i > 0 && values[id] === values[ids[i - 1]!]) {
      if (run.length === 0) run.push(ids[i - 1]!);
      run.push(id);
    } else if (run.length) {
      ties.push(run);
      run = [];
    }
  });
  if (run.length) ties.push(run);
  return { ranking: ids, ties };
}
