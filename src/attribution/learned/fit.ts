/**
 * Fitting the learned detector end to end (pure; no I/O): examples → features → vocabulary/idf →
 * logistic regressions (train.ts) → Platt calibration and F1-optimal thresholds chosen on out-of-fold
 * scores of a k-fold cross-validation → artefact. The same routine reports the cross-validated figures
 * (each fold's thresholds are chosen on the other folds' out-of-fold scores, never on its own) and
 * figures on a held-out part.
 *
 * Folds are dealt by `group` (the argument's conclusion): arguments on one conclusion share a topic
 * and its wording, and a detector meant for unseen topics must be measured on unseen topics.
 */
import {
  ARTEFACT_FORMAT,
  ARTEFACT_FORMAT_VERSION,
  artefactChecksum,
  encodeWeights,
  type ArtefactLabel,
  type DetectorArtefact,
} from './artefact.js';
import { extractFeatures, vectorize, type FeatureBag, type LexiconEntry } from './features.js';
import {
  bestThreshold,
  DEFAULT_LOGISTIC,
  evaluateDecisions,
  fitPlatt,
  foldAssignment,
  macroF1,
  scoreVector,
  sigmoid,
  trainLogistic,
  type LinearModel,
  type LogisticOptions,
  type PRF,
} from './train.js';

export interface TrainingExample {
  text: string;
  stance?: 'in favor of' | 'against' | undefined;
  /** Cross-validation group (e.g. the conclusion). */
  group: string;
  /** Label names (level-1 values and categories). */
  labels: readonly string[];
}

export interface LabelSpec {
  name: string;
  level: 'value' | 'category';
  category?: string;
}

export interface FitOptions {
  logistic: LogisticOptions;
  /** Minimum document frequency of a word or word-pair feature. */
  minDf: number;
  folds: number;
  /** Feature kinds used (prefixes of features.ts); the baseline uses only `w` and `b`. */
  kinds: readonly string[];
}

export const DEFAULT_FIT: FitOptions = {
  logistic: { ...DEFAULT_LOGISTIC, learningRate: 0.1 },
  minDf: 2,
  folds: 5,
  kinds: ['w', 'n', 'b', 'l', 'g', 's'],
};

interface Prepared {
  bags: FeatureBag[];
  ys: Uint8Array[];
  hits: Uint8Array[];
}

function prepare(
  examples: readonly TrainingExample[],
  labels: readonly LabelSpec[],
  lexicon: readonly LexiconEntry[],
  kinds: readonly string[],
): Prepared {
  const index = new Map(labels.map((l, i) => [l.name, i]));
  const keep = new Set(kinds);
  const bags = examples.map((e) => {
    const bag = extractFeatures(e.text, keep.has('l') || keep.has('g') ? lexicon : [], { stance: e.stance });
    for (const name of [...bag.features.keys()]) if (!keep.has(name.slice(0, 1))) bag.features.delete(name);
    return bag;
  });
  const ys = examples.map((e) => {
    const y = new Uint8Array(labels.length);
    for (const name of e.labels) {
      const i = index.get(name);
      if (i === undefined)
        throw new Error(`example label "${name}" is not one of the ${labels.length} labels`);
      y[i] = 1;
    }
    return y;
  });
  return { bags, ys, hits: bags.map((b) => lexiconHits(b.features, labels)) };
}

interface Fitted {
  model: LinearModel;
  vocabulary: string[];
  vocabIndex: Map<string, number>;
  idf: number[];
}

function fitLinear(p: Prepared, idx: readonly number[], L: number, options: FitOptions): Fitted {
  const df = new Map<string, number>();
  for (const d of idx) for (const k of p.bags[d]!.features.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  // Lexicon and stance features are kept whatever their frequency: they are prior knowledge.
  const vocabulary = [...df.keys()].filter((k) => df.get(k)! >= options.minDf || /^[lgs]:/.test(k)).sort();
  const vocabIndex = new Map(vocabulary.map((n, i) => [n, i]));
  const idf = vocabulary.map((n) => Number((Math.log((idx.length + 1) / (df.get(n)! + 1)) + 1).toFixed(6)));
  const xs = idx.map((d) => vectorize(p.bags[d]!, vocabIndex, idf));
  const model = trainLogistic(
    xs,
    idx.map((d) => p.ys[d]!),
    vocabulary.length,
    L,
    options.logistic,
  );
  return { model, vocabulary, vocabIndex, idf };
}

export interface Calibration {
  platt: Array<{ a: number; b: number }>;
  /** Per label: P(label | a lexicon phrase of it is seen), smoothed towards LEXICON_PRIOR. */
  lexicon: number[];
  thresholds: number[];
}

/** Prior precision of a lexicon hit and its weight in pseudo-examples (rare labels lean on it). */
export const LEXICON_PRIOR = { precision: 0.5, weight: 4 };

/** Which labels' lexicon phrases a bag holds (`l:<value>` for values, `g:<category>` for categories). */
export function lexiconHits(
  features: { has(name: string): boolean },
  labels: ReadonlyArray<{ name: string; level: 'value' | 'category' }>,
): Uint8Array {
  return Uint8Array.from(labels, (l) =>
    features.has(`${l.level === 'value' ? 'l' : 'g'}:${l.name}`) ? 1 : 0,
  );
}

/**
 * Calibrated probabilities: Platt-scaled scores, raised to the label's lexicon precision when one of
 * its taxonomy phrases is in the text (prior knowledge for labels the data rarely shows, e.g.
 * "protect the environment"), then each category raised to its most likely value.
 */
export function calibratedProbabilities(
  scores: ArrayLike<number>,
  platt: ReadonlyArray<{ a: number; b: number }>,
  categoryOf: ReadonlyArray<number>,
  lexicon?: { precision: ArrayLike<number>; hits: ArrayLike<number> },
): Float64Array {
  const p = Float64Array.from({ length: scores.length }, (_, l) => {
    const model = sigmoid(platt[l]!.a * scores[l]! + platt[l]!.b);
    return lexicon && lexicon.hits[l] ? Math.max(model, lexicon.precision[l]!) : model;
  });
  for (let l = 0; l < p.length; l++) {
    const c = categoryOf[l]!;
    if (c >= 0 && p[l]! > p[c]!) p[c] = p[l]!;
  }
  return p;
}

/** Category index of each label (−1 for categories). */
function categoryIndex(labels: readonly LabelSpec[]): number[] {
  const index = new Map(labels.map((l, i) => [l.name, i]));
  return labels.map((l) => (l.level === 'value' && l.category ? (index.get(l.category) ?? -1) : -1));
}

function calibrate(
  scores: readonly Float64Array[],
  ys: readonly Uint8Array[],
  hits: readonly Uint8Array[],
  categoryOf: number[],
): Calibration {
  const L = categoryOf.length;
  const lexicon = Array.from({ length: L }, (_, l) => {
    let seen = 0;
    let right = 0;
    hits.forEach((h, d) => {
      if (!h[l]) return;
      seen++;
      right += ys[d]![l]!;
    });
    const { precision, weight } = LEXICON_PRIOR;
    return Number(((right + weight * precision) / (seen + weight)).toFixed(6));
  });
  const platt = Array.from({ length: L }, (_, l) => {
    const { a, b } = fitPlatt(
      scores.map((s) => s[l]!),
      ys.map((y) => y[l]!),
    );
    return { a: Number(a.toPrecision(8)), b: Number(b.toPrecision(8)) };
  });
  const probs = scores.map((s, d) =>
    calibratedProbabilities(s, platt, categoryOf, { precision: lexicon, hits: hits[d]! }),
  );
  const thresholds = Array.from(
    { length: L },
    (_, l) =>
      bestThreshold(
        probs.map((p) => p[l]!),
        ys.map((y) => y[l]!),
      ).threshold,
  );
  return { platt, lexicon, thresholds };
}

function decide(scores: Float64Array, hits: Uint8Array, cal: Calibration, categoryOf: number[]): Uint8Array {
  const p = calibratedProbabilities(scores, cal.platt, categoryOf, { precision: cal.lexicon, hits });
  return Uint8Array.from(p, (x, l) => (x >= cal.thresholds[l]! ? 1 : 0));
}

export interface Figures {
  valueMacroF1: number;
  categoryMacroF1: number;
  perLabel: Array<{ name: string; level: 'value' | 'category' } & PRF>;
}

function figures(rows: PRF[], labels: readonly LabelSpec[]): Figures {
  const r = (x: number) => Number(x.toFixed(4));
  const perLabel = rows.map((row, l) => ({
    name: labels[l]!.name,
    level: labels[l]!.level,
    precision: r(row.precision),
    recall: r(row.recall),
    f1: r(row.f1),
    support: row.support,
  }));
  return {
    valueMacroF1: r(macroF1(rows.filter((_, l) => labels[l]!.level === 'value'))),
    categoryMacroF1: r(macroF1(rows.filter((_, l) => labels[l]!.level === 'category'))),
    perLabel,
  };
}

export interface FitResult {
  artefact: DetectorArtefact;
  crossValidation: Figures;
  heldOut?: Figures;
  alwaysPresent: { crossValidation: Figures; heldOut?: Figures };
}

export interface FitInput {
  train: readonly TrainingExample[];
  heldOut?: readonly TrainingExample[];
  labels: readonly LabelSpec[];
  lexicon: readonly LexiconEntry[];
  provenance: Omit<DetectorArtefact['provenance'], 'options' | 'examples'>;
  version: string;
  options?: FitOptions;
}

/** Cross-validate, fit on all of `train`, calibrate by CV, and evaluate on `heldOut`. */
export function fitDetector(input: FitInput): FitResult {
  const options = input.options ?? DEFAULT_FIT;
  const { labels, lexicon } = input;
  const L = labels.length;
  const categoryOf = categoryIndex(labels);
  const p = prepare(input.train, labels, lexicon, options.kinds);
  const n = input.train.length;

  // Folds by group.
  const groups = [...new Set(input.train.map((e) => e.group))].sort();
  const k = Math.min(options.folds, groups.length);
  if (k < 2) throw new Error(`cross-validation needs at least 2 groups, got ${groups.length}`);
  const groupFold = foldAssignment(groups.length, k, options.logistic.seed);
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const fold = input.train.map((e) => groupFold[groupIndex.get(e.group)!]!);

  const oof: Float64Array[] = new Array<Float64Array>(n);
  for (let f = 0; f < k; f++) {
    const idx = [...Array(n).keys()].filter((d) => fold[d] !== f);
    const fitted = fitLinear(p, idx, L, options);
    for (let d = 0; d < n; d++) {
      if (fold[d] !== f) continue;
      oof[d] = Float64Array.from(
        scoreVector(fitted.model, vectorize(p.bags[d]!, fitted.vocabIndex, fitted.idf)),
      );
    }
  }
  // CV figures: each fold decided with the calibration chosen on the other folds' out-of-fold scores.
  const cvDecisions: Uint8Array[] = new Array<Uint8Array>(n);
  for (let f = 0; f < k; f++) {
    const others = [...Array(n).keys()].filter((d) => fold[d] !== f);
    const cal = calibrate(
      others.map((d) => oof[d]!),
      others.map((d) => p.ys[d]!),
      others.map((d) => p.hits[d]!),
      categoryOf,
    );
    for (let d = 0; d < n; d++) {
      if (fold[d] === f) cvDecisions[d] = decide(oof[d]!, p.hits[d]!, cal, categoryOf);
    }
  }
  const crossValidation = figures(evaluateDecisions(cvDecisions, p.ys, L), labels);
  const always = (ys: readonly Uint8Array[]) =>
    figures(
      evaluateDecisions(
        ys.map(() => new Uint8Array(L).fill(1)),
        ys,
        L,
      ),
      labels,
    );

  // The shipped model: all of `train`, calibrated on all out-of-fold scores.
  const cal = calibrate(oof, p.ys, p.hits, categoryOf);
  const fitted = fitLinear(p, [...Array(n).keys()], L, options);
  const prior = (l: number) => Number((p.ys.reduce((s, y) => s + y[l]!, 0) / n).toFixed(6));
  const artefactLabels: ArtefactLabel[] = labels.map((spec, l) => ({
    name: spec.name,
    level: spec.level,
    ...(spec.category !== undefined ? { category: spec.category } : {}),
    platt: cal.platt[l]!,
    lexiconPrecision: cal.lexicon[l]!,
    threshold: cal.thresholds[l]!,
    prior: prior(l),
  }));
  const body: Omit<DetectorArtefact, 'checksum' | 'figures'> = {
    format: ARTEFACT_FORMAT,
    formatVersion: ARTEFACT_FORMAT_VERSION,
    version: input.version,
    provenance: {
      ...input.provenance,
      examples: n,
      options: { ...options, kinds: [...options.kinds] } as unknown as Record<string, unknown>,
    },
    labels: artefactLabels,
    lexicon: lexicon.map((e) => ({ label: e.label, category: e.category, phrases: [...e.phrases] })),
    vocabulary: fitted.vocabulary,
    idf: fitted.idf,
    weights: encodeWeights(fitted.model.weights, L),
    bias: Array.from(fitted.model.bias, (b) => Number(b.toPrecision(8))),
  };

  let heldOut: Figures | undefined;
  let alwaysHeld: Figures | undefined;
  if (input.heldOut && input.heldOut.length > 0) {
    const h = prepare(input.heldOut, labels, lexicon, options.kinds);
    const dec = h.bags.map((bag, d) =>
      decide(
        Float64Array.from(scoreVector(fitted.model, vectorize(bag, fitted.vocabIndex, fitted.idf))),
        h.hits[d]!,
        cal,
        categoryOf,
      ),
    );
    heldOut = figures(evaluateDecisions(dec, h.ys, L), labels);
    alwaysHeld = always(h.ys);
  }
  const summary = {
    crossValidation: {
      valueMacroF1: crossValidation.valueMacroF1,
      categoryMacroF1: crossValidation.categoryMacroF1,
    },
    ...(heldOut
      ? {
          heldOut: {
            valueMacroF1: heldOut.valueMacroF1,
            categoryMacroF1: heldOut.categoryMacroF1,
            examples: input.heldOut!.length,
          },
        }
      : {}),
  };
  const withFigures = { ...body, figures: summary };
  const artefact: DetectorArtefact = { ...withFigures, checksum: artefactChecksum(withFigures) };
  return {
    artefact,
    crossValidation,
    ...(heldOut ? { heldOut } : {}),
    alwaysPresent: { crossValidation: always(p.ys), ...(alwaysHeld ? { heldOut: alwaysHeld } : {}) },
  };
}
