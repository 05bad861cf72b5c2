/**
 * The value profile against Value Portrait (Han et al., ACL 2025): real responses with how much people
 * high on each of the ten Schwartz values endorse them (correlations). Dev part only.
 *
 *   npx tsx scripts/eval-value-portrait.ts [--data <dir>]   (default ../shared/data/valueportrait)
 *
 * Reports, for the learned and the phrase detector and a constant attributor (the SCM prior), the mean
 * per-response Spearman (the ten-value ranking of one response vs its truth) and the mean
 * across-response Spearman (one value across all responses, averaged over the ten values). Then the
 * detection → profile mapping calibrated on the dev part: a ridge regression per value from the
 * learned detector's ten posterior means and twenty category probabilities to the endorsement
 * profile, its intercept the dev mean profile (the population's ordering where the text says
 * nothing); figures by 5-fold cross-validation grouped by prompt (the responses to one prompt stay in
 * one fold), the ridge penalty chosen by an inner cross-validation on each outer training part.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attributeLearned, attributeText, spearman, type Attribution } from '../src/attribution/index.js';
import { foldAssignment } from '../src/attribution/learned/train.js';
import { loadGraphDir } from '../src/graphs/registry.js';

const VALUES = [
  'self_direction',
  'stimulation',
  'hedonism',
  'achievement',
  'power',
  'security',
  'conformity',
  'tradition',
  'benevolence',
  'universalism',
];

interface Row {
  text: string;
  truth: number[];
  group: number;
}

function load(dir: string): Row[] {
  const data = JSON.parse(readFileSync(join(dir, 'tagged-responses.dev.json'), 'utf8')) as Array<{
    outputs: Array<{ content: string; correlations: Array<[string, number]> }>;
  }>;
  const rows: Row[] = [];
  data.forEach((prompt, group) => {
    for (const o of prompt.outputs) {
      const t = new Map(o.correlations.map(([k, v]) => [k.toLowerCase(), v]));
      rows.push({ text: o.content, truth: VALUES.map((v) => t.get(v)!), group });
    }
  });
  return rows;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

/**
 * Per-response Spearman on `pred`; across-response Spearman on `shifts` (default `pred`): with a
 * fitted mapping, its intercept is constant on new data and must not rank responses, but differs
 * between cross-validation folds, so the across-response figure is taken on the intercept-free part.
 */
export function scoreProfiles(pred: number[][], truth: number[][], shifts: number[][] = pred) {
  const perResponse = mean(pred.map((p, i) => spearman(p, truth[i]!) ?? 0));
  const across = VALUES.map(
    (_, v) =>
      spearman(
        shifts.map((p) => p[v]!),
        truth.map((t) => t[v]!),
      ) ?? 0,
  );
  return { perResponse, across: mean(across), perValue: across };
}

/** Ridge regression (features standardised on the training rows); returns a predictor. */
function ridge(
  x: number[][],
  y: number[],
  lambda: number,
): (row: number[]) => { intercept: number; shift: number } {
  const n = x.length;
  const k = x[0]!.length;
  const mu = Array.from({ length: k }, (_, j) => mean(x.map((r) => r[j]!)));
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(mean(x.map((r) => (r[j]! - mu[j]!) ** 2))) || 1);
  const z = x.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!));
  const ym = mean(y);
  // (ZᵀZ + λn I) b = Zᵀ(y − ȳ), solved by Gaussian elimination.
  const a = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k + 1 }, (_, j) => {
      if (j === k) return z.reduce((s, r, d) => s + r[i]! * (y[d]! - ym), 0);
      return z.reduce((s, r) => s + r[i]! * r[j]!, 0) + (i === j ? lambda * n : 0);
    }),
  );
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  const b = a.map((row, i) => row[k]! / row[i]!);
  return (row) => ({ intercept: ym, shift: row.reduce((s, v, j) => s + b[j]! * ((v - mu[j]!) / sd[j]!), 0) });
}

const LAMBDAS = [0.3, 1, 3, 10, 30];

function fitMapping(x: number[][], y: number[][], lambda: number) {
  const models = VALUES.map((_, v) =>
    ridge(
      x,
      y.map((t) => t[v]!),
      lambda,
    ),
  );
  return (row: number[]) => models.map((m) => m(row));
}

/** The fold of each row, assigned per group (a prompt's responses stay together). */
function groupFolds(groups: number[], folds: number, seed: number): number[] {
  const ids = [...new Set(groups)].sort((a, b) => a - b);
  const fa = foldAssignment(ids.length, folds, seed);
  return groups.map((g) => fa[ids.indexOf(g)]!);
}

/**
 * Grouped k-fold cross-validation of the detection → profile mapping: each fold's mapping is fitted on
 * the other folds, with the ridge penalty `lambdaFor` picks from those training rows alone.
 */
function crossValidateMapping(
  x: number[][],
  y: number[][],
  groups: number[],
  folds: number,
  seed: number,
  lambdaFor: (train: number[]) => number,
) {
  const fold = groupFolds(groups, folds, seed);
  const pred: number[][] = new Array<number[]>(x.length);
  const shifts: number[][] = new Array<number[]>(x.length);
  const chosen: number[] = [];
  for (let f = 0; f < folds; f++) {
    const tr = x.map((_, i) => i).filter((i) => fold[i] !== f);
    const lambda = lambdaFor(tr);
    chosen.push(lambda);
    const map = fitMapping(
      tr.map((i) => x[i]!),
      tr.map((i) => y[i]!),
      lambda,
    );
    x.forEach((row, i) => {
      if (fold[i] !== f) return;
      const out = map(row);
      pred[i] = out.map((o) => o.intercept + o.shift);
      shifts[i] = out.map((o) => o.shift);
    });
  }
  return { score: scoreProfiles(pred, y, shifts), chosen };
}

/** Nested CV: the penalty of each outer fold chosen by an inner 4-fold CV on its training part only. */
function crossValidateRidge(x: number[][], y: number[][], groups: number[], folds: number, seed: number) {
  return crossValidateMapping(x, y, groups, folds, seed, (tr) => {
    let best = -Infinity;
    let lambda = LAMBDAS[2]!;
    for (const l of LAMBDAS) {
      const inner = crossValidateFixed(
        tr.map((i) => x[i]!),
        tr.map((i) => y[i]!),
        tr.map((i) => groups[i]!),
        4,
        seed + 1,
        l,
      );
      const s = inner.score.across + inner.score.perResponse;
      if (s > best) [best, lambda] = [s, l];
    }
    return lambda;
  });
}

/** Cross-validation with one fixed penalty (the inner loop of crossValidateRidge). */
function crossValidateFixed(
  x: number[][],
  y: number[][],
  groups: number[],
  folds: number,
  seed: number,
  lambda: number,
) {
  return crossValidateMapping(x, y, groups, folds, seed, () => lambda);
}

/** Standardise each column (over all rows: no labels used). */
function standardise(m: number[][]): number[][] {
  const k = m[0]!.length;
  const mu = Array.from({ length: k }, (_, j) => mean(m.map((r) => r[j]!)));
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(mean(m.map((r) => (r[j]! - mu[j]!) ** 2))) || 1);
  return m.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!));
}

const BETAS = [0, 0.005, 0.01, 0.02, 0.05, 0.1];

/** CV of `dev mean + β·z`, β chosen by an inner CV (per-response Spearman) on each training part. */
function crossValidate(z: number[][], y: number[][], groups: number[], folds: number, seed: number) {
  const run = (rows: number[], beta: number | null, f: number, fold: number[]) => {
    const tr = rows.filter((i) => fold[i] !== f);
    const m = y[0]!.map((_, v) => mean(tr.map((i) => y[i]![v]!)));
    return { m, beta };
  };
  const fold = groupFolds(groups, folds, seed);
  const all = z.map((_, i) => i);
  const pred: number[][] = new Array<number[]>(z.length);
  const chosen: number[] = [];
  for (let f = 0; f < folds; f++) {
    const tr = all.filter((i) => fold[i] !== f);
    // Inner CV on the outer training part: per-response Spearman of each β.
    const innerFold = groupFolds(groups, 4, seed + 1);
    let best = { beta: 0, score: -Infinity };
    for (const beta of BETAS) {
      const scores: number[] = [];
      for (let g = 0; g < 4; g++) {
        const { m } = run(tr, beta, g, innerFold);
        for (const i of tr)
          if (innerFold[i] === g)
            scores.push(
              spearman(
                m.map((mv, v) => mv + beta * z[i]![v]!),
                y[i]!,
              ) ?? 0,
            );
      }
      if (mean(scores) > best.score) best = { beta, score: mean(scores) };
    }
    chosen.push(best.beta);
    const { m } = run(all, best.beta, f, fold);
    for (const i of all) if (fold[i] === f) pred[i] = m.map((mv, v) => mv + best.beta * z[i]![v]!);
  }
  return { score: scoreProfiles(pred, y, z), chosen };
}

function main(argv: string[]) {
  const i = argv.indexOf('--data');
  const dir = resolve(i >= 0 ? argv[i + 1]! : '../shared/data/valueportrait');
  const rows = load(dir);
  const entry = loadGraphDir().get('schwartz-10')!;
  const profile = (a: Attribution) => VALUES.map((v) => a.values.find((x) => x.value === v)!.likert5);
  const truth = rows.map((r) => r.truth);
  const learned = rows.map((r) => attributeLearned(entry, r.text));
  const fmt = (s: ReturnType<typeof scoreProfiles>) =>
    `per-response ${s.perResponse.toFixed(3)}, across-response ${s.across.toFixed(3)} (${s.perValue.map((x) => x.toFixed(2)).join(' ')})`;
  const out: string[] = [
    `Value Portrait dev part: ${rows.length} responses to ${new Set(rows.map((r) => r.group)).size} prompts`,
  ];
  out.push(
    `constant (SCM prior):  ${fmt(
      scoreProfiles(
        rows.map(() => profile(attributeLearned(entry, ''))),
        truth,
      ),
    )}`,
  );
  out.push(
    `phrase detector:       ${fmt(
      scoreProfiles(
        rows.map((r) => profile(attributeText(entry, r.text))),
        truth,
      ),
    )}`,
  );
  out.push(`learned detector:      ${fmt(scoreProfiles(learned.map(profile), truth))}`);
  const groups = rows.map((r) => r.group);
  // The detection → profile mapping: the dev mean profile (the population's ordering where the text
  // says nothing) plus β times the learned profile, standardised per value. Monotone per value, so the
  // across-response figure is the detector's own; β is chosen by 5-fold CV by prompt.
  const z = standardise(learned.map(profile));
  const cv = crossValidate(z, truth, groups, 5, 14);
  out.push(
    `learned + calibrated mapping, 5-fold CV by prompt: ${fmt(cv.score)}; β per fold ${cv.chosen.join(', ')}`,
  );
  const x = learned.map((a) => [...profile(a), ...a.categories.map((c) => c.probability)]);
  const ridgeCv = crossValidateRidge(x, truth, groups, 5, 14);
  out.push(
    `learned + ridge on 10 values and 20 categories, 5-fold CV by prompt: ${fmt(ridgeCv.score)}; λ per fold ${ridgeCv.chosen.join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main(process.argv.slice(2));
