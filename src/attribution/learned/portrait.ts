/**
 * The calibrated endorsement profile (pure; no I/O): how much people high on each of the ten Schwartz
 * values would endorse a text, on Value Portrait's scale (Han et al., ACL 2025: correlations between
 * a respondent's value score and their rating of a response). Fitted on Value Portrait's dev part.
 *
 *   endorsement_v = m_v + β · s_v · Σ_u K_vu · z_u,   z_u = a · post_u + b · prob_u
 *
 * - post_u: how far the text moves value u, read twice and summed — the learned detector's posterior
 *   level and the phrase detector's, each minus its level for an empty text and divided by its spread
 *   over the dev responses (the sum divided by its own spread);
 * - prob_u: the detector's probabilities pooled onto value u without the SCM — each of the 20 category
 *   and 54 level-1 probabilities minus its value for an empty text, divided by its spread over dev, and
 *   averaged over the labels of u with the graph's weights (a concept's value coefficients; the
 *   categories between two values split between them), the sum divided by its spread;
 * - a, b ∈ {0, 1}: which of the two readings are used (both in the shipped mapping);
 * - m_v, s_v: the dev responses' mean and sd of the truth (the population's ordering where the text
 *   says nothing: an empty text, or one the detectors read like an empty one, gets z = 0, so exactly m);
 * - K = (1 − α)·I + α·C, C the correlation of the ten truths across dev responses: the value circle
 *   pools the evidence (a benevolent text also speaks to universalism, and against power);
 * - β shrinks the text's move toward m: across-response rankings do not depend on it, the per-response
 *   ranking does (a large move reorders the values on weak evidence).
 *
 * α is chosen by grouped cross-validation (the responses to one prompt stay in one fold). A per-value
 * monotone map cannot change how one value ranks the responses; K can.
 */
import { spearman } from '../verification.js';
import { foldAssignment } from './train.js';

/** The detector's probabilities pooled onto the values (`prob` above). */
export interface PortraitLabels {
  /** Detector label names (categories and level-1 values). */
  names: string[];
  /** Their probabilities for an empty text. */
  center: number[];
  /** Their spread (root mean square around `center`) over the dev responses. */
  spread: number[];
  /** Pooling weights, values × names. */
  pool: number[][];
  /** Spread of each pooled value over the dev responses. */
  sd: number[];
}

/** Which readings of the text move the profile (0 or 1 each). */
export interface PortraitSources {
  posterior: number;
  probabilities: number;
}

export interface PortraitMapping {
  /** The graph values, in order (the ten Schwartz values of schwartz-10). */
  values: string[];
  /** Posterior levels (likert5) of an empty text: learned, phrases. */
  center: { learned: number[]; phrases: number[] };
  /** Spread (sd) of the levels over the dev responses, around `center`. */
  spread: { learned: number[]; phrases: number[] };
  /** Sd of the summed standardised shifts over the dev responses. */
  shiftSd: number[];
  labels: PortraitLabels;
  sources: PortraitSources;
  mean: number[];
  sd: number[];
  /** K, row-major (values × values). */
  kernel: number[][];
  alpha: number;
  beta: number;
}

/** What the two detectors read in one text (same value order; `probabilities` in `labels.names` order). */
export interface PortraitReading {
  learned: readonly number[];
  phrases: readonly number[];
  probabilities: readonly number[];
}

/** One dev response: the detectors' readings and the truth (same value order). */
export interface PortraitRow extends PortraitReading {
  truth: number[];
  /** The prompt (cross-validation group). */
  group: number;
}

/** The fit's fixed inputs: the values, the label pooling and the readings of an empty text. */
export interface PortraitSetup {
  values: readonly string[];
  /** Label names and pooling weights (values × names), e.g. from `graphPooling`. */
  labels: { names: readonly string[]; pool: readonly (readonly number[])[] };
  empty: PortraitReading;
}

export interface PortraitChoice {
  sources: PortraitSources;
  alpha: number;
  beta: number;
}

/**
 * The readings the choice may use: both (the default). Letting the inner CV choose among posterior
 * only, probabilities only and both made the choice noisy from fold to fold and lowered the nested-CV
 * figures (`npm run eval:portrait` reports each reading alone).
 */
export const PORTRAIT_SOURCES: readonly PortraitSources[] = [{ posterior: 1, probabilities: 1 }];
export const PORTRAIT_ALPHAS = [0, 0.5, 1];
/**
 * β: 0.001 moves the profile by about a thousandth of a truth sd per unit of evidence, below the gaps
 * between the dev means, so the per-response ranking is the population's (ties broken by the text)
 * while each value still ranks the responses by the text. Larger β chosen by the inner CV (the grid
 * `PORTRAIT_BETA_GRID`, one-standard-error rule) lowered the nested-CV per-response figure: the
 * text's signal is too weak to reorder the ten values of one response (docs/value-detector.md).
 */
export const PORTRAIT_BETAS = [0.001];
export const PORTRAIT_BETA_GRID = [0.001, 0.01, 0.02, 0.05, 0.1, 0.2];

/** The grids a choice is made from (defaults: PORTRAIT_SOURCES, PORTRAIT_ALPHAS, PORTRAIT_BETAS). */
export interface PortraitGrid {
  sources?: readonly PortraitSources[];
  alphas?: readonly number[];
  betas?: readonly number[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const round6 = (x: number) => Number(x.toFixed(6));

function columnSd(rows: readonly (readonly number[])[], center: readonly number[]): number[] {
  return center.map((c, j) => Math.sqrt(mean(rows.map((r) => (r[j]! - c) ** 2))) || 1);
}

/** A graph concept as the pooling needs it: its label, its category and its value coefficients. */
export interface PoolingConcept {
  label: string;
  group?: string | undefined;
  coefficients: Readonly<Record<string, number>>;
}

/**
 * Pooling weights from a graph's concepts: each concept's level-1 label and its category weigh on the
 * values its mechanism loads on (coefficients normalised to sum 1); a value's row averages its
 * categories and, separately, its level-1 labels (each part sums to 1). Labels the detector lacks
 * (`known`) are left out.
 */
export function graphPooling(
  values: readonly string[],
  concepts: readonly PoolingConcept[],
  known: (name: string) => boolean,
): { names: string[]; pool: number[][] } {
  const weightOf = new Map<string, number[]>();
  const categories: string[] = [];
  const labels: string[] = [];
  for (const c of concepts) {
    const total = Object.values(c.coefficients).reduce((a, b) => a + b, 0);
    if (!(total > 0)) continue;
    const w = values.map((v) => (c.coefficients[v] ?? 0) / total);
    if (known(c.label) && !weightOf.has(c.label)) {
      labels.push(c.label);
      weightOf.set(c.label, w);
    }
    if (c.group && known(c.group) && !weightOf.has(c.group)) {
      categories.push(c.group);
      weightOf.set(c.group, w);
    }
  }
  const names = [...categories, ...labels];
  const part = (list: readonly string[], v: number) => {
    const total = list.reduce((s, n) => s + weightOf.get(n)![v]!, 0);
    return (n: string) => (list.includes(n) && total > 0 ? weightOf.get(n)![v]! / total : 0);
  };
  const pool = values.map((_, v) => {
    const cat = part(categories, v);
    const lab = part(labels, v);
    return names.map((n) => round6(cat(n) + lab(n)));
  });
  return { names, pool };
}

type Standardise = Pick<PortraitMapping, 'center' | 'spread' | 'shiftSd' | 'labels'>;

/** The posterior reading: summed standardised level shifts. */
function posteriorShift(m: Standardise, r: PortraitReading): number[] {
  return r.learned.map(
    (l, u) =>
      ((l - m.center.learned[u]!) / m.spread.learned[u]! +
        (r.phrases[u]! - m.center.phrases[u]!) / m.spread.phrases[u]!) /
      m.shiftSd[u]!,
  );
}

/** The probability reading: standardised label shifts pooled onto the values. */
function probabilityShift(m: Standardise, r: PortraitReading): number[] {
  const { center, spread, pool, sd } = m.labels;
  const z = r.probabilities.map((p, j) => (p - center[j]!) / spread[j]!);
  return pool.map((row, v) => row.reduce((s, w, j) => s + w * z[j]!, 0) / sd[v]!);
}

/** z of one text (before K). */
function textShift(m: Standardise & Pick<PortraitMapping, 'sources'>, r: PortraitReading): number[] {
  const { posterior, probabilities } = m.sources;
  const post = posterior ? posteriorShift(m, r) : null;
  const prob = probabilities ? probabilityShift(m, r) : null;
  return m.center.learned.map((_, u) => posterior * (post?.[u] ?? 0) + probabilities * (prob?.[u] ?? 0));
}

/** The endorsement profile of a text from what the detectors read in it. */
export function applyPortrait(
  m: PortraitMapping,
  reading: PortraitReading,
): { profile: number[]; shift: number[] } {
  const z = textShift(m, reading);
  const moved = m.kernel.map((row, v) => m.beta * m.sd[v]! * row.reduce((s, k, u) => s + k * z[u]!, 0));
  return { profile: moved.map((x, v) => m.mean[v]! + x), shift: moved };
}

/** Fit the mapping on `rows` with a fixed choice (numbers rounded to 6 digits: a stable artefact). */
export function fitPortrait(
  setup: PortraitSetup,
  rows: readonly PortraitRow[],
  choice: PortraitChoice,
): PortraitMapping {
  const { values, empty } = setup;
  const V = values.length;
  const truth = rows.map((r) => r.truth);
  const mu = Array.from({ length: V }, (_, v) => mean(truth.map((t) => t[v]!)));
  const sd = columnSd(truth, mu);
  const C = Array.from({ length: V }, (_, a) =>
    Array.from({ length: V }, (_, b) =>
      mean(truth.map((t) => ((t[a]! - mu[a]!) * (t[b]! - mu[b]!)) / (sd[a]! * sd[b]!))),
    ),
  );
  const zeros = new Array<number>(V).fill(0);
  const part: Standardise = {
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
    labels: {
      names: [...setup.labels.names],
      center: empty.probabilities.map(round6),
      spread: columnSd(
        rows.map((r) => r.probabilities),
        empty.probabilities,
      ).map(round6),
      pool: setup.labels.pool.map((row) => [...row]),
      sd: new Array<number>(V).fill(1),
    },
  };
  part.shiftSd = columnSd(
    rows.map((r) => posteriorShift(part, r)),
    zeros,
  ).map(round6);
  part.labels.sd = columnSd(
    rows.map((r) => probabilityShift(part, r)),
    zeros,
  ).map(round6);
  const { alpha, beta } = choice;
  return {
    values: [...values],
    ...part,
    sources: { ...choice.sources },
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
  /** The Spearman of each response (their mean is `perResponse`). */
  responses: number[];
}

/**
 * Per-response Spearman on `profiles`; across-response Spearman on `shifts` (default `profiles`): a
 * fitted mapping's intercept is constant on new data but differs between folds, so the across figure
 * is taken on the intercept-free part.
 */
export function scorePortrait(
  profiles: readonly (readonly number[])[],
  truth: readonly (readonly number[])[],
  shifts: readonly (readonly number[])[] = profiles,
): PortraitScore {
  const perValue = truth[0]!.map(
    (_, v) =>
      spearman(
        shifts.map((p) => p[v]!),
        truth.map((t) => t[v]!),
      ) ?? 0,
  );
  const responses = profiles.map((p, i) => spearman(p, truth[i]!) ?? 0);
  return { perResponse: mean(responses), across: mean(perValue), perValue, responses };
}

/** The fold of each row, dealt per group (a prompt's responses stay together). */
export function groupFolds(groups: readonly number[], folds: number, seed: number): number[] {
  const ids = [...new Set(groups)].sort((a, b) => a - b);
  const fa = foldAssignment(ids.length, folds, seed);
  return groups.map((g) => fa[ids.indexOf(g)]!);
}

/** Out-of-fold profiles of grouped k-fold CV, with the choice fixed or made by `choose` per training part. */
function outOfFold(
  setup: PortraitSetup,
  rows: readonly PortraitRow[],
  folds: number,
  seed: number,
  choose: (train: PortraitRow[]) => PortraitChoice,
) {
  const fold = groupFolds(
    rows.map((r) => r.group),
    folds,
    seed,
  );
  const profiles: number[][] = new Array<number[]>(rows.length);
  const shifts: number[][] = new Array<number[]>(rows.length);
  const chosen: PortraitChoice[] = [];
  for (let f = 0; f < folds; f++) {
    const train = rows.filter((_, i) => fold[i] !== f);
    const choice = choose(train);
    chosen.push(choice);
    const m = fitPortrait(setup, train, choice);
    rows.forEach((r, i) => {
      if (fold[i] !== f) return;
      const out = applyPortrait(m, r);
      profiles[i] = out.profile;
      // A fitted mapping ranks new responses on each value by its shift, whatever β (> 0): the folds'
      // shifts are pooled without β, which differs between folds and would mix their scales.
      shifts[i] = out.shift.map((x) => x / choice.beta);
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

/**
 * Sources, α and β by grouped 4-fold CV on `rows`: the sources and α by the across-response figure
 * (which β does not change), then β by the per-response figure; first best kept on ties.
 */
export function choosePortrait(
  setup: PortraitSetup,
  rows: readonly PortraitRow[],
  seed: number,
  grid: PortraitGrid = {},
): PortraitChoice {
  const { sources: sourcesGrid = PORTRAIT_SOURCES, alphas = PORTRAIT_ALPHAS, betas = PORTRAIT_BETAS } = grid;
  const cv = (choice: PortraitChoice) => outOfFold(setup, rows, 4, seed, () => choice).score;
  let best: PortraitChoice = {
    sources: sourcesGrid[0]!,
    alpha: alphas[0]!,
    beta: betas[0]!,
  };
  let top = -Infinity;
  for (const sources of sourcesGrid) {
    for (const alpha of alphas) {
      const s = cv({ sources, alpha, beta: betas[0]! }).across;
      if (s > top + 1e-12) [top, best] = [s, { sources, alpha, beta: betas[0]! }];
    }
  }
  // β: the smallest (the population's ordering, ties broken by the text) unless a larger one beats it
  // per response by more than one standard error of the paired difference.
  const base = cv(best).responses;
  let beta = best.beta;
  top = 0;
  for (const b of betas.slice(1)) {
    const gain = cv({ ...best, beta: b }).responses.map((r, i) => r - base[i]!);
    const g = mean(gain);
    const se = Math.sqrt(mean(gain.map((x) => (x - g) ** 2)) / Math.max(1, gain.length - 1));
    if (g > se && g > top) [top, beta] = [g, b];
  }
  return { ...best, beta };
}

/** Nested grouped CV: each outer fold's choice made by an inner CV on its training part only. */
export function crossValidatePortrait(
  setup: PortraitSetup,
  rows: readonly PortraitRow[],
  folds: number,
  seed: number,
  grid: PortraitGrid = {},
) {
  return outOfFold(setup, rows, folds, seed, (train) => choosePortrait(setup, train, seed + 1, grid));
}
