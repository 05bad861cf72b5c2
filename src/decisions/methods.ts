/**
 * Ranking methods (pure): actions × values relevance matrix R (standardised, + for, − against) and
 * criterion weights w (the preference transform of the profile, see `preferenceWeights`) → one score
 * per action and each value's part of it.
 *
 * - `weighted-sum` (default): `score(a) = Σ_v w_v R[a][v]`; contribution = `w_v R[a][v]`, they sum to
 *   the score.
 * - `topsis`: every criterion min–max normalised over the actions (`n = (R − min) / (max − min)`, 0 when
 *   all are equal), weighted (`y = w n`); `score = D⁻ / (D⁺ + D⁻)`, the Euclidean distances to the
 *   anti-ideal (every criterion's minimum) and to the ideal (maximum); 0.5 when all actions tie.
 *   Contribution = `y` (the weighted normalised criterion the distances are made of; they do not sum
 *   to the score).
 * - `promethee` (PROMETHEE II): per criterion the linear (V-shape with indifference) preference
 *   function `P(d) = clamp((d − q) / (p − q), 0, 1)` of the difference d = R[a][v] − R[b][v], with
 *   q = `PROMETHEE_Q` and p = `PROMETHEE_P` (standardised units); net flow
 *   `φ(a) = Σ_v w_v · (1 / (n − 1)) Σ_b (P_v(a, b) − P_v(b, a))`; contribution = the value's term, they
 *   sum to φ.
 */

export type DecisionMethod = 'weighted-sum' | 'topsis' | 'promethee';
export const DECISION_METHODS: readonly DecisionMethod[] = ['weighted-sum', 'topsis', 'promethee'];

/** PROMETHEE indifference threshold (standardised relevance units). */
export const PROMETHEE_Q = 0.05;
/** PROMETHEE strict-preference threshold. */
export const PROMETHEE_P = 0.5;

export interface MethodResult {
  scores: number[];
  /** [action][value] */
  contributions: number[][];
}

/**
 * The preference transform: a profile's levels on COUPLE's 1–5 scale → criterion weights. Each value's
 * 0–1 importance `s = (likert − 1) / 4` (clamped), normalised to sum 1 (all 0: equal weights). A value
 * the person holds dear weighs more; one at 1 ("contradicted") weighs nothing, so an action against it
 * costs nothing either.
 */
export function preferenceWeights(likert: readonly number[]): number[] {
  const s = likert.map((l) => Math.min(1, Math.max(0, (l - 1) / 4)));
  const total = s.reduce((a, b) => a + b, 0);
  return total > 0 ? s.map((x) => x / total) : s.map(() => 1 / s.length);
}

function weightedSum(R: readonly number[][], w: readonly number[]): MethodResult {
  const contributions = R.map((row) => row.map((r, v) => w[v]! * r));
  return { scores: contributions.map((c) => c.reduce((a, b) => a + b, 0)), contributions };
}

function topsis(R: readonly number[][], w: readonly number[]): MethodResult {
  const m = w.length;
  const lo = new Array<number>(m).fill(Infinity);
  const hi = new Array<number>(m).fill(-Infinity);
  for (const row of R) {
    row.forEach((r, v) => {
      lo[v] = Math.min(lo[v]!, r);
      hi[v] = Math.max(hi[v]!, r);
    });
  }
  const contributions = R.map((row) =>
    row.map((r, v) => (hi[v]! > lo[v]! ? (w[v]! * (r - lo[v]!)) / (hi[v]! - lo[v]!) : 0)),
  );
  const scores = contributions.map((y) => {
    let plus = 0;
    let minus = 0;
    y.forEach((x, v) => {
      const top = hi[v]! > lo[v]! ? w[v]! : 0;
      plus += (top - x) ** 2;
      minus += x ** 2;
    });
    const dPlus = Math.sqrt(plus);
    const dMinus = Math.sqrt(minus);
    return dPlus + dMinus > 0 ? dMinus / (dPlus + dMinus) : 0.5;
  });
  return { scores, contributions };
}

function preference(d: number): number {
  return Math.min(1, Math.max(0, (d - PROMETHEE_Q) / (PROMETHEE_P - PROMETHEE_Q)));
}

function promethee(R: readonly number[][], w: readonly number[]): MethodResult {
  const n = R.length;
  const contributions = R.map((row, a) =>
    row.map((_, v) => {
      let flow = 0;
      for (let b = 0; b < n; b++) {
        if (b === a) continue;
        const d = R[a]![v]! - R[b]![v]!;
        flow += preference(d) - preference(-d);
      }
      return n > 1 ? (w[v]! * flow) / (n - 1) : 0;
    }),
  );
  return { scores: contributions.map((c) => c.reduce((a, b) => a + b, 0)), contributions };
}

/** Score every action (rows of R) with `method`. */
export function scoreActions(
  method: DecisionMethod,
  R: readonly number[][],
  w: readonly number[],
): MethodResult {
  if (method === 'topsis') return topsis(R, w);
  if (method === 'promethee') return promethee(R, w);
  return weightedSum(R, w);
}

/** Indices by score, highest first; ties keep the given order. */
export function rankByScore(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}
