/**
 * Text → per-response profile by ridge regression, evaluated by nested cross-validation grouped by
 * prompt (build-time analysis for `npm run eval:portrait`; pure, no I/O). The attempts to beat the
 * constant (the training part's mean profile) per response:
 *
 * - `values`: one ridge per value on the deviations of the truth from the training mean; the profile
 *   is `m + γ·prediction`;
 * - `loading`: one ridge on each response's loading a on the mean profile (T·m / |m|²); the profile is
 *   `m·(1 + γ·(â − 1))`, which keeps the mean ordering or reverses it (only the sign can reorder).
 *
 * The penalty λ and the move γ (γ = 0 is the constant itself) are chosen by an inner 4-fold CV on
 * each outer training part, by the per-response figure (or per-response + across-response); features
 * are built from the training rows of each fit only (a tf-idf vocabulary never sees the test part).
 */
import { groupFolds, scorePortrait, type PortraitScore } from '../../src/attribution/learned/portrait.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Solve A X = B (A n×n, B n×m) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / pivot;
      if (f !== 0) for (let j = c; j < m[r]!.length; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row, i) => row.slice(n).map((x) => x / row[i]!));
}

/**
 * Multi-output ridge regression in its dual form (n training rows, any number of features): features
 * standardised on the training rows, `(Z Zᵀ + λ n I) A = Y − ȳ`, prediction `z Zᵀ A` (the shift from ȳ).
 */
export function dualRidge(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  lambda: number,
): (row: readonly number[]) => number[] {
  const n = x.length;
  const k = x[0]!.length;
  const mu = Array.from({ length: k }, (_, j) => mean(x.map((r) => r[j]!)));
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(mean(x.map((r) => (r[j]! - mu[j]!) ** 2))) || 1);
  const std = (r: readonly number[]) => r.map((v, j) => (v - mu[j]!) / sd[j]!);
  const z = x.map(std);
  const ym = y[0]!.map((_, o) => mean(y.map((r) => r[o]!)));
  const gram = z.map((a, i) => z.map((b, j) => dot(a, b) + (i === j ? lambda * n : 0)));
  const alpha = solve(
    gram,
    y.map((r) => r.map((v, o) => v - ym[o]!)),
  );
  return (row) => {
    const s = std(row);
    const kx = z.map((zi) => dot(zi, s));
    return ym.map((_, o) => kx.reduce((acc, kv, i) => acc + kv * alpha[i]![o]!, 0));
  };
}

/** Style of a response: length, pronouns, hedges, prescriptions, punctuation, praise and blame words. */
const STYLE_WORDS: Record<string, readonly string[]> = {
  you: ['you', "you're", 'your', 'yourself'],
  i: ['i', "i'm", 'me', 'my'],
  we: ['we', 'us', 'our'],
  hedge: ['might', 'could', 'may', 'perhaps', 'maybe', 'consider', 'understandable', 'valid'],
  should: ['should', 'must', 'need', 'needs'],
  negation: ['not', "don't", "isn't", "wasn't", 'no', 'never', "can't", "won't"],
  praise: ['good', 'great', 'commendable', 'kind', 'nice', 'important', 'helpful', 'support'],
  blame: ['asshole', 'wrong', 'rude', 'selfish', 'fault', 'blame', 'inappropriate', 'unfair'],
};
export const STYLE_FEATURES = ['log length', ...Object.keys(STYLE_WORDS), 'questions', 'exclamations'];

const tokens = (text: string) => text.toLowerCase().match(/[a-z']+/g) ?? [];

export function styleFeatures(text: string): number[] {
  const words = tokens(text);
  const n = words.length || 1;
  const share = (list: readonly string[]) => words.filter((w) => list.includes(w)).length / n;
  return [
    Math.log(n),
    ...Object.values(STYLE_WORDS).map(share),
    (text.match(/\?/g) ?? []).length / n,
    (text.match(/!/g) ?? []).length / n,
  ];
}

/** Word tf-idf (`1 + ln count` × idf, L2-normalised) with the vocabulary of the `train` rows (df ≥ minDf). */
export function wordTfidf(texts: readonly string[], train: readonly number[], minDf = 3): number[][] {
  const toks = texts.map(tokens);
  const df = new Map<string, number>();
  for (const i of train) for (const w of new Set(toks[i])) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = [...df].filter(([, c]) => c >= minDf).map(([w]) => w);
  vocab.sort();
  const index = new Map(vocab.map((w, j) => [w, j]));
  const idf = vocab.map((w) => Math.log((1 + train.length) / (1 + df.get(w)!)) + 1);
  return toks.map((ws) => {
    const row = new Array<number>(vocab.length).fill(0);
    const counts = new Map<string, number>();
    for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const [w, c] of counts) {
      const j = index.get(w);
      if (j !== undefined) row[j] = (1 + Math.log(c)) * idf[j]!;
    }
    const norm = Math.sqrt(dot(row, row)) || 1;
    return row.map((v) => v / norm);
  });
}

export interface DeviationOptions {
  /** Features of every row, built from the training rows `train` only. */
  features: (train: readonly number[]) => readonly (readonly number[])[];
  target: 'values' | 'loading';
  lambdas: readonly number[];
  /** Moves to choose from, smallest first (0: the constant). */
  gammas: readonly number[];
  /** What the inner CV maximises. */
  objective: 'perResponse' | 'both';
}

export interface DeviationResult {
  score: PortraitScore;
  /** λ and γ per outer fold. */
  chosen: Array<{ lambda: number; gamma: number }>;
  /** Each row's out-of-fold model output (the predicted deviations, or the predicted loading shift). */
  outputs: number[][];
}

/** Profiles of `test` from a fit on `train`: the training mean and the unscaled move (γ = 1). */
function fitPredict(
  truth: readonly (readonly number[])[],
  x: readonly (readonly number[])[],
  train: readonly number[],
  test: readonly number[],
  o: DeviationOptions,
  lambda: number,
) {
  const m = truth[0]!.map((_, v) => mean(train.map((i) => truth[i]![v]!)));
  const mm = dot(m, m) || 1;
  const target = train.map((i) => (o.target === 'values' ? [...truth[i]!] : [dot(truth[i]!, m) / mm]));
  const model = dualRidge(
    train.map((i) => x[i]!),
    target,
    lambda,
  );
  return test.map((i) => {
    const p = model(x[i]!);
    // The loading model's shift moves along m (γ·(â − 1)·m); â's own mean is in the ridge's intercept.
    const move = o.target === 'values' ? p : m.map((mv) => mv * p[0]!);
    return { mean: m, move, output: p };
  });
}

/** Grouped k-fold CV with λ fixed: each test row's training mean and move, in row order. */
function outOfFold(
  truth: readonly (readonly number[])[],
  groups: readonly number[],
  rows: readonly number[],
  folds: number,
  seed: number,
  o: DeviationOptions,
  lambda: number,
) {
  const fold = groupFolds(
    rows.map((i) => groups[i]!),
    folds,
    seed,
  );
  const out = new Map<number, { mean: number[]; move: number[] }>();
  for (let f = 0; f < folds; f++) {
    const train = rows.filter((_, j) => fold[j] !== f);
    const test = rows.filter((_, j) => fold[j] === f);
    const x = o.features(train);
    fitPredict(truth, x, train, test, o, lambda).forEach((p, j) => out.set(test[j]!, p));
  }
  return rows.map((i) => out.get(i)!);
}

const profileOf = (p: { mean: number[]; move: number[] }, gamma: number) =>
  p.mean.map((m, v) => m + gamma * p.move[v]!);

/** Nested grouped CV of the deviation model (λ, γ chosen by an inner 4-fold CV per outer training part). */
export function crossValidateDeviation(
  truth: readonly (readonly number[])[],
  groups: readonly number[],
  folds: number,
  seed: number,
  o: DeviationOptions,
): DeviationResult {
  const all = truth.map((_, i) => i);
  const fold = groupFolds(groups, folds, seed);
  const profiles: number[][] = new Array<number[]>(truth.length);
  const moves: number[][] = new Array<number[]>(truth.length);
  const outputs: number[][] = new Array<number[]>(truth.length);
  const chosen: DeviationResult['chosen'] = [];
  for (let f = 0; f < folds; f++) {
    const train = all.filter((i) => fold[i] !== f);
    const test = all.filter((i) => fold[i] === f);
    let best = { value: -Infinity, lambda: o.lambdas[0]!, gamma: o.gammas[0]! };
    for (const lambda of o.lambdas) {
      const inner = outOfFold(truth, groups, train, 4, seed + 1, o, lambda);
      const innerTruth = train.map((i) => truth[i]!);
      for (const gamma of o.gammas) {
        const s = scorePortrait(
          inner.map((p) => profileOf(p, gamma)),
          innerTruth,
          inner.map((p) => p.move),
        );
        const value = o.objective === 'both' ? s.perResponse + s.across : s.perResponse;
        if (value > best.value + 1e-12) best = { value, lambda, gamma };
      }
    }
    chosen.push({ lambda: best.lambda, gamma: best.gamma });
    fitPredict(truth, o.features(train), train, test, o, best.lambda).forEach((p, j) => {
      profiles[test[j]!] = profileOf(p, best.gamma);
      moves[test[j]!] = p.move;
      outputs[test[j]!] = p.output;
    });
  }
  return { score: scorePortrait(profiles, truth, moves), chosen, outputs };
}
