/**
 * Inference of the learned value detector (pure; no I/O): text → calibrated probability of every label
 * (54 level-1 values, 20 categories), the decision by the label's cross-validated threshold, and the
 * words that drove it: each feature's contribution to the label's logit (tf-idf weight × learned
 * weight), spread over the character spans of its occurrences, strongest first.
 */
import type { DetectorModel } from './artefact.js';
import { extractFeatures, vectorize, type FeatureOptions } from './features.js';
import { calibratedProbabilities, lexiconHits } from './fit.js';

/** A span of the text [start, end) with its contribution to the label's logit. */
export interface WeightedSpan {
  start: number;
  end: number;
  text: string;
  weight: number;
}

export interface LabelDetection {
  name: string;
  level: 'value' | 'category';
  probability: number;
  threshold: number;
  /** Share of the training arguments with the label. */
  prior: number;
  present: boolean;
  /** The strongest positive contributions (at most `MAX_SPANS`). */
  spans: WeightedSpan[];
}

export interface LearnedDetection {
  words: number;
  labels: LabelDetection[];
}

export const MAX_SPANS = 5;

const categoryCache = new WeakMap<DetectorModel, number[]>();

function categoryOf(model: DetectorModel): number[] {
  let c = categoryCache.get(model);
  if (!c) {
    c = model.labels.map((l) =>
      l.level === 'value' && l.category ? (model.byName.get(l.category) ?? -1) : -1,
    );
    categoryCache.set(model, c);
  }
  return c;
}

/** Rounded to 4 decimals (Math.round: toFixed is slow on the hot path). */
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Detect every label of the model in `text`. */
export function detectLabels(
  model: DetectorModel,
  text: string,
  options: FeatureOptions & { spans?: 'present' | 'all' } = {},
): LearnedDetection {
  const bag = extractFeatures(text, model.lexicon, options);
  const x = vectorize(bag, model.vocabulary, model.idf);
  const L = model.labels.length;
  const scores = Float64Array.from(model.bias);
  for (let k = 0; k < x.index.length; k++) {
    const base = x.index[k]! * L;
    const v = x.value[k]!;
    for (let l = 0; l < L; l++) scores[l] += v * model.weights[base + l]!;
  }
  const probs = calibratedProbabilities(
    scores,
    model.labels.map((l) => l.platt),
    categoryOf(model),
    { precision: model.labels.map((l) => l.lexiconPrecision), hits: lexiconHits(bag.features, model.labels) },
  );
  // Occurrences (token ranges) of each vectorised feature, in vector order.
  const names = [...bag.features.keys()];
  const occurrences = new Map<number, Array<[number, number]>>();
  for (const name of names) {
    const j = model.vocabulary.get(name);
    if (j !== undefined) occurrences.set(j, bag.features.get(name)!);
  }
  const { tokens } = bag;
  const labels: LabelDetection[] = model.labels.map((label, l) => {
    // Decided on the reported (rounded) probability, so `present` ⇔ probability ≥ threshold holds.
    const probability = round(probs[l]!);
    const present = probability >= label.threshold;
    const base = {
      name: label.name,
      level: label.level,
      probability,
      threshold: label.threshold,
      prior: label.prior,
      present,
    };
    // Spans cost a pass over the features per label: by default only for the labels detected.
    if (!present && options.spans !== 'all') return { ...base, spans: [] };
    // The strongest positive contributions, kept in a small sorted buffer (no per-label allocation
    // beyond it): a feature's contribution is its vector weight × the label's weight.
    const topK: number[] = [];
    const topC: number[] = [];
    for (let k = 0; k < x.index.length; k++) {
      const c = x.value[k]! * model.weights[x.index[k]! * L + l]!;
      if (!(c > 0) || (topC.length >= MAX_SPANS && c <= topC[topC.length - 1]!)) continue;
      let at = topC.length;
      while (at > 0 && topC[at - 1]! < c) at--;
      topC.splice(at, 0, c);
      topK.splice(at, 0, k);
      if (topC.length > MAX_SPANS) {
        topC.pop();
        topK.pop();
      }
    }
    const spans: WeightedSpan[] = [];
    const seen = new Set<number>();
    for (let r = 0; r < topK.length && spans.length < MAX_SPANS; r++) {
      const occ = occurrences.get(x.index[topK[r]!]!) ?? [];
      // A feature seen several times shares its contribution among its occurrences.
      const share = topC[r]! / Math.max(1, occ.length);
      for (const [from, to] of occ) {
        if (to <= from || spans.length >= MAX_SPANS) continue;
        const start = tokens[from]!.start;
        const end = tokens[to - 1]!.end;
        const key = start * 1_000_003 + end;
        if (seen.has(key)) continue;
        seen.add(key);
        spans.push({ start, end, text: text.slice(start, end), weight: round(share) });
      }
    }
    return { ...base, spans };
  });
  return { words: tokens.length, labels };
}
