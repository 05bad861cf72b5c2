/**
 * The value profile against Value Portrait (Han et al., ACL 2025): real responses with how much people
 * high on each of the ten Schwartz values endorse them (correlations). Dev part only.
 *
 *   npx tsx scripts/eval-value-portrait.ts [--data <dir>]   (default ../shared/data/valueportrait)
 *
 * Reports, for the learned and the phrase detector and a constant attributor (the SCM prior), the mean
 * per-response Spearman (the ten-value ranking of one response vs its truth) and the mean
 * across-response Spearman (one value across all responses, averaged over the ten values). Then the
 * endorsement profile the service gives (the mapping shipped in the artefact, portrait.ts; fitted on
 * this very data, so in-sample), the same mapping by nested 5-fold cross-validation grouped by prompt
 * (the honest figure; also with each of its two readings alone), and for comparison a ridge regression per value from the learned detector's
 * ten posterior levels and twenty category probabilities (penalty by nested CV).
 */
import { resolve } from 'node:path';
import { attributeLearned, valueDetector } from '../src/attribution/index.js';
import {
  crossValidatePortrait,
  groupFolds,
  PORTRAIT_BETA_GRID,
  scorePortrait,
  type PortraitChoice,
  type PortraitScore,
  type PortraitSources,
} from '../src/attribution/learned/portrait.js';
import { loadGraphDir } from '../src/graphs/registry.js';
import { VALUES_10 } from './lib/data.js';
import { PORTRAIT_SEED, readPortraitRows } from './lib/value-portrait.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

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
  const models = VALUES_10.map((_, v) =>
    ridge(
      x,
      y.map((t) => t[v]!),
      lambda,
    ),
  );
  return (row: number[]) => models.map((m) => m(row));
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
  return { score: scorePortrait(pred, y, shifts), chosen };
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

function main(argv: string[]) {
  const i = argv.indexOf('--data');
  const dir = resolve(i >= 0 ? argv[i + 1]! : '../shared/data/valueportrait');
  const entry = loadGraphDir().get('schwartz-10')!;
  const detector = valueDetector();
  const { rows, setup } = readPortraitRows(dir, entry, detector);
  const { empty } = setup;
  const truth = rows.map((r) => r.truth);
  const learned = rows.map((r) => attributeLearned(entry, r.text));
  const fmt = (s: PortraitScore) =>
    `per-response ${s.perResponse.toFixed(3)}, across-response ${s.across.toFixed(3)} (${s.perValue.map((x) => x.toFixed(2)).join(' ')})`;
  const out: string[] = [
    `Value Portrait dev part: ${rows.length} responses to ${new Set(rows.map((r) => r.group)).size} prompts`,
    `constant (SCM prior):  ${fmt(
      scorePortrait(
        rows.map(() => empty.learned),
        truth,
      ),
    )}`,
    `phrase detector:       ${fmt(
      scorePortrait(
        rows.map((r) => r.phrases),
        truth,
      ),
    )}`,
    `learned detector:      ${fmt(
      scorePortrait(
        rows.map((r) => r.learned),
        truth,
      ),
    )}`,
  ];
  const groups = rows.map((r) => r.group);
  // The dev mean of the other folds: a constant on new data, so it ranks no responses (its fold-to-fold
  // differences are not a signal).
  const none = rows.map(() => VALUES_10.map(() => 0));
  const constant = (seed: number) => {
    const fold = groupFolds(groups, 5, seed);
    const devMean = rows.map((_, r) =>
      VALUES_10.map((_, v) => {
        const tr = truth.filter((_, d) => fold[d] !== fold[r]);
        return tr.reduce((a, t) => a + t[v]!, 0) / tr.length;
      }),
    );
    return scorePortrait(devMean, truth, none);
  };
  out.push(`constant (dev mean, 5-fold CV by prompt): ${fmt(constant(PORTRAIT_SEED))}`);
  const shipped = learned.map((a) => a.endorsement);
  if (shipped.every((e) => e !== undefined)) {
    out.push(
      `endorsement profile as served (mapping fitted on this data: in-sample): ${fmt(
        scorePortrait(
          shipped.map((e) => e.map((x) => x.score)),
          truth,
          shipped.map((e) => e.map((x) => x.shift)),
        ),
      )}`,
    );
  }
  const source = (s: PortraitSources) =>
    s.posterior && s.probabilities ? 'both' : s.posterior ? 'posterior' : 'probabilities';
  const choices = (c: PortraitChoice[]) =>
    c.map((x) => `${source(x.sources)}/${x.alpha}/${x.beta}`).join(', ');
  const cv = crossValidatePortrait(setup, rows, 5, PORTRAIT_SEED);
  out.push(
    `endorsement mapping, nested 5-fold CV by prompt: ${fmt(cv.score)}; sources/α/β per fold ${choices(cv.chosen)}`,
  );
  // The same nested CV with other fold assignments (how much the figures depend on the split).
  const seeds = [1, 2, 3, 4, 5];
  const other = seeds.map((seed) => ({
    cv: crossValidatePortrait(setup, rows, 5, seed).score,
    constant: constant(seed).perResponse,
  }));
  const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
  out.push(
    `  with fold seeds ${seeds.join(', ')}: across-response ${other.map((o) => o.cv.across.toFixed(3)).join(', ')} (mean ${avg(other.map((o) => o.cv.across))}); per-response ${other.map((o) => o.cv.perResponse.toFixed(3)).join(', ')} (mean ${avg(other.map((o) => o.cv.perResponse))}) vs the constant's ${other.map((o) => o.constant.toFixed(3)).join(', ')} (mean ${avg(other.map((o) => o.constant))})`,
  );
  const free = crossValidatePortrait(setup, rows, 5, PORTRAIT_SEED, { betas: PORTRAIT_BETA_GRID });
  out.push(
    `  with β chosen by the inner CV too (grid ${PORTRAIT_BETA_GRID.join(', ')}), nested 5-fold CV by prompt: ${fmt(free.score)}; α/β per fold ${free.chosen.map((c) => `${c.alpha}/${c.beta}`).join(', ')}`,
  );
  for (const only of [
    { posterior: 1, probabilities: 0 },
    { posterior: 0, probabilities: 1 },
  ]) {
    const one = crossValidatePortrait(setup, rows, 5, PORTRAIT_SEED, { sources: [only] });
    out.push(
      `  with the ${source(only)} reading only, nested 5-fold CV by prompt: ${fmt(one.score)}; α/β per fold ${one.chosen.map((c) => `${c.alpha}/${c.beta}`).join(', ')}`,
    );
  }
  const x = learned.map((a, r) => [...rows[r]!.learned, ...a.categories.map((c) => c.probability)]);
  const ridgeCv = crossValidateRidge(x, truth, groups, 5, PORTRAIT_SEED);
  out.push(
    `learned + ridge on 10 values and 20 categories, nested 5-fold CV by prompt: ${fmt(ridgeCv.score)}; λ per fold ${ridgeCv.chosen.join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main(process.argv.slice(2));
