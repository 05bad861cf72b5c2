/**
 * Score scales and the conversions between them.
 *
 * - `centered`: MRAT-centered PVQ scores (a value's mean item rating minus the person's mean rating
 *   over all items, in PVQ rating points). 0 = the person's average priority. This is the scale of
 *   the value nodes in the bundled graphs. Valid range [−5, 5] (the widest a 1–6 questionnaire allows).
 * - `pvq6`: PVQ ratings, 1 = "not like me at all" … 6 = "very much like me" (higher = more important).
 * - `likert5`: COUPLE's 1–5 importance rubric (1 contradicted, 2 absent, 3 mentioned but not important,
 *   4 present but not central, 5 most important). The default for callers.
 *
 * The three are affine images of one another; midpoints and endpoints correspond:
 *
 *   centered = pvq6 − 3.5            (the person's mean rating, MRAT, taken as the scale midpoint 3.5)
 *   centered = 1.25 × (likert5 − 3)  (likert 1…5 ↔ pvq 1…6 ↔ centered −2.5…+2.5)
 *
 * so a conversion is strictly increasing (order-preserving) and invertible inside the target range
 * (results are rounded to 1e-10 to drop binary noise). Converting to a bounded scale clamps values
 * outside its range (centered beyond ±2.5 goes to the likert/pvq endpoints) and says so in the
 * result's notes; clamping keeps order only weakly (ties).
 * Note that `pvq6 → centered` here is a scale conversion, not questionnaire scoring: to centre a
 * person's raw ratings on their own MRAT use `scoreQuestionnaire` (questionnaire.ts).
 */

export type Scale = 'likert5' | 'pvq6' | 'centered';

export interface ScaleDef {
  id: Scale;
  label: string;
  min: number;
  max: number;
  /** The point that maps to centered 0. */
  mid: number;
  /** Centered points per scale point. */
  unit: number;
}

export const SCALES: Readonly<Record<Scale, ScaleDef>> = {
  likert5: { id: 'likert5', label: '1–5 importance (COUPLE)', min: 1, max: 5, mid: 3, unit: 1.25 },
  pvq6: { id: 'pvq6', label: '1–6 PVQ rating', min: 1, max: 6, mid: 3.5, unit: 1 },
  centered: { id: 'centered', label: 'MRAT-centered score', min: -5, max: 5, mid: 0, unit: 1 },
};

export const SCALE_IDS: readonly Scale[] = ['likert5', 'pvq6', 'centered'];

export function isScale(s: unknown): s is Scale {
  return s === 'likert5' || s === 'pvq6' || s === 'centered';
}

/** A score on `scale` as a centered score (no clamping). */
export function toCenteredScore(x: number, scale: Scale): number {
  const d = SCALES[scale];
  return (x - d.mid) * d.unit;
}

/** A centered score on `scale`, unclamped (may fall outside the scale's range). */
export function fromCenteredScore(c: number, scale: Scale): number {
  const d = SCALES[scale];
  return c / d.unit + d.mid;
}

/** Round away binary noise (1e-10), so 5 on likert5 becomes exactly 6 on pvq6. */
export function tidy(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}

export function clampToScale(x: number, scale: Scale): number {
  const d = SCALES[scale];
  return Math.min(d.max, Math.max(d.min, x));
}

/** Convert one score between scales; `clamped` says whether it had to be moved into the target range. */
export function convertScore(x: number, from: Scale, to: Scale): { value: number; clamped: boolean } {
  if (from === to) return { value: x, clamped: false };
  const raw = tidy(fromCenteredScore(toCenteredScore(x, from), to));
  const value = clampToScale(raw, to);
  return { value, clamped: value !== raw };
}
