/**
 * The calibrated endorsement profile (pure; no I/O): how much people high on each of the ten Schwartz
 * values would endorse a text, on Value Portrait's scale (Han et al., ACL 2025: correlations between
 * a respondent's value score and their rating of a response). Fitted on Value Portrait's dev part.
 *
 *   endorsement_v = m_v + β · s_v · Σ_u K_vu · z_u
 *
 * - z_u: how far the text moves value u, read twice and summed — the learned detector's posterior level
 *   and the phrase detector's, each minus its level for an empty text and divided by its spread over
 *   the dev responses; an empty text (or one that says nothing) gives z = 0, so the profile is then m;
 * - m_v, s_v: the dev responses' mean and sd of the truth (the population's ordering where the text
 *   says nothing);
 * - K = (1 − α)·I + α·C, C the correlation of the ten truths across dev responses: the value circle
 *   pools the evidence (a benevolent text also speaks to universalism, and against power);
 * - α and β are chosen by grouped cross-validation (the responses to one prompt stay in one fold).
 *
 * A per-value monotone map cannot change how one value ranks the responses; K can, which is what lifts
 * the across-response figure.
 */
import { spearman } from '../verification.js';
import { foldAssignment } from './train.js';

export interface PortraitMapping {
  /** The graph values, in order (the ten Schwartz values of schwartz-10). */
  values: string[];
  /** Posterior levels (likert5) of an empty text: learned, phrases. */
  center: { learned: number[]; phrases: number[] };
  /** Spread (sd) of the levels over the dev responses, around `center`. */
  spread: { learned: number[]; phrases: number[] };
  /** Sd of the summed standardised shifts over the dev responses. */
  shiftSd: number[];
  mean: number[];
  sd: number[];
  /** K, row-major (values × values). */
  kernel: number[][];
  alpha: number;
  beta: number;
}

/** One dev response: the two detectors' posterior levels and the truth (same value order). */
export interface PortraitRow {
  learned: number[];
  phrases: number[];
  truth: number[];
  /** The prompt (cross-validation group). */
  group: number;
}

export const PORTRAIT_ALPHAS = [0, 0.5, 1];
export const PORTRAIT_BETAS = [0.005, 0.01, 0.02, 0.05, 0.1];

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const round6 = (x: number) => Number(x.toFixed(6));

function columnSd(rows: readonly number[][], center: readonly number[]): number[] {
  return center.map((c, j) => Math.sqrt(mean(rows.map((r) => (r[j]! - c) ** 2))) || 1);
}

/** The summed standardised shift of one response (before K). */
function shift(
  m: Pick<PortraitMapping, 'center' | 'spread' | 'shiftSd'>,
  learned: readonly number[],
  phrases: readonly number[],
): number[] {
  return learned.map(
    (l, u) =>
      ((l - m.center.learned[u]!) / m.spread.learned[u]! +
        (phrases[u]! - m.center.phrases[u]!) / m.spread.phrases[u]!) /
      m.shiftSd[u]!,
  );
}

/** The endorsement profile of a text from its two posterior level vectors. */
export function applyPortrait(
  m: PortraitMapping,
  learned: readonly number[],
  phrases: readonly number[],
): { profile: number[]; shift: number[] } {
  const z = shift(m, learned, phrases);
  const moved = m.kernel.map((row, v) => m.beta * m.sd[v]! * row.reduce((s, k, u) => s + k * z[u]!, 0));
  return { profile: moved.map((x, v) => m.mean[v]! + x), shift: moved };
}

/** Fit the mapping on `rows` with fixed α, β (numbers rounded to 6 digits: a stable artefact). */
export function fitPortrait(
  values: readonly string[],
  rows: readonly PortraitRow[],
  empty: { learned: number[]; phrases: number[] },
  alpha: number,
  beta: number,
): PortraitMapping {
  const V = values.length;
  const truth = rows.map((r) => r.truth);
  const mu = Array.from({ length: V }, (_, v) => mean(truth.map((t) => t[v]!)));
  const sd = columnSd(truth, mu);
  const C = Array.from({ length: V }, (_, a) =>
    Array.from({ length: V }, (_, b) =>
      mean(truth.map((t) => ((t[a]! - mu[a]!) * (t[b]! - mu[b]!)) / (sd[a]! * sd[b]!))),
    ),
  );
  const part = {
    center: { learned: empty.learned.map(round6), phrases: empty.phrases.map(round6) },
    spread: {
      learned: columnSd(
        rows.map((r) => r.learned),
        empty.learned,
      ).map(round6),
      phrases: columnSd(
        rows.map((r) => r.phrases),
        empty.phrases,
      ).map(round6),
    },
    shiftSd: new Array<number>(V).fill(1),
  };
  const sums = rows.map((r) => shift(part, r.learned, r.phrases));
  part.shiftSd = columnSd(sums, new Array<number>(V).fill(0)).map(round6);
  return {
    values: [...values],
    ...part,
    mean: mu.map(round6),
    sd: sd.map(round6),
    kernel: C.map((row, a) => row.map((c, b) => round6((1 - alpha) * (a === b ? 1 : 0) + alpha * c))),
    alpha,
    beta,
  };
}

export interface PortraitScore {
  /** Mean Spearman of one response's ten-value ranking with its truth. */
  perResponse: number;
  /** Mean over the values of the Spearman of one value across the responses. */
  across: number;
  perValue: number[];
}

/**
 * Per-response Spearman on `profiles`; across-response Spearman on `shifts` (default `profiles`): a
 * fitted mapping's intercept is constant on new data but differs between folds, so the across figure
 * is taken on the intercept-free part.
 */
export function scorePortrait(
  profiles: readonly number[][],
  truth: readonly number[][],
  shifts: readonly number[][] = profiles,
): PortraitScore {
  const perValue = truth[0]!.map(
    (_, v) =>
      spearman(
        shifts.map((p) => p[v]!),
        truth.map((t) => t[v]!),
      ) ?? 0,
  );
  return {
    perResponse: mean(profiles.map((p, i) => spearman(p, truth[i]!) ?? 0)),
    across: mean(perValue),
    perValue,
  };
}

/** The fold of each row, dealt per group (a prompt's responses stay together). */
export function groupFolds(groups: readonly number[], folds: number, seed: number): number[] {
  const ids = [...new Set(groups)].sort((a, b) => a - b);
  const fa = foldAssignment(ids.length, folds, seed);
  return groups.map((g) => fa[ids.indexOf(g)]!);
}

/** Out-of-fold profiles of grouped k-fold CV, with α, β fixed or chosen by `choose` per training part. */
function outOfFold(
  values: readonly string[],
  rows: readonly PortraitRow[],
  empty: { learned: number[]; phrases: number[] },
  folds: number,
  seed: number,
  choose: (train: PortraitRow[]) => { alpha: number; beta: number },
) {
  const fold = groupFolds(
    rows.map((r) => r.group),
    folds,
    seed,
  );
  const profiles: number[][] = new Array<number[]>(rows.length);
  const shifts: number[][] = new Array<number[]>(rows.length);
  const chosen: Array<{ alpha: number; beta: number }> = [];
  for (let f = 0; f < folds; f++) {
    const train = rows.filter((_, i) => fold[i] !== f);
    const { alpha, beta } = choose(train);
    chosen.push({ alpha, beta });
    const m = fitPortrait(values, train, empty, alpha, beta);
    rows.forEach((r, i) => {
      if (fold[i] !== f) return;
      const out = applyPortrait(m, r.learned, r.phrases);
      profiles[i] = out.profile;
      shifts[i] = out.shift;
    });
  }
  return {
    score: scorePortrait(
      profiles,
      rows.map((r) => r.truth),
      shifts,
    ),
    chosen,
  };
}

/** α, β by grouped 4-fold CV on `rows` (the sum of the two Spearman figures; first best kept). */
export function choosePortrait(
  values: readonly string[],
  rows: readonly PortraitRow[],
  empty: { learned: number[]; phrases: number[] },
  seed: number,
): { alpha: number; beta: number } {
  let best = { alpha: PORTRAIT_ALPHAS[0]!, beta: PORTRAIT_BETAS[0]!, score: -Infinity };
  for (const alpha of PORTRAIT_ALPHAS) {
    for (const beta of PORTRAIT_BETAS) {
      const { score } = outOfFold(values, rows, empty, 4, seed, () => ({ alpha, beta }));
      const s = score.perResponse + score.across;
      if (s > best.score + 1e-12) best = { alpha, beta, score: s };
    }
  }
  return { alpha: best.alpha, beta: best.beta };
}

/** Nested grouped CV: each outer fold's α, β chosen by an inner CV on its training part only. */
export function crossValidatePortrait(
  values: readonly string[],
  rows: readonly PortraitRow[],
  empty: { learned: number[]; phrases: number[] },
  folds: number,
  seed: number,
) {
  return outOfFold(values, rows, empty, folds, seed, (train) =>
    choosePortrait(values, train, empty, seed + 1),
  );
}
